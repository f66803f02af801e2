from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.intellipush_sms.controllers.link_tracker import (
    _MISSES,
    IntellipushLinkTracker,
    is_person_visit,
    temporary_redirect,
    too_many_misses,
)
from odoo.addons.intellipush_sms.tools.storable_text import is_storable
from odoo.addons.mass_mailing_sms.controllers.main import MailingSMSController


def _campaign_link(code):
    """The link tracker of ``code`` (sudo), empty when no link has it."""
    return request.env["link.tracker.code"].sudo().search([("code", "=", code)], limit=1).link_id


def _intellipush_campaign(link, trace):
    """Whether the SMS that carried ``link`` went through Intellipush; any
    other company keeps Odoo's exact behaviour."""
    company = link._intellipush_sending_company(trace) if link else None
    return bool(company) and company._intellipush_active()


def _record_visit(link, code, trace_id=False, recipient_required=False):
    """A person's visit is a click (on their trace, if any); a bot's or a
    link preview's is counted apart. With ``recipient_required`` (a campaign
    link whose SMS id is no recipient of its mailing: mangled or forged), a
    person's visit is no click for the campaign."""
    ip = request.httprequest.remote_addr
    clicks = request.env["link.tracker.click"].sudo()
    if not is_person_visit():
        clicks._intellipush_add_bot_visit(link, ip)
    elif trace_id or not recipient_required:
        clicks.add_click(code, ip=ip, country_code=request.geoip.country_code, mailing_trace_id=trace_id)


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
        link = _campaign_link(code)
        # Only a recipient of this link's own mailing: Odoo takes the trace
        # of any mailing that has an SMS of that id.
        trace = request.env["mailing.trace"].sudo()
        if link.mass_mailing_id and sms_id_int:
            trace = trace.search(
                [
                    ("sms_id_int", "=", sms_id_int),
                    ("mass_mailing_id", "=", link.mass_mailing_id.id),
                    ("trace_type", "=", "sms"),
                ],
                limit=1,
            )
        if _intellipush_campaign(link, trace):
            _record_visit(link, code, trace.id, recipient_required=True)
            return temporary_redirect(link.redirected_url)
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


class IntellipushCampaignLinkTracker(IntellipushLinkTracker):
    @http.route()
    def full_url_redirect(self, code, **post):
        """The plain link (``/r/<code>``) of an Intellipush campaign: as its
        recipients' links, not cached and without bots; a click with no
        recipient, as Odoo counts it."""
        client = request.httprequest.remote_addr or "?"
        if not too_many_misses(client) and is_storable(code):
            link = _campaign_link(code)
            if link and _intellipush_campaign(link, request.env["mailing.trace"]):
                _record_visit(link, code)
                return temporary_redirect(link.redirected_url)
        return super().full_url_redirect(code, **post)
