from datetime import timedelta

from odoo import api, fields, models

# Links whose clicks came in since then are counted again.
CLICK_COUNT_WINDOW = timedelta(days=1)


class LinkTracker(models.Model):
    _inherit = "link.tracker"

    @api.model
    def _cron_intellipush_update_click_counts(self):
        """Cron: the click count of links clicked lately, whose clicks were
        recorded without it (see the campaign link redirect)."""
        self.env["link.tracker.click"].flush_model()
        self.env.cr.execute(
            """
            UPDATE link_tracker tracker
               SET count = clicks.total
              FROM (SELECT link_id, COUNT(*) AS total
                      FROM link_tracker_click
                     WHERE link_id IN (SELECT link_id FROM link_tracker_click WHERE create_date >= %s)
                  GROUP BY link_id) clicks
             WHERE tracker.id = clicks.link_id
               AND tracker.count IS DISTINCT FROM clicks.total
            """,
            [fields.Datetime.now() - CLICK_COUNT_WINDOW],
        )
        self.invalidate_model(["count"])
