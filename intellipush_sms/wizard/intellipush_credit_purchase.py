from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError


class IntellipushCreditPurchase(models.TransientModel):
    """Records credits bought from Intellipush (paid by card on Intellipush's site)."""

    _name = "intellipush.credit.purchase"
    _description = "Buy SMS Credits"

    wallet_id = fields.Many2one("intellipush.credit.wallet", required=True, readonly=True)
    company_id = fields.Many2one(related="wallet_id.company_id")
    quantity = fields.Integer("Credits", required=True, default=1000)
    tier_id = fields.Many2one(
        "intellipush.credit.price.tier", compute="_compute_price", store=True, string="Price Tier"
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_price", store=True, readonly=False, required=True)
    price_per_credit = fields.Monetary(
        compute="_compute_price", store=True, readonly=False, currency_field="currency_id"
    )
    price_total = fields.Monetary(
        "Price Paid",
        compute="_compute_price_total",
        store=True,
        readonly=False,
        currency_field="currency_id",
        help="What was actually paid; the tier price is a suggestion.",
    )
    purchase_date = fields.Date(required=True, default=fields.Date.context_today)
    create_vendor_bill = fields.Boolean(
        default=True,
        help="Create a draft vendor bill from Intellipush for this purchase.",
    )

    @api.depends("quantity", "wallet_id")
    def _compute_price(self):
        for wizard in self:
            company = wizard.company_id or self.env.company
            tier = self.env["intellipush.credit.price.tier"]._tier_for(company, wizard.quantity)
            wizard.tier_id = tier
            wizard.currency_id = tier.currency_id or company.currency_id
            wizard.price_per_credit = tier.price_per_credit

    @api.depends("quantity", "price_per_credit")
    def _compute_price_total(self):
        for wizard in self:
            wizard.price_total = wizard.currency_id.round(wizard.quantity * wizard.price_per_credit)

    def action_confirm(self):
        self.ensure_one()
        if self.quantity <= 0:
            raise UserError(_("Buy a positive number of credits."))
        lot = self.wallet_id._purchase(self.quantity, self.price_total, self.currency_id, self.purchase_date)
        # The SMS waiting for credits are reserved now, not at the next dispatch run.
        self.env["sms.sms"]._intellipush_reserve_unpriced(self.company_id)
        if self.create_vendor_bill and self.price_total:
            lot.vendor_bill_id = self._create_vendor_bill(lot)
        return {
            "type": "ir.actions.act_window",
            "res_model": "intellipush.credit.lot",
            "res_id": lot.id,
            "view_mode": "form",
        }

    def _create_vendor_bill(self, lot):
        return (
            self.env["account.move"]
            .with_company(lot.company_id)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.env.ref("intellipush_sms.partner_intellipush").id,
                    "invoice_date": lot.purchase_date,
                    "currency_id": lot.currency_id.id,
                    "ref": lot.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": _(
                                    "Intellipush SMS credits: %(quantity)s credits (%(lot)s)",
                                    quantity=self.quantity,
                                    lot=lot.name,
                                ),
                                "quantity": 1,
                                "price_unit": lot.price_total,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
