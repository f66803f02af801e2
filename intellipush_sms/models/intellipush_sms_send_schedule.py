"""When and how a Send SMS form runs: each run queues the SMS of its
recipients of that moment (files as short links, texts rendered per contact
or list entry), and recurring sends compute their next run in their own time
zone (``tools/recurrence.py``).
"""

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import recurrence
from .intellipush_sms_send import _PLACEHOLDER, WEEKDAY_FIELDS


class IntellipushSmsSend(models.Model):
    _inherit = "intellipush.sms.send"

    # ------------------------------------------------------------
    # Runs
    # ------------------------------------------------------------

    def _intellipush_body_with_files(self, links):
        return "\n".join([(self.body or "").rstrip(), *links]) if links else self.body or ""

    def _intellipush_file_links(self):
        """Short tracked links to the send's files, readable by whoever has the link."""
        attachments = self.attachment_ids.sudo()
        if not attachments:
            return []
        tokens = attachments.generate_access_token()
        base_url = self.get_base_url()
        trackers = self.env["link.tracker"]._intellipush_secret_links(
            [
                {"url": f"{base_url}/web/content/{attachment.id}?access_token={token}", "title": attachment.name}
                for attachment, token in zip(attachments, tokens, strict=True)
            ]
        )
        return trackers.mapped("short_url")

    def _intellipush_run(self, not_before):
        """Queue this send's SMS for its recipients of this moment."""
        self.ensure_one()
        recipients, _invalid = self._intellipush_recipients()
        body = self._intellipush_body_with_files(self._intellipush_file_links())
        partners = self.env["res.partner"].union(*(partner for _number, partner in recipients))
        rendered = (
            self.env["mail.render.mixin"]._render_template(body, "res.partner", partners.ids, engine="inline_template")
            if partners
            else {}
        )
        without_contact = _PLACEHOLDER.sub("", body)
        by_number = self._intellipush_named_list_entries(
            body, {number for number, partner in recipients if not partner}
        )
        run = self.env["intellipush.sms.send.run"].sudo().create({"send_id": self.id, "date": not_before})
        sms_model = self.env["sms.sms"].sudo().with_context(intellipush_sms_purpose=self.sms_purpose)
        sms = sms_model.with_company(self.company_id).create(
            [
                {
                    "number": number,
                    "partner_id": partner.id,
                    "body": rendered[partner.id] if partner else by_number.get(number, without_contact),
                    "company_id": self.company_id.id,
                    "intellipush_send_run_id": run.id,
                    # Intellipush holds it until then (CONTRACT §4.1); cancelling withdraws it there.
                    "intellipush_send_at": not_before if not_before > fields.Datetime.now() else False,
                }
                for number, partner in recipients
            ]
        )
        sms.filtered(lambda record: record.state == "outgoing").send()
        return run

    def _intellipush_named_list_entries(self, body, numbers):
        """``{number: text}`` for list entries with a name but no contact: "Hei Ola!" rather than "Hei!".
        A text that asks for more than a list entry knows (an e-mail, an address) goes without them."""
        entries = self.env["intellipush.sms.list.contact"].search(
            [("list_id", "in", self.list_ids.ids), ("number_e164", "in", list(numbers)), ("name", "!=", False)]
        )
        if not entries or not _PLACEHOLDER.search(body):
            return {}
        try:
            texts = self.env["mail.render.mixin"]._render_template(
                body, entries._name, entries.ids, engine="inline_template"
            )
        except (AttributeError, KeyError, ValueError, UserError):
            return {}
        return {entry.number_e164: texts[entry.id] for entry in entries}

    def _intellipush_trigger_cron(self):
        times = [time for time in self.mapped("next_run_at") + self.mapped("send_at") if time]
        cron = self.env.ref("intellipush_sms.ir_cron_intellipush_scheduled_sends")
        for moment in sorted(set(times)):
            cron._trigger(at=moment)
        dispatch = self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch")
        for moment in sorted({send.send_at for send in self if send.send_at and send.schedule_type == "later"}):
            dispatch._trigger(at=moment)

    def _intellipush_local(self, utc_moment):
        return pytz.utc.localize(utc_moment).astimezone(pytz.timezone(self.tz)).replace(tzinfo=None)

    def _intellipush_utc(self, local_moment):
        return pytz.timezone(self.tz).localize(local_moment).astimezone(pytz.utc).replace(tzinfo=None)

    def _intellipush_weekdays(self):
        return tuple(index for index, field_name in enumerate(WEEKDAY_FIELDS) if self[field_name])

    def _intellipush_first_run(self):
        local = recurrence.first_run(
            self._intellipush_local(self.send_at), self.frequency, self._intellipush_weekdays(), self.month_day or None
        )
        return self._intellipush_utc(local)

    def _intellipush_next_run(self, previous):
        """The run after ``previous`` (UTC), or False once the send has ended."""
        if self.end_type == "count" and len(self.run_ids) >= self.max_runs:
            return False
        local = recurrence.next_run(
            self._intellipush_local(previous),
            self.frequency,
            self.interval,
            self._intellipush_weekdays(),
            self.month_day or None,
        )
        if self.end_type == "date" and local.date() > self.end_date:
            return False
        return self._intellipush_utc(local)

    @api.model
    def _cron_intellipush_scheduled_sends(self):
        """Cron: run the recurring sends that are due; close one-off sends whose time came."""
        now = fields.Datetime.now()
        due = self.search(
            [("state", "=", "scheduled"), ("schedule_type", "=", "recurring"), ("next_run_at", "<=", now)]
        )
        for send in due:
            send._intellipush_run(now)
            next_run = send._intellipush_next_run(send.next_run_at)
            while next_run and next_run <= now:  # one run for runs missed while Odoo was down
                next_run = send._intellipush_next_run(next_run)
            send.write({"next_run_at": next_run, "state": "scheduled" if next_run else "done"})
        due._intellipush_trigger_cron()
        self.search(
            [("state", "=", "scheduled"), ("schedule_type", "=", "later"), ("send_at", "<=", now)]
        ).state = "done"
        return len(due)
