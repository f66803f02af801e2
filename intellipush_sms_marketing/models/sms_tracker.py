from odoo import models


class SmsTracker(models.Model):
    _name = "sms.tracker"
    # A campaign's trackers are created with its traces, thousands at a time.
    _inherit = ["sms.tracker", "intellipush.batch.create.mixin"]

    def _update_sms_mailings(self, trace_status, traces):
        # What the gateway moves follows the campaign's own rule, read from its
        # SMS, not its traces (mailing_mailing_state.py).
        if not self.env.context.get("intellipush_gateway"):
            return super()._update_sms_mailings(trace_status, traces)
        if trace_status == "process":
            traces.mass_mailing_id._intellipush_mark_sending()
        else:
            traces.mass_mailing_id._intellipush_mark_sent_when_done()
        return None
