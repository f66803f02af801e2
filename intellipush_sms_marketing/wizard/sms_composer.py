from odoo import api, models
from odoo.tools import SQL


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
        """The recipients of this chunk of a campaign that it must not reach
        again, as a set: a number twice in the chunk, a number the campaign
        reached in an earlier chunk, a record it reached already (A/B
        testing, a resend).

        Odoo compares each number with every one before it, and hands back
        every record the mailing ever reached as a list that each recipient
        is looked up in: quadratic once a campaign goes in chunks, and a
        number shared by contacts of two chunks would get the campaign twice.
        """
        if not (self.mailing_id and self.env.company._intellipush_active()):
            return super()._get_done_record_ids(records, recipients_info)
        numbers = {info["sanitized"] for info in recipients_info.values() if info["sanitized"]}
        self.env["mailing.trace"].flush_model(["mass_mailing_id", "model", "res_id", "sms_number"])
        self.env.cr.execute(
            SQL(
                """
                SELECT res_id, sms_number
                  FROM mailing_trace
                 WHERE mass_mailing_id = %s
                   AND (sms_number = ANY(%s) OR (model = %s AND res_id = ANY(%s)))
                """,
                self.mailing_id.id,
                list(numbers),
                records._name,
                records.ids,
            )
        )
        reached = self.env.cr.fetchall()
        done_ids = {res_id for res_id, _number in reached if res_id in recipients_info}
        seen = {number for _res_id, number in reached}
        for record in records:
            sanitized = recipients_info[record.id]["sanitized"]
            if sanitized in seen:
                done_ids.add(record.id)
            elif sanitized:
                seen.add(sanitized)
        return done_ids
