from odoo import http
from odoo.http import request

from odoo.addons.mass_mailing_sms.controllers.main import MailingSMSController


class IntellipushMailingSMSController(MailingSMSController):
    @http.route()
    def sms_short_link_redirect(self, code, sms_id_int, **post):
        # A campaign's recipients open their links at about the same time.
        # Odoo's click updates the link's click count in the visitor's
        # request, so they would all queue (and retry) on that one row; the
        # count is brought up to date by a scheduled action instead.
        request.update_context(intellipush_defer_click_count=True)
        return super().sms_short_link_redirect(code, sms_id_int, **post)
