import math

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.link_tracker.controller.main import LinkTracker

from ..tools.rate_limit import RateLimiter

# Codes a client may try that lead nowhere: a burst of 20, then one every 6 s.
# A person mistyping never meets it; a script walking the code space does.
_MISSES = RateLimiter(capacity=20, interval=6)


class IntellipushLinkTracker(LinkTracker):
    @http.route()
    def full_url_redirect(self, code, **post):
        client = request.httprequest.remote_addr or "?"
        throttled = _MISSES.check(client)
        if throttled.wait:
            return request.make_response(
                "Too many unknown links; try again later.",
                headers=[("Retry-After", str(math.ceil(throttled.wait))), ("Content-Type", "text/plain")],
                status=429,
            )
        try:
            return super().full_url_redirect(code, **post)
        except NotFound:
            _MISSES.hit(client)  # only a miss costs a token
            raise
