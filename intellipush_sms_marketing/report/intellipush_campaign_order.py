from odoo import api, fields, models
from odoo.tools import SQL


class IntellipushCampaignOrder(models.Model):
    """The orders attributed to SMS campaigns, one row each: an order of a
    customer within the company's attribution window after a person's click
    on a campaign link, given to the campaign clicked last (last touch). The
    campaign analysis, the campaign results and the Excel export sum it.

    Each kind of order is a source (``_intellipush_order_sources``): sales
    orders here, POS orders in ``intellipush_sms_marketing_pos``."""

    _name = "intellipush.campaign.order"
    _description = "Order Attributed to an SMS Campaign"
    _auto = False
    _order = "date_order DESC, id DESC"
    _rec_name = "order_ref"

    mailing_id = fields.Many2one("mailing.mailing", "Campaign", readonly=True)
    order_ref = fields.Reference(selection=[("sale.order", "Sales Order")], string="Order", readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Currency", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    clicked_at = fields.Datetime("Clicked On", readonly=True)
    date_order = fields.Datetime("Order Date", readonly=True)
    revenue = fields.Monetary("Revenue (excl. VAT)", currency_field="currency_id", readonly=True)

    @api.model
    def _intellipush_order_sources(self):
        """One ``SQL`` per kind of order that counts as revenue, each selecting
        ``id`` (unique among all sources: a source other than sales orders
        uses negative ids, as Odoo's ``pos_sale`` does in the sales
        analysis), ``order_ref`` (``'model,id'``), ``company_id``,
        ``partner_id``, ``commercial_partner_id``, ``date_order`` (UTC) and
        ``revenue``: untaxed, in the company's currency at the order's rate."""
        return [
            SQL(
                """
                SELECT sale.id AS id,
                       'sale.order,' || sale.id AS order_ref,
                       sale.company_id,
                       sale.partner_id,
                       partner.commercial_partner_id,
                       sale.date_order,
                       sale.amount_untaxed / COALESCE(NULLIF(sale.currency_rate, 0), 1) AS revenue
                  FROM sale_order sale
                  JOIN res_partner partner ON partner.id = sale.partner_id
                 WHERE sale.state = 'sale'
                """
            )
        ]

    def init(self):
        # Replaced, not dropped: the campaign analysis reads this view, and a
        # bridge adding a source rebuilds it with the same columns.
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %(view)s AS (
                WITH touches AS (
                    -- People's clicks on a recipient's link (a bot's visit is
                    -- archived and has no trace), at the second like orders.
                    SELECT click.mass_mailing_id AS mailing_id,
                           partner.commercial_partner_id,
                           sms.company_id,
                           date_trunc('second', click.create_date) AS clicked_at
                      FROM link_tracker_click click
                      JOIN mailing_trace trace ON trace.id = click.mailing_trace_id
                 LEFT JOIN sms_sms sms ON sms.id = trace.sms_id_int
                      JOIN res_partner partner
                        ON partner.id = CASE WHEN trace.model = 'res.partner' THEN trace.res_id ELSE sms.partner_id END
                     WHERE click.active IS NOT FALSE AND click.mass_mailing_id IS NOT NULL
                ), orders AS (
                    %(sources)s
                ), attributed AS (
                    -- The last click before each order within the window of
                    -- the order's company: one row per order.
                    SELECT DISTINCT ON (orders.id)
                           orders.id, touches.mailing_id, orders.order_ref, orders.company_id,
                           company.currency_id, orders.partner_id, touches.clicked_at, orders.date_order,
                           orders.revenue
                      FROM orders
                      JOIN res_company company ON company.id = orders.company_id
                      JOIN touches
                        ON touches.commercial_partner_id = orders.commercial_partner_id
                       AND (touches.company_id IS NULL OR touches.company_id = orders.company_id)
                       AND orders.date_order >= touches.clicked_at
                       AND orders.date_order
                           <= touches.clicked_at + make_interval(days => company.intellipush_attribution_days)
                  ORDER BY orders.id, touches.clicked_at DESC, touches.mailing_id DESC
                )
                SELECT id::integer AS id,
                       mailing_id::integer AS mailing_id,
                       order_ref::varchar AS order_ref,
                       company_id::integer AS company_id,
                       currency_id::integer AS currency_id,
                       partner_id::integer AS partner_id,
                       clicked_at::timestamp AS clicked_at,
                       date_order::timestamp AS date_order,
                       revenue::numeric AS revenue
                  FROM attributed
            )
            """,
                view=SQL.identifier(self._table),
                sources=SQL(" UNION ALL ").join(self._intellipush_order_sources()),
            )
        )

    def action_intellipush_open_order(self):
        """The attributed order itself, in its own form."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.order_ref._name,
            "res_id": self.order_ref.id,
            "view_mode": "form",
        }
