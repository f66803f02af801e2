"""What an SMS campaign brought in: the orders of the customers who clicked
its link, within the company's attribution window (see
``intellipush.campaign.order``), and their revenue per credit spent."""

from odoo import fields, models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    # Read with the other results, from the campaign analysis, in the same
    # query (see _intellipush_result_fields).
    intellipush_orders = fields.Integer(
        "Orders",
        compute="_compute_intellipush_statistics",
        help="Confirmed sales orders and paid POS orders of customers who clicked the campaign's link, placed "
        "within the attribution window after their click (Settings / SMS / Campaigns). An order preceded "
        "by clicks on several campaigns counts for the campaign clicked last; bots count nothing.",
    )
    intellipush_revenue = fields.Monetary(
        "Revenue (excl. VAT)",
        currency_field="intellipush_revenue_currency_id",
        compute="_compute_intellipush_statistics",
        help="Untaxed total of the campaign's orders, in the company's currency (orders in another currency "
        "at their rate of the order date).",
    )
    intellipush_revenue_per_credit = fields.Float(
        "Revenue per Credit",
        digits=(16, 2),
        compute="_compute_intellipush_statistics",
        help="Revenue (excl. VAT) for each credit the campaign spent.",
    )
    intellipush_revenue_currency_id = fields.Many2one(
        "res.currency", compute="_compute_intellipush_revenue_currency_id"
    )

    def _compute_intellipush_revenue_currency_id(self):
        self.intellipush_revenue_currency_id = self.env.company.currency_id

    def _intellipush_result_fields(self):
        return {
            **super()._intellipush_result_fields(),
            "intellipush_orders": "orders",
            "intellipush_revenue": "revenue",
            "intellipush_revenue_per_credit": "revenue_per_credit",
        }

    def action_intellipush_attributed_orders(self):
        """The orders attributed to this campaign, with the click each follows."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "intellipush_sms_marketing.action_intellipush_campaign_order"
        )
        action["domain"] = [("mailing_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
