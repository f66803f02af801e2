from odoo import fields, models

from .sms_sms import SMS_PURPOSES


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    sms_purpose = fields.Selection(
        [(value, label) for value, label in SMS_PURPOSES if value in ("transactional", "marketing")],
        string="Purpose",
        required=True,
        default="transactional",
        help="Marketing SMS go only to contacts who gave their consent and end with the opt-out instruction.",
    )
