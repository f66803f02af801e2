from odoo import api, fields, models
from odoo.tools import format_amount, formatLang


class IntellipushCreditPriceTier(models.Model):
    """Price per credit by quantity bought at once: the more, the cheaper."""

    _name = "intellipush.credit.price.tier"
    _description = "SMS Credit Price Tier"
    _order = "min_quantity"

    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    min_quantity = fields.Integer("From Credits", required=True)
    price_per_credit = fields.Monetary(required=True, currency_field="currency_id")
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )

    _sql_constraints = [
        ("min_quantity_positive", "CHECK(min_quantity > 0)", "A tier starts at a positive quantity."),
        ("price_positive", "CHECK(price_per_credit > 0)", "A credit has a positive price."),
    ]

    @api.depends("min_quantity", "price_per_credit", "currency_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for tier in self:
            tier.display_name = self.env._(
                "From %(quantity)s credits: %(price)s",
                quantity=formatLang(self.env, tier.min_quantity, digits=0),
                price=format_amount(self.env, tier.price_per_credit, tier.currency_id)
                if tier.currency_id
                else formatLang(self.env, tier.price_per_credit),
            )

    def _tier_for(self, company, quantity):
        """The tier that applies to buying ``quantity`` credits, or an empty recordset."""
        return self.search(
            [("company_id", "in", [company.id, False]), ("min_quantity", "<=", quantity)],
            order="min_quantity DESC",
            limit=1,
        )
