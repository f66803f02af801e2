from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    intellipush_shipping_sms = fields.Boolean(related="company_id.intellipush_shipping_sms", readonly=False)
    intellipush_packed_sms_template_id = fields.Many2one(
        related="company_id.intellipush_packed_sms_template_id", readonly=False
    )
    intellipush_shipped_sms_template_id = fields.Many2one(
        related="company_id.intellipush_shipped_sms_template_id", readonly=False
    )
