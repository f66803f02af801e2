from odoo import api, models


class LinkTrackerClick(models.Model):
    _inherit = "link.tracker.click"

    @api.model_create_multi
    def create(self, vals_list):
        clicks = super().create(vals_list)
        if self.env.context.get("intellipush_defer_click_count"):
            # Left to the scheduled action, out of the visitor's transaction.
            self.env.remove_to_compute(self.env["link.tracker"]._fields["count"], clicks.link_id)
        return clicks
