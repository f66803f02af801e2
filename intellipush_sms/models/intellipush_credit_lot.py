from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools.sql import create_index

from .intellipush_credit_ledger import CREDIT_DIGITS

VALIDITY_MONTHS = 24  # Intellipush credits are valid for 24 months from purchase


class IntellipushCreditLot(models.Model):
    """Credits bought at once. What remains is the sum of the lot's ledger
    entries, kept running by the wallet's movements (see ``_record``)."""

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
    # Kept by the wallet's ``_record`` only, in SQL and under the wallet's lock.
    running_remaining = fields.Float(
        digits=CREDIT_DIGITS,
        readonly=True,
        default=0.0,
        copy=False,
        help="The sum of the lot's ledger credits, moved by each movement.",
    )
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

    def init(self):
        # What a debit reads: the lots of a wallet with credits left, first to expire first.
        create_index(
            self.env.cr,
            "intellipush_credit_lot_with_credits_index",
            self._table,
            ["wallet_id", "expiry_date", "id"],
            where="running_remaining > 0",
        )

    @api.depends("running_remaining")
    def _compute_remaining(self):
        today = fields.Date.context_today(self)
        for lot in self:
            lot.remaining = lot.running_remaining
            if lot.expiry_date and lot.expiry_date <= today:
                lot.state = "expired"
            else:
                lot.state = "active" if lot.running_remaining > 0 else "used"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("intellipush.credit.lot") or "/"
        return super().create(vals_list)
