import math

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.link_tracker.controller.main import LinkTracker

from ..tools.rate_limit import RateLimiter
from ..tools.storable_text import is_storable

# Codes a client may try that lead nowhere: a burst of 20, then one every 6 s.
# A person mistyping never meets it; a script walking the code space does.
_MISSES = RateLimiter(capacity=20, interval=6)


def too_many_misses(client):
    """A 429 answer once ``client`` has used up its allowance of codes that lead nowhere, else None."""
    throttled = _MISSES.check(client)
    if not throttled.wait:
        return None
    return request.make_response(
        "Too many unknown links; try again later.",
        headers=[("Retry-After", str(math.ceil(throttled.wait))), ("Content-Type", "text/plain")],
        status=429,
    )


class IntellipushLinkTracker(LinkTracker):
    @http.route()
    def full_url_redirect(self, code, **post):
        client = request.httprequest.remote_addr or "?"
        if refusal := too_many_misses(client):
            return refusal
        if not is_storable(code):
            # No code holds a NUL byte. Answered here: looking it up, or Odoo's
            # 404 page looking the path up among attachments, fails in PostgreSQL.
            _MISSES.hit(client)
            return request.make_response("Unknown link.", headers=[("Content-Type", "text/plain")], status=404)
        try:
            return super().full_url_redirect(code, **post)
        except NotFound:
            _MISSES.hit(client)  # only a miss costs a token
            raise
