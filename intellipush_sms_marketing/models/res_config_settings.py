from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    intellipush_link_backend = fields.Selection(related="company_id.intellipush_link_backend", readonly=False)
    intellipush_attribution_days = fields.Integer(related="company_id.intellipush_attribution_days", readonly=False)
