from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        customer_moves = self.filtered(lambda move: move.move_type in ("out_invoice", "out_refund"))
        changing = customer_moves and {"state", "partner_id"} & set(vals)
        before = customer_moves.partner_id.ids if changing else []
        res = super().write(vals)
        if changing:
            self.env["res.partner"]._intellipush_refresh_segments_later(before + customer_moves.partner_id.ids)
        return res
