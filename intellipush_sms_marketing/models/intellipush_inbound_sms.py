from odoo import models


class IntellipushInboundSms(models.Model):
    _inherit = "intellipush.inbound.sms"

    def _intellipush_process(self):
        """An opt-out keyword may stop the campaign it answers (see mailing_mailing_auto_pause.py)."""
        new = self.filtered(lambda message: message.state == "new")
        super()._intellipush_process()
        opt_outs = new.filtered(lambda message: message.action == "opt_out" and message.number)
        if opt_outs:
            self.env["sms.sms"]._intellipush_campaigns_last_sent(
                opt_outs.mapped("number")
            )._intellipush_check_auto_pause()
