from markupsafe import Markup

from odoo import fields, models
from odoo.tools import SQL


class IntellipushInvoiceReminder(models.Model):
    """One reminder rule applied to one invoice: sent, or skipped with why.

    The row is the claim that makes a rule go at most once per invoice: it
    is inserted with ``ON CONFLICT DO NOTHING`` on (invoice, rule) in the
    transaction that queues the SMS, so a second cron run, a concurrent
    server or a run after a crash finds it and moves on.
    """

    _name = "intellipush.invoice.reminder"
    _description = "SMS Invoice Reminder"
    _order = "date DESC, id DESC"
    _rec_name = "rule_id"

    move_id = fields.Many2one("account.move", "Invoice", required=True, readonly=True, ondelete="cascade")
    rule_id = fields.Many2one("intellipush.reminder.rule", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("claimed", "In Progress"), ("sent", "Sent"), ("skipped", "Skipped")],
        required=True,
        readonly=True,
        default="claimed",
    )
    reason = fields.Char(readonly=True)
    sms_id = fields.Many2one("sms.sms", "SMS", readonly=True, ondelete="set null")
    sms_state = fields.Selection(related="sms_id.state", string="SMS Status")

    _sql_constraints = [
        ("move_rule_unique", "unique(move_id, rule_id)", "This reminder was already handled for this invoice."),
    ]

    def _intellipush_stored_lang(self, company):
        """The language texts stored for ``company`` are written in: its
        partner's when installed, else the current one."""
        lang = company.partner_id.lang
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        return lang if lang in installed else self.env.lang

    def _intellipush_process(self):
        """Send or skip claimed reminders; returns how many SMS were queued."""
        self.fetch(["move_id", "rule_id"])
        moves = self.move_id
        recipients = moves._sms_get_recipients_info()
        skip_reasons = {}
        # Stored texts (the reason, the chatter note) are written once, in
        # the company's language: the cron has none, and a user running the
        # reminders by hand writes for everyone who reads them later.
        env_by_company = {}
        for reminder in self:
            company = reminder.company_id
            if company not in env_by_company:
                env_by_company[company] = self.with_context(lang=self._intellipush_stored_lang(company)).env
            env = env_by_company[company]
            move = reminder.move_id
            if move.move_type != "out_invoice":
                skip_reasons[reminder] = env._("Credit notes get no payment reminder.")
            elif move.currency_id.is_zero(move.amount_residual):
                skip_reasons[reminder] = env._("Nothing left to pay.")
            elif not recipients[move.id]["sanitized"]:
                skip_reasons[reminder] = env._(
                    "%(partner)s has no valid mobile number.", partner=move.partner_id.display_name
                )
        skipped = self.browse([reminder.id for reminder in skip_reasons])
        for reason, reminders in skipped.grouped(skip_reasons.get).items():
            reminders.write({"state": "skipped", "reason": reason})
        if skipped:
            skipped.move_id._message_log_batch(
                bodies={
                    reminder.move_id.id: Markup("<p>%s</p>")
                    % env_by_company[reminder.company_id]._(
                        'SMS reminder "%(rule)s" not sent: %(reason)s',
                        rule=reminder.rule_id.name,
                        reason=skip_reasons[reminder],
                    )
                    for reminder in skipped
                }
            )

        to_send = self - skipped
        pairs = []  # (reminder id, sms id)
        for template, reminders in to_send.grouped(lambda reminder: reminder.rule_id.template_id).items():
            sms_records = reminders.move_id._intellipush_post_template_sms(template, recipients=recipients)
            reminder_by_move = {reminder.move_id.id: reminder.id for reminder in reminders}
            pairs += [(reminder_by_move[sms.mail_message_id.res_id], sms.id) for sms in sms_records]
        if pairs:
            # One statement for the batch, as the claims were inserted.
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE intellipush_invoice_reminder reminder
                       SET state = 'sent', sms_id = sent.sms_id, write_date = %s, write_uid = %s
                      FROM unnest(%s::int[], %s::int[]) AS sent(reminder_id, sms_id)
                     WHERE reminder.id = sent.reminder_id
                    """,
                    fields.Datetime.now(),
                    self.env.uid,
                    [reminder_id for reminder_id, _sms_id in pairs],
                    [sms_id for _reminder_id, sms_id in pairs],
                )
            )
            to_send.invalidate_recordset(["state", "sms_id"])
        return len(to_send)
