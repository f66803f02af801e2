from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    intellipush_shipping_sms = fields.Boolean(
        "SMS Shipping Updates",
        default=True,
        help="Customers get an SMS when their order is packed and when it is shipped.",
    )
    intellipush_packed_sms_template_id = fields.Many2one(
        "sms.template",
        "Packed Template",
        domain=[("model", "=", "stock.picking")],
        help="Sent when the packing step of a delivery in several steps is done. Empty: no SMS.",
    )
    intellipush_shipped_sms_template_id = fields.Many2one(
        "sms.template",
        "Shipped Template",
        domain=[("model", "=", "stock.picking")],
        help="Sent when the delivery to the customer is validated. Empty: no SMS.",
    )
