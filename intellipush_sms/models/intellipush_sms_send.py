"""The Send SMS form: recipients, text, purpose and schedule, and its actions.
When and how each run goes (files, rendering, recurrence, the cron) is in
``intellipush_sms_send_schedule.py``.
"""

import re

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime

from ..tools import recurrence
from ..tools.phone_display import number_problem
from ..tools.phone_numbers import InvalidPhoneNumber, normalize
from ..tools.recipients import parse_numbers
from .sms_sms import CHOSEN_PURPOSES

# Placeholders cannot be filled for a number that belongs to no contact.
_PLACEHOLDER = re.compile(r"\s*\{\{.*?\}\}")
# Unreachable recipients listed on the form; a large segment may hold thousands.
MAX_INVALID_LISTED = 50
# More recipients than this (or any list) make a send marketing unless a reason says otherwise.
BULK_RECIPIENTS = 5
WEEKDAY_FIELDS = ("on_monday", "on_tuesday", "on_wednesday", "on_thursday", "on_friday", "on_saturday", "on_sunday")


class IntellipushSmsSend(models.Model):
    """An SMS sent by hand to contacts, contact lists and typed numbers: now,
    at a chosen time, or again and again (daily, weekly, monthly)."""

    _name = "intellipush.sms.send"
    _inherit = ["mail.thread"]
    _description = "SMS Send"
    _order = "create_date DESC, id DESC"
    # Fields whose change re-queues a one-off send that waits for its time.
    _intellipush_requeue_fields = frozenset(
        {"body", "send_at", "partner_ids", "list_ids", "numbers", "sms_purpose", "attachment_ids"}
    )

    name = fields.Char(required=True, default=lambda self: _("SMS of %s", fields.Date.context_today(self)))
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    user_id = fields.Many2one("res.users", "Responsible", default=lambda self: self.env.user)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("scheduled", "Scheduled"),
            ("paused", "Paused"),
            ("done", "Done"),
            ("canceled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    template_id = fields.Many2one("sms.template", domain=[("model", "=", "res.partner")])
    body = fields.Text("Message", compute="_compute_body", store=True, readonly=False, required=True)
    sms_purpose = fields.Selection(
        CHOSEN_PURPOSES,
        string="Purpose",
        required=True,
        compute="_compute_sms_purpose",
        store=True,
        readonly=False,
        precompute=True,
        help="A send to a list, a segment or more than a handful of numbers is marketing: it goes only to "
        "those who consented. Transactional needs a reason, e.g. a change of opening hours customers must know.",
    )
    intellipush_is_bulk = fields.Boolean("Bulk Send", compute="_compute_intellipush_is_bulk")
    transactional_reason = fields.Char(
        "Why Transactional",
        help="Required for a transactional send to a list or many recipients: it skips the marketing consent.",
    )

    partner_ids = fields.Many2many("res.partner", string="Contacts")
    list_ids = fields.Many2many("intellipush.sms.list", string="Contact Lists")
    numbers = fields.Text(help="Numbers without a contact: one per line, or separated by commas or semicolons.")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Files",
        help="Sent as short links at the end of the message, e.g. a newsletter PDF. Anyone with the link can open "
        "the file.",
    )
    recipient_count = fields.Integer("Recipients", compute="_compute_recipients")
    invalid_recipients = fields.Text("Not Reachable", compute="_compute_recipients")
    cost_summary = fields.Char("Estimated Cost", compute="_compute_recipients")
    cost_warning = fields.Char("Cost to Confirm", compute="_compute_recipients")
    quiet_notice = fields.Char("Quiet Hours", compute="_compute_quiet_notice")
    cost_confirmed = fields.Boolean(
        "Send Anyway", copy=False, help="The sender saw the cost of this long or large send and confirmed it."
    )

    schedule_type = fields.Selection(
        [("now", "Now"), ("later", "At a given time"), ("recurring", "Recurring")],
        string="When",
        default="now",
        required=True,
    )
    send_at = fields.Datetime(help="For a recurring send: the first run.")
    frequency = fields.Selection(
        [(recurrence.DAILY, "Daily"), (recurrence.WEEKLY, "Weekly"), (recurrence.MONTHLY, "Monthly")],
        default=recurrence.WEEKLY,
    )
    interval = fields.Integer("Every", default=1)
    on_monday = fields.Boolean("Mon")
    on_tuesday = fields.Boolean("Tue")
    on_wednesday = fields.Boolean("Wed")
    on_thursday = fields.Boolean("Thu")
    on_friday = fields.Boolean("Fri")
    on_saturday = fields.Boolean("Sat")
    on_sunday = fields.Boolean("Sun")
    month_day = fields.Integer("Day of Month", help="31 sends on the last day of shorter months.")
    end_type = fields.Selection(
        [("never", "Never"), ("date", "On a date"), ("count", "After a number of runs")],
        string="Ends",
        default="never",
    )
    end_date = fields.Date()
    max_runs = fields.Integer("Number of Runs")
    tz = fields.Selection(
        "_tz_get", string="Time Zone", default=lambda self: self.env.user.tz or "Europe/Oslo", required=True
    )
    next_run_at = fields.Datetime("Next Run", readonly=True, index=True, copy=False)
    run_ids = fields.One2many("intellipush.sms.send.run", "send_id", string="Runs", readonly=True, copy=False)
    run_count = fields.Integer("Runs Done", compute="_compute_run_count")

    @api.model
    def _tz_get(self):
        return [(tz, tz) for tz in sorted(pytz.all_timezones, key=lambda tz: tz if not tz.startswith("Etc/") else "_")]

    def _intellipush_bulk(self):
        """Whether this send goes to a list or to more than a handful of recipients (bridges add segments)."""
        self.ensure_one()
        typed = len([part for part in re.split(r"[\n,;]+", self.numbers or "") if part.strip()])
        return bool(self.list_ids) or len(self.partner_ids) + typed > BULK_RECIPIENTS

    @api.depends("partner_ids", "list_ids", "numbers")
    def _compute_intellipush_is_bulk(self):
        for send in self:
            send.intellipush_is_bulk = send._intellipush_bulk()

    @api.depends("partner_ids", "list_ids", "numbers", "template_id")
    def _compute_sms_purpose(self):
        for send in self:
            bulk = send._intellipush_bulk()
            if send.template_id.sms_purpose in ("transactional", "marketing") and not bulk:
                send.sms_purpose = send.template_id.sms_purpose
            elif bulk and not send.transactional_reason:
                send.sms_purpose = "marketing"
            else:
                send.sms_purpose = send.sms_purpose or "transactional"

    @api.depends("template_id")
    def _compute_body(self):
        for send in self.filtered("template_id"):
            send.body = send.template_id.body

    @api.depends("partner_ids", "list_ids", "numbers", "body", "sms_purpose", "company_id", "attachment_ids")
    def _compute_recipients(self):
        sms_model = self.env["sms.sms"]
        for send in self:
            recipients, invalid = send._intellipush_recipients()
            send.recipient_count = len(recipients)
            lines = [f"{label}: {reason}" for label, reason in invalid[:MAX_INVALID_LISTED]]
            if len(invalid) > MAX_INVALID_LISTED:
                lines.append(_("… and %s more", len(invalid) - MAX_INVALID_LISTED))
            send.invalid_recipients = "\n".join(lines) or False
            # Each file goes as a short link about as long as this one.
            body = send._intellipush_body_with_files([f"{send.get_base_url()}/r/xxxx"] * len(send.attachment_ids))
            reachable = sms_model._intellipush_reachable(recipients, body, send.sms_purpose, send.company_id)
            send.cost_summary = sms_model._intellipush_describe_reachable(reachable, send.company_id)
            send.cost_warning = self.env["intellipush.credit.rate"]._cost_warning(
                send.company_id, reachable.numbers, reachable.body if body.strip() else ""
            )

    @api.onchange("partner_ids", "list_ids", "numbers", "body", "sms_purpose", "attachment_ids")
    def _onchange_reset_cost_confirmed(self):
        """A confirmed cost is for the send as it was: a change asks again."""
        self.cost_confirmed = False

    @api.depends("sms_purpose", "company_id", "schedule_type", "send_at", "next_run_at", "state")
    def _compute_quiet_notice(self):
        for send in self:
            moment = send.next_run_at or (send.send_at if send.schedule_type != "now" else False)
            send.quiet_notice = (
                send.sms_purpose == "marketing"
                and send.state not in ("done", "canceled")
                and send.company_id._intellipush_quiet_notice(moment or None)
            )

    @api.depends("run_ids")
    def _compute_run_count(self):
        for send in self:
            send.run_count = len(send.run_ids)

    @api.constrains(
        "schedule_type", "send_at", "frequency", "interval", "month_day", "end_type", "end_date", "max_runs"
    )
    def _check_schedule(self):
        for send in self:
            if send.schedule_type != "now" and not send.send_at:
                raise ValidationError(_("Choose when the SMS should go."))
            if send.schedule_type != "recurring":
                continue
            if send.interval < 1:
                raise ValidationError(_("A recurring send repeats at least every day, week or month."))
            if send.frequency == recurrence.MONTHLY and not 0 <= send.month_day <= 31:
                raise ValidationError(_("The day of the month is between 1 and 31."))
            if send.end_type == "date" and not send.end_date:
                raise ValidationError(_("Choose the end date."))
            if send.end_type == "count" and send.max_runs < 1:
                raise ValidationError(_("Choose how many times the SMS goes."))

    # ------------------------------------------------------------
    # Recipients
    # ------------------------------------------------------------

    def _intellipush_recipient_partners(self):
        """The contacts this send goes to as of now (SMS Marketing adds its segments)."""
        return self.partner_ids

    def _intellipush_recipients(self):
        """``([(E.164 number, partner)], [(label, reason)])``: the contacts,
        list entries and typed numbers of this send as of now, each number
        once (a contact first, then a list entry, then a typed number)."""
        self.ensure_one()
        region, mobile_only = self.company_id._intellipush_phone_region(), self.company_id._intellipush_mobile_only()
        recipients, invalid, seen = [], [], set()

        def add(number, partner):
            if number not in seen:
                seen.add(number)
                recipients.append((number, partner))

        for partner in self._intellipush_recipient_partners():
            try:
                add(normalize(partner.mobile or partner.phone or "", region, mobile_only=mobile_only).e164, partner)
            except InvalidPhoneNumber as error:
                invalid.append((partner.display_name, number_problem(self.env, error)))
        contacts = self.env["intellipush.sms.list.contact"].search([("list_id", "in", self.list_ids.ids)])
        for contact in contacts:
            if contact.number_e164 and not contact.number_problem:
                add(contact.number_e164, contact.partner_id)
            else:
                reason = contact.number_problem or _("not a valid mobile number")
                invalid.append((contact.name or contact.number, reason))
        typed, typed_invalid = parse_numbers(
            self.numbers, region, describe=lambda error: number_problem(self.env, error), mobile_only=mobile_only
        )
        for number in typed:
            add(number.e164, self.env["res.partner"])
        invalid += typed_invalid
        return recipients, invalid

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_send(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("This SMS was already sent or scheduled."))
        if not self.recipient_count:
            raise UserError(_("Add at least one contact, list or number that can receive SMS."))
        if not (self.body or "").strip():
            raise UserError(_("Write the message first: an empty SMS is not sent."))
        if self.sms_purpose == "transactional" and self._intellipush_bulk() and not self.transactional_reason:
            raise UserError(
                _(
                    "A send to a list or to more than %s recipients is marketing: it goes only to those who "
                    "consented. To send it as transactional, say why in “Why Transactional”.",
                    BULK_RECIPIENTS,
                )
            )
        if self.cost_warning and not self.cost_confirmed:
            raise UserError(_("Check the cost before sending: %s Tick “Send Anyway” to send it.", self.cost_warning))
        if self.schedule_type == "later" and self.send_at <= fields.Datetime.now():
            raise UserError(
                _(
                    "%(moment)s has passed: choose a time in the future, or Send Now.",
                    moment=format_datetime(self.env, self.send_at, tz=self.tz, dt_format="short"),
                )
            )
        if self.schedule_type == "now":
            run = self._intellipush_run(fields.Datetime.now())
            self.state = "done"
            return run._intellipush_result_notification()
        if self.company_id.sms_provider != "intellipush":
            raise UserError(_("Scheduled sends need Intellipush as the company's SMS provider."))
        if self.schedule_type == "later":
            # Queued now, so the credits are set aside; they leave at their time.
            run = self._intellipush_run(self.send_at)
            self.state = "scheduled"
            queued = len(run.sms_ids.filtered(lambda sms: sms.state in ("outgoing", "pending")))
            message = _(
                "%(count)s SMS will go %(moment)s.",
                count=queued,
                moment=format_datetime(self.env, self.send_at, tz=self.tz, dt_format="short"),
            )
        else:
            self.write({"state": "scheduled", "next_run_at": self._intellipush_first_run()})
            message = _(
                "The first SMS go %(moment)s.",
                moment=format_datetime(self.env, self.next_run_at, tz=self.tz, dt_format="short"),
            )
        self._intellipush_trigger_cron()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("SMS scheduled"),
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_pause(self):
        self.filtered(lambda send: send.state == "scheduled" and send.schedule_type == "recurring").state = "paused"

    def action_resume(self):
        for send in self.filtered(lambda send: send.state == "paused"):
            now = fields.Datetime.now()
            next_run = send.next_run_at
            while next_run and next_run < now:  # runs missed while paused are skipped
                next_run = send._intellipush_next_run(next_run)
            send.write({"state": "scheduled" if next_run else "done", "next_run_at": next_run})
        self._intellipush_trigger_cron()

    def action_cancel(self):
        """Stop the send; SMS still waiting for their time are cancelled (withdrawn at
        Intellipush if it holds them) and their credits come back."""
        self.sudo().run_ids.sms_ids._intellipush_cancel_waiting()
        self.write({"state": "canceled", "next_run_at": False})

    def action_reset_draft(self):
        self.filtered(lambda send: send.state == "canceled").state = "draft"

    def write(self, vals):
        res = super().write(vals)
        if self._intellipush_requeue_fields & set(vals):
            # A one-off send still waiting for its time goes as now edited.
            for send in self.filtered(lambda send: send.state == "scheduled" and send.schedule_type == "later"):
                pending = send.sudo().run_ids.filtered(lambda run: run.date > fields.Datetime.now())
                pending.sms_ids._intellipush_cancel_waiting()
                pending.unlink()
                send._intellipush_run(send.send_at)
                send._intellipush_trigger_cron()
        return res
