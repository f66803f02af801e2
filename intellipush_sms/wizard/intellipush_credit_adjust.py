from odoo import fields, models

from ..models.intellipush_credit_ledger import CREDIT_DIGITS


class IntellipushCreditAdjust(models.TransientModel):
    """A manual correction of a lot, recorded in the ledger with its reason."""

    _name = "intellipush.credit.adjust"
    _description = "Adjust SMS Credits"

    lot_id = fields.Many2one("intellipush.credit.lot", required=True, readonly=True)
    amount = fields.Float(
        "Credits",
        digits=CREDIT_DIGITS,
        required=True,
        help="Positive to add credits to the lot, negative to remove them.",
    )
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.lot_id.wallet_id._adjust(self.lot_id, self.amount, self.reason)
        if self.amount > 0:
            self.env["sms.sms"]._intellipush_reserve_unpriced(self.lot_id.company_id)
        return {"type": "ir.actions.act_window_close"}
