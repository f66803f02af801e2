from odoo import api, models


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    @api.depends("mailing_id")
    def _compute_sms_purpose(self):
        """SMS Marketing mailings are marketing: consent is required and the
        opt-out instruction is added."""
        res = super()._compute_sms_purpose()
        for composer in self.filtered("mailing_id"):
            composer.sms_purpose = "marketing"
        return res

    def _action_send_sms(self):
        # Whatever a caller asked for, a mailing's SMS are marketing: consent
        # is never skipped for a list or a segment sent as "transactional".
        self.filtered(
            lambda composer: composer.mailing_id and composer.sms_purpose != "marketing"
        ).sms_purpose = "marketing"
        return super()._action_send_sms()

    def _get_done_record_ids(self, records, recipients_info):
        """Duplicate numbers of a campaign chunk, then those the mailing
        reached already, as Odoo finds them; through the gateway with a set
        of the numbers seen (Odoo compares each number with every one before
        it: quadratic in the chunk)."""
        if not (self.mailing_id and self.env.company._intellipush_active()):
            return super()._get_done_record_ids(records, recipients_info)
        done_ids, seen = [], set()
        for record in records:
            sanitized = recipients_info[record.id]["sanitized"]
            if sanitized in seen:
                done_ids.append(record.id)
            else:
                seen.add(sanitized)
        reached_ids, _reached_numbers = self.mailing_id._get_seen_list_sms()
        return done_ids + reached_ids
