from odoo import api, fields, models
from odoo.tools import SQL


class IntellipushCampaignOrder(models.Model):
    _inherit = "intellipush.campaign.order"

    order_ref = fields.Reference(selection_add=[("pos.order", "POS Order")])

    @api.model
    def _intellipush_order_sources(self):
        # Paid orders at the counter: posted and invoiced ones were paid too.
        # Negative ids keep them apart from sales orders; a refund counts
        # against the campaign, with its negative total.
        return [
            *super()._intellipush_order_sources(),
            SQL(
                """
                SELECT -pos.id AS id,
                       'pos.order,' || pos.id AS order_ref,
                       pos.company_id,
                       pos.partner_id,
                       partner.commercial_partner_id,
                       pos.date_order,
                       (pos.amount_total - pos.amount_tax) / COALESCE(NULLIF(pos.currency_rate, 0), 1) AS revenue
                  FROM pos_order pos
                  JOIN res_partner partner ON partner.id = pos.partner_id
                 WHERE pos.state IN ('paid', 'done', 'invoiced')
                """
            ),
        ]
