from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.intellipush_sms.controllers.link_tracker import _MISSES, too_many_misses
from odoo.addons.intellipush_sms.tools.storable_text import is_storable
from odoo.addons.mass_mailing_sms.controllers.main import MailingSMSController


class IntellipushMailingSMSController(MailingSMSController):
    @http.route()
    def sms_short_link_redirect(self, code, sms_id_int, **post):
        # The same limit on codes that lead nowhere as the plain short link
        # (/r/<code>): without it, this route would walk the code space freely.
        client = request.httprequest.remote_addr or "?"
        if refusal := too_many_misses(client):
            return refusal
        if not is_storable(code):
            # No code holds a NUL byte; looking one up would fail in PostgreSQL.
            _MISSES.hit(client)
            raise NotFound()
        # A campaign's recipients open their links at about the same time.
        # Odoo's click updates the link's click count in the visitor's
        # request, so they would all queue (and retry) on that one row; the
        # count is brought up to date by a scheduled action instead.
        request.update_context(intellipush_defer_click_count=True)
        try:
            return super().sms_short_link_redirect(code, sms_id_int, **post)
        except NotFound:
            _MISSES.hit(client)  # only a miss costs a token
            raise

    @http.route("/r/<string:code>/s/<path:_subpath>", type="http", auth="none", csrf=False, save_session=False)
    def intellipush_sms_short_link_unknown(self, code, **_kwargs):
        """A campaign link whose SMS id is no number (a NUL byte, a deeper
        path): 404 at once. Odoo's own 404 would first look the path up among
        attachments, which fails (500) on a NUL byte."""
        return request.make_response("Unknown link.", headers=[("Content-Type", "text/plain")], status=404)
