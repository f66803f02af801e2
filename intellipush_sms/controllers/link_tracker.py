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

# Agents that fetch a link without a person opening it, beyond Odoo's
# ``ir.http.bots`` ("bot", "preview", "facebookexternalhit", "whatsapp", ...,
# which already cover Slackbot, TelegramBot, Twitterbot, Discordbot, LinkedInBot,
# Googlebot, bingbot, SkypeUriPreview, BingPreview and iMessage's
# "facebookexternalhit/1.1 Facebot Twitterbot/1.0"). Script libraries such as
# python-requests are left out (curl and wget are in Odoo's list): people test with them.
LINK_PREVIEW_AGENTS = (
    "kakaotalk-scrap",
    "slack-imgproxy",
    "embedly",
    "iframely",
    "vkshare",
    "mastodon",
    "pleroma",
    "misskey",
    "tumblr",
    "headlesschrome",
    "google-inspectiontool",
    "google-safety",
    "ia_archiver",
    "qwantify",
    "existence discovery",  # Microsoft Office checking that a link exists
)


def is_person_visit():
    """Whether a person opens the link. Nobody does in a HEAD request (a
    client checking the link), without a user agent (every browser sends
    one), or with a bot's or link previewer's agent."""
    if request.httprequest.method == "HEAD":
        return False
    agent = request.httprequest.user_agent.string.lower()
    if not agent or request.env["ir.http"].is_a_bot():
        return False
    return not any(name in agent for name in LINK_PREVIEW_AGENTS)


def temporary_redirect(url):
    """A 302 that no browser or proxy keeps: Odoo's 301 is cached, so a
    second visit would never reach us to be counted. 302, not 307: a link
    is followed with GET, and 307 would send a POST on to the target page."""
    response = request.redirect(url, code=302, local=False)
    response.headers["Cache-Control"] = "no-store"
    return response


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
