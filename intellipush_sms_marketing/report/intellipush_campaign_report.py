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

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
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
                       traces.sent * %(co2_email)s AS co2_email_grams
                  FROM mailing_mailing mailing
                  JOIN traces ON traces.mailing_id = mailing.id
             LEFT JOIN clicks ON clicks.mailing_id = mailing.id
             LEFT JOIN credits ON credits.mailing_id = mailing.id
                 WHERE mailing.mailing_type = 'sms'
            )
            """,
                view=SQL.identifier(self._table),
                co2_sms=CO2_GRAMS_PER_SMS,
                co2_email=CO2_GRAMS_PER_EMAIL,
            )
        )
