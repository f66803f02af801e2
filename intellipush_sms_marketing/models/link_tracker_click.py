from odoo import api, fields, models


class LinkTrackerClick(models.Model):
    _inherit = "link.tracker.click"

    # Visits of bots and link previews are kept archived: every count the ORM
    # makes (the link's clicks, UTM campaigns, the click lists) leaves them
    # out, and they carry no trace nor mailing, so that Odoo's SQL counts
    # (click ratio, our campaign analysis) leave them out too.
    active = fields.Boolean(
        "Visit by a Person",
        default=True,
        help="Unset for visits of bots, link previews and HEAD requests: counted apart, never as clicks.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        clicks = super().create(vals_list)
        if self.env.context.get("intellipush_defer_click_count"):
            # Left to the scheduled action, out of the visitor's transaction.
            self.env.remove_to_compute(self.env["link.tracker"]._fields["count"], clicks.link_id)
        return clicks

    @api.model
    def _intellipush_add_bot_visit(self, link, ip):
        """Record a visit nobody made (a bot, a link preview, a HEAD request)
        on ``link``, apart from its clicks: an insert like a click, no counter
        row that a burst of previews would queue on."""
        return self.create({"link_id": link.id, "ip": ip, "active": False})
