from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    intellipush_link_backend = fields.Selection(related="company_id.intellipush_link_backend", readonly=False)
    intellipush_auto_pause = fields.Boolean(related="company_id.intellipush_auto_pause", readonly=False)
    intellipush_pause_optout_rate = fields.Float(related="company_id.intellipush_pause_optout_rate", readonly=False)
    intellipush_pause_failure_rate = fields.Float(related="company_id.intellipush_pause_failure_rate", readonly=False)
    intellipush_pause_min_sent = fields.Integer(related="company_id.intellipush_pause_min_sent", readonly=False)
    intellipush_attribution_days = fields.Integer(related="company_id.intellipush_attribution_days", readonly=False)
