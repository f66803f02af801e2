from odoo import models


class PortalMixin(models.AbstractModel):
    _inherit = "portal.mixin"

    def sms_portal_link(self):
        """A short tracked link to the customer's portal page of this document.

        Meant for SMS templates (``{{ object.sms_portal_link() }}``): the full
        portal URL with its access token costs a segment on its own, the
        short link about 30 characters. Links prepared in a batch by
        :meth:`_sms_prepare_portal_links` are taken from the context.
        """
        self.ensure_one()
        prepared = self.env.context.get("sms_portal_links") or {}
        key = f"{self._name},{self.id}"
        if key in prepared:
            return prepared[key]
        return self._sms_prepare_portal_links()[key]

    def _sms_prepare_portal_links(self):
        """``{"model,id": short URL}`` for these documents, with one
        link-tracker lookup for all of them (templates rendered for a batch
        would otherwise look them up one by one)."""
        # A title spares link_tracker from fetching the page to find one. The
        # portal URL carries the document's access token: an unguessable code.
        trackers = self.env["link.tracker"]._intellipush_secret_links(
            [{"url": record.get_base_url() + record.get_portal_url(), "title": record.display_name} for record in self]
        )
        return {
            f"{record._name},{record.id}": tracker.short_url for record, tracker in zip(self, trackers, strict=True)
        }
