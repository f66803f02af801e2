from odoo import fields, models

from .sms_sms import CHOSEN_PURPOSES


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    sms_purpose = fields.Selection(
        CHOSEN_PURPOSES,
        string="Purpose",
        required=True,
        default="transactional",
        help="Marketing SMS go only to contacts who gave their consent and end with the opt-out instruction.",
    )
