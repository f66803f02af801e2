from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pos_intellipush_auto_receipt_sms = fields.Boolean(
        related="pos_config_id.intellipush_auto_receipt_sms", readonly=False
    )
    pos_intellipush_quick_template_ids = fields.Many2many(
        related="pos_config_id.intellipush_quick_template_ids", readonly=False
    )
