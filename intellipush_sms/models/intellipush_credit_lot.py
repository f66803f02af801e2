from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from ..tools.credits import to_credits
from .intellipush_credit_ledger import CREDIT_DIGITS

VALIDITY_MONTHS = 24  # Intellipush credits are valid for 24 months from purchase


class IntellipushCreditLot(models.Model):
    """Credits bought at once. What remains is the sum of the lot's ledger entries."""

    _name = "intellipush.credit.lot"
    _description = "SMS Credit Lot"
    _order = "expiry_date, id"

    name = fields.Char("Reference", required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    wallet_id = fields.Many2one(
        "intellipush.credit.wallet", required=True, readonly=True, index=True, ondelete="restrict"
    )
    purchase_date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    expiry_date = fields.Date(compute="_compute_expiry_date", store=True, index=True)
    quantity = fields.Float("Credits Bought", digits=CREDIT_DIGITS, required=True, readonly=True)
    price_total = fields.Monetary("Price Paid", readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    remaining = fields.Float("Credits Left", digits=CREDIT_DIGITS, compute="_compute_remaining")
    state = fields.Selection(
        [("active", "Active"), ("used", "Used Up"), ("expired", "Expired")],
        compute="_compute_remaining",
    )
    ledger_ids = fields.One2many("intellipush.credit.ledger", "lot_id", string="Movements")
    vendor_bill_id = fields.Many2one("account.move", readonly=True, copy=False)

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "A lot holds a positive number of credits."),
    ]

    @api.depends("purchase_date")
    def _compute_expiry_date(self):
        for lot in self:
            lot.expiry_date = lot.purchase_date and lot.purchase_date + relativedelta(months=VALIDITY_MONTHS)

    @api.depends("ledger_ids.amount")
    def _compute_remaining(self):
        remaining_by_lot = self._remaining_by_lot()
        today = fields.Date.context_today(self)
        for lot in self:
            lot.remaining = float(remaining_by_lot.get(lot.id, 0))
            if lot.expiry_date and lot.expiry_date <= today:
                lot.state = "expired"
            else:
                lot.state = "active" if remaining_by_lot.get(lot.id, 0) > 0 else "used"

    def _remaining_by_lot(self):
        """{lot id: Decimal credits left}, summed exactly by PostgreSQL."""
        if not self.ids:
            return {}
        self.env["intellipush.credit.ledger"].flush_model(["amount", "lot_id"])
        self.env.cr.execute(
            """
            SELECT lot_id, SUM(amount)
              FROM intellipush_credit_ledger
             WHERE lot_id IN %s
          GROUP BY lot_id
            """,
            [tuple(self.ids)],
        )
        return {lot_id: to_credits(total) for lot_id, total in self.env.cr.fetchall()}

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("intellipush.credit.lot") or "/"
        return super().create(vals_list)
