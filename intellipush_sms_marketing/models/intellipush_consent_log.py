from odoo import api, models


class IntellipushConsentLog(models.Model):
    _inherit = "intellipush.consent.log"

    @api.model_create_multi
    def create(self, vals_list):
        """A withdrawn consent may stop the campaign it answers (see mailing_mailing_auto_pause.py)."""
        logs = super().create(vals_list)
        numbers = logs.filtered(lambda log: log.new_state == "withdrawn").partner_id.mapped("phone_sanitized")
        if numbers := [number for number in numbers if number]:
            self.env["sms.sms"]._intellipush_campaigns_last_sent(numbers)._intellipush_check_auto_pause()
        return logs
