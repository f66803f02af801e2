from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        changing = {"state", "partner_id", "order_line", "date_order", "currency_rate"} & set(vals)
        before = self.partner_id.ids if changing else []
        res = super().write(vals)
        if changing:
            self.env["res.partner"]._intellipush_refresh_segments_later(before + self.partner_id.ids)
        return res
