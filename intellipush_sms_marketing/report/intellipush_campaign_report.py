from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.mailing_mailing import CO2_GRAMS_PER_EMAIL, CO2_GRAMS_PER_SMS


class IntellipushCampaignReport(models.Model):
    """One row per SMS campaign that went out (has traces), with the
    figures of its results: the one definition of those figures, read by the
    mailing's own fields and export, and grouped in graphs and pivot tables."""

    _name = "intellipush.campaign.report"
    _description = "SMS Campaign Analysis"
    _auto = False
    _order = "sent_date DESC, id DESC"
    _rec_name = "mailing_id"

    mailing_id = fields.Many2one("mailing.mailing", "Campaign", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", "Marketing Campaign", readonly=True)
    user_id = fields.Many2one("res.users", "Responsible", readonly=True)
    sent_date = fields.Datetime("Sent On", readonly=True)
    recipients = fields.Integer(readonly=True)
    sent = fields.Integer(readonly=True)
    delivered = fields.Integer(readonly=True)
    failed = fields.Integer(readonly=True)
    opt_outs = fields.Integer("Skipped: Opted Out", readonly=True)
    clicks = fields.Integer(readonly=True)
    unique_visitors = fields.Integer(readonly=True)
    click_rate = fields.Float("Click Rate (%)", digits=(16, 1), aggregator="avg", readonly=True)
    credits_spent = fields.Float(digits=(16, 2), readonly=True)
    co2_grams = fields.Float("CO₂ (g)", digits=(16, 3), readonly=True)
    co2_email_grams = fields.Float("CO₂ by E-mail (g)", digits=(16, 1), readonly=True)
    orders = fields.Integer("Orders", readonly=True, help="Orders attributed to the campaign: see Revenue (excl. VAT).")
    revenue = fields.Float(
        "Revenue (excl. VAT)",
        digits=(16, 2),
        readonly=True,
        help="Untaxed total, in the company's currency, of the confirmed sales orders and paid POS orders of "
        "customers who clicked the campaign's link, placed within the attribution window after their click "
        "(Settings / SMS / Campaigns). An order preceded by clicks on several campaigns counts for the "
        "campaign clicked last.",
    )
    revenue_per_credit = fields.Float(
        "Revenue per Credit",
        digits=(16, 2),
        aggregator="avg",
        readonly=True,
        help="Revenue (excl. VAT) for each credit the campaign spent.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # The attributed orders, read below, are rebuilt first: their columns
        # may have changed, and nothing else depends on them.
        order_model = self.env["intellipush.campaign.order"]
        tools.drop_view_if_exists(self.env.cr, order_model._table)
        order_model.init()
        # Each figure is grouped on its own table first: joining traces,
        # clicks and SMS directly would multiply the rows.
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %(view)s AS (
                WITH traces AS (
                    SELECT mass_mailing_id AS mailing_id,
                           COUNT(*) AS recipients,
                           COUNT(sent_datetime) AS sent,
                           COUNT(*) FILTER (WHERE trace_status IN ('sent', 'open', 'reply')) AS delivered,
                           COUNT(*) FILTER (WHERE trace_status IN ('error', 'bounce')) AS failed,
                           COUNT(*) FILTER (WHERE failure_type IN ('sms_optout', 'sms_blacklist')) AS opt_outs,
                           COUNT(links_click_datetime) AS unique_visitors
                      FROM mailing_trace
                     WHERE trace_type = 'sms'
                  GROUP BY mass_mailing_id
                ), clicks AS (
                    SELECT mass_mailing_id AS mailing_id, COUNT(*) AS clicks
                      FROM link_tracker_click
                     WHERE mass_mailing_id IS NOT NULL
                  GROUP BY mass_mailing_id
                ), credits AS (
                    SELECT mailing_id, SUM(credit_cost) AS credits_spent
                      FROM sms_sms
                     WHERE mailing_id IS NOT NULL AND credit_state = 'debited'
                  GROUP BY mailing_id
                ), revenue AS (
                    SELECT mailing_id, COUNT(*) AS orders, SUM(revenue) AS revenue
                      FROM %(orders)s
                  GROUP BY mailing_id
                )
                SELECT mailing.id AS id,
                       mailing.id AS mailing_id,
                       mailing.campaign_id,
                       mailing.user_id,
                       mailing.sent_date,
                       traces.recipients,
                       traces.sent,
                       traces.delivered,
                       traces.failed,
                       traces.opt_outs,
                       COALESCE(clicks.clicks, 0) AS clicks,
                       traces.unique_visitors,
                       COALESCE(100.0 * traces.unique_visitors / NULLIF(traces.sent, 0), 0) AS click_rate,
                       COALESCE(credits.credits_spent, 0) AS credits_spent,
                       traces.sent * %(co2_sms)s AS co2_grams,
                       traces.sent * %(co2_email)s AS co2_email_grams,
                       COALESCE(revenue.orders, 0) AS orders,
                       COALESCE(revenue.revenue, 0) AS revenue,
                       COALESCE(revenue.revenue / NULLIF(credits.credits_spent, 0), 0) AS revenue_per_credit
                  FROM mailing_mailing mailing
                  JOIN traces ON traces.mailing_id = mailing.id
             LEFT JOIN clicks ON clicks.mailing_id = mailing.id
             LEFT JOIN credits ON credits.mailing_id = mailing.id
             LEFT JOIN revenue ON revenue.mailing_id = mailing.id
                 WHERE mailing.mailing_type = 'sms'
            )
            """,
                view=SQL.identifier(self._table),
                orders=SQL.identifier(order_model._table),
                co2_sms=CO2_GRAMS_PER_SMS,
                co2_email=CO2_GRAMS_PER_EMAIL,
            )
        )
