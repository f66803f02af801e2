from datetime import timedelta

from odoo import api, fields, models

# Links whose clicks came in since then are counted again.
CLICK_COUNT_WINDOW = timedelta(days=1)


class LinkTracker(models.Model):
    _inherit = "link.tracker"

    intellipush_bot_visits = fields.Integer(
        "Bot Visits",
        compute="_compute_intellipush_bot_visits",
        help="Visits of bots, link previews and HEAD requests, which are not clicks.",
    )

    def _compute_intellipush_bot_visits(self):
        counts = dict(
            self.env["link.tracker.click"]
            .with_context(active_test=False)
            ._read_group([("link_id", "in", self.ids), ("active", "=", False)], ["link_id"], ["__count"])
        )
        for tracker in self:
            tracker.intellipush_bot_visits = counts.get(tracker, 0)

    @api.model
    def _intellipush_bot_visits_by_mailing(self, mailings):
        """``{mailing id: visits of bots and link previews}`` on the links of ``mailings``."""
        links = self.sudo().search([("mass_mailing_id", "in", mailings.ids)])
        visits = {mailing_id: 0 for mailing_id in links.mass_mailing_id.ids}
        for link in links:
            visits[link.mass_mailing_id.id] += link.intellipush_bot_visits
        return visits

    def _intellipush_sending_company(self, trace):
        """The company whose SMS carried this link, or None: the SMS of
        ``trace`` (a recipient of this link's mailing), else any SMS of the
        mailing (a forged id, a deleted SMS), else the mailing's responsible's
        company. Odoo 18's mailings have no company of their own."""
        self.ensure_one()
        mailing = self.mass_mailing_id
        if not mailing:
            return None
        cr = self.env.cr
        company_id = None
        if trace.sms_id_int:
            cr.execute("SELECT company_id FROM sms_sms WHERE id = %s", [trace.sms_id_int])
            company_id = (cr.fetchone() or [None])[0]
        if not company_id:
            cr.execute(
                """
                SELECT sms.company_id
                  FROM mailing_trace trace
                  JOIN sms_sms sms ON sms.id = trace.sms_id_int
                 WHERE trace.mass_mailing_id = %s AND sms.company_id IS NOT NULL
                 LIMIT 1
                """,
                [mailing.id],
            )
            company_id = (cr.fetchone() or [None])[0]
        company = self.env["res.company"].sudo().browse(company_id) if company_id else mailing.user_id.company_id
        return company or None

    @api.model
    def _cron_intellipush_update_click_counts(self):
        """Cron: the click count of links clicked lately, whose clicks were
        recorded without it (see the campaign link redirect). Visits of bots
        and link previews are no clicks."""
        self.env["link.tracker.click"].flush_model()
        self.env.cr.execute(
            """
            UPDATE link_tracker tracker
               SET count = clicks.total
              FROM (SELECT link_id, COUNT(*) FILTER (WHERE active IS NOT FALSE) AS total
                      FROM link_tracker_click
                     WHERE link_id IN (SELECT link_id FROM link_tracker_click WHERE create_date >= %s)
                  GROUP BY link_id) clicks
             WHERE tracker.id = clicks.link_id
               AND tracker.count IS DISTINCT FROM clicks.total
            """,
            [fields.Datetime.now() - CLICK_COUNT_WINDOW],
        )
        self.invalidate_model(["count"])
