"""18.0.1.1.0: Odoo IAP stays the provider until Intellipush is set up.

Earlier versions switched every company to Intellipush on install. Those
without credentials could send nothing: they go back to Odoo IAP. Those with
credentials have been sending through Intellipush and count as checked.
Short links to documents with an access token get unguessable codes.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"]._intellipush_fall_back_unconfigured()
    configured = env["res.company"].with_context(active_test=False).search([("sms_provider", "=", "intellipush")])
    configured.write({"intellipush_check_passed": True})
    env["link.tracker"]._intellipush_strengthen_token_links()
