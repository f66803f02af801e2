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
