from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_ATTRIBUTION_DAYS = 7


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
    intellipush_attribution_days = fields.Integer(
        "Revenue Attribution Window (days)",
        default=DEFAULT_ATTRIBUTION_DAYS,
        required=True,
        help="A confirmed sales order or a paid POS order of a customer counts as revenue of an SMS campaign "
        "when it comes at most this many days after the customer clicked the campaign's link: an order "
        "exactly that many days later still counts, one second later no longer does. When several "
        "campaigns were clicked before an order, the last click wins. Visits of bots and link previews "
        "never count.",
    )

    @api.constrains("intellipush_attribution_days")
    def _check_intellipush_attribution_days(self):
        if any(company.intellipush_attribution_days < 1 for company in self):
            raise ValidationError(_("The revenue attribution window of SMS campaigns is at least one day."))
