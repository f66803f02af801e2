"""What the quiet hours do to a campaign: its SMS that wait for them to
end, or, before it is sent, when it would go if sent now (or when scheduled)."""

from odoo import api, fields, models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    intellipush_quiet_notice = fields.Char("Quiet Hours", compute="_compute_intellipush_quiet_notice")

    @api.depends("mailing_type", "state", "schedule_type", "schedule_date", "mailing_trace_ids")
    def _compute_intellipush_quiet_notice(self):
        self.intellipush_quiet_notice = False
        sms_mailings = self.filtered(lambda mailing: mailing.mailing_type == "sms")
        if not sms_mailings:
            return
        # The campaign's queued SMS, by company: one query for all the mailings shown.
        waiting = {}
        if sms_mailings.ids:
            for mailing, company in (
                self.env["sms.sms"]
                .sudo()
                ._read_group(
                    [("mailing_id", "in", sms_mailings.ids), ("state", "=", "outgoing")],
                    ["mailing_id", "company_id"],
                )
            ):
                waiting.setdefault(mailing.id, company)
        for mailing in sms_mailings:
            company = waiting.get(mailing.id)
            if company:
                mailing.intellipush_quiet_notice = company._intellipush_quiet_notice()
            elif mailing._intellipush_prices_before_sending():
                moment = mailing.schedule_date if mailing.schedule_type == "scheduled" else None
                mailing.intellipush_quiet_notice = self.env.company._intellipush_quiet_notice(moment)
