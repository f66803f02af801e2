from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    intellipush_link_backend = fields.Selection(
        [
            ("odoo", "Odoo's link tracker on your domain"),
            ("intellipush", "Intellipush short links"),
        ],
        string="Campaign Links",
        default="odoo",
        required=True,
        help="Who shortens the links of SMS campaigns, one per recipient. Odoo's link tracker answers on "
        "your own domain and counts a click at once; Intellipush's links are shorter when your domain is "
        "long, and their visits are brought in every quarter of an hour.",
    )
