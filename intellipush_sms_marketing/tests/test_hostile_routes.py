"""Hostile input at the campaign links (``/r/<code>/s/<sms id>``): a 4xx,
never a 500 nor a traceback, and no click or trace written for it."""

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.intellipush_sms.controllers.link_tracker import _MISSES
from odoo.addons.intellipush_sms.tests.test_hostile_routes import HostileRequestMixin

from .common import CAMPAIGN_TARGET as TARGET
from .common import CampaignLinkMixin


@tagged("post_install", "-at_install", "intellipush", "intellipush_hostile")
class TestHostileCampaignLinks(HostileRequestMixin, CampaignLinkMixin, HttpCase):
    FOOTPRINT = (
        "SELECT COUNT(*) FROM link_tracker_click",
        "SELECT COUNT(*) FROM mailing_trace",
        "SELECT COUNT(*) FROM mailing_trace WHERE links_click_datetime IS NOT NULL OR open_datetime IS NOT NULL",
        "SELECT COUNT(*) FROM link_tracker_code",
        "SELECT COUNT(*) FROM sms_sms",
        "SELECT COUNT(*) FROM phone_blacklist",
    )

    def _before_campaign_sent(self):
        self.enterContext(mute_logger("odoo.http"))

    def _before_hostile_request(self):
        _MISSES.clear()  # each request meets the route, not the limit on misses

    def _get(self, path):
        return lambda: self.url_open(path, allow_redirects=False)

    def _post(self, body, content_type):
        return lambda: self.opener.post(
            f"{self.base_url()}/r/{self.code}/s/{self.sms_id}",
            data=body,
            headers={"Content-Type": content_type},
            allow_redirects=False,
            timeout=30,
        )

    def _open(self, path):
        """A visit that is no hostile request: (status, the page it leads to
        without its campaign parameters, clicks written)."""
        clicks = self.env["link.tracker.click"].search_count([])
        response = self.url_open(path, allow_redirects=False)
        self.env.invalidate_all()
        page = response.headers.get("Location", "").split("?")[0]
        return response.status_code, page, self.env["link.tracker.click"].search_count([]) - clicks

    def test_links_that_lead_nowhere(self):
        code, sms_id = self.code, self.sms_id
        self.assertRefusedWithoutWrites(
            {
                "unknown code, real SMS id": self._get(f"/r/zzzzzzzzzzzz/s/{sms_id}"),
                "huge code": self._get(f"/r/{'z' * 20000}/s/{sms_id}"),
                "NUL as the code": self._get(f"/r/%00/s/{sms_id}"),
                "NUL after the code": self._get(f"/r/{code}%00/s/{sms_id}"),
                "raw NUL in the code": lambda: self._raw_request(b"GET", f"/r/{code}\x00/s/{sms_id}".encode()),
                "invalid UTF-8 code": self._get(f"/r/%FF%FE/s/{sms_id}"),
                "raw invalid UTF-8 code": lambda: self._raw_request(
                    b"GET", f"/r/\xff{code}/s/{sms_id}".encode("latin-1")
                ),
                "NUL in the SMS id": self._get(f"/r/{code}/s/{sms_id}%00"),
                "SMS id that is no number": self._get(f"/r/{code}/s/kari"),
                "deeper path": self._get(f"/r/{code}/s/{sms_id}/%00"),
                "NUL in the query of an unknown code": self._get(f"/r/zzzzzzzzzzzz/s/{sms_id}?utm_source=%00"),
                "POST with a huge body": self._post(b"x=" + b"y" * 2_000_000, "application/x-www-form-urlencoded"),
                "POST with nested JSON": self._post(b"[" * 5000 + b"]" * 5000, "application/json"),
                "POST, invalid UTF-8": self._post(b"a=\xff\xfe&b=%00", "application/x-www-form-urlencoded"),
            }
        )
        status, location, clicks = self._open(f"/r/{code}/s/{sms_id}")
        self.assertEqual((status, location, clicks), (302, TARGET, 1), "the recipient's own link still works")
        self.assertTrue(self.trace.links_click_datetime, "and counts on their trace")

    def test_an_sms_id_that_is_no_recipient_leads_to_the_page_and_counts_nothing(self):
        """A mangled or forged id still leads to the campaign page (a person
        may have cut the link short), but counts no click for the campaign
        and marks no recipient's trace."""
        traces = self.mailing.mailing_trace_ids
        # Odoo's int converter takes a sign: -<id> names no recipient either.
        for sms_id in (0, -self.sms_id, self.sms_id + 10**6, 2**31, 2**63, 10**30):
            with self.subTest(sms_id=sms_id):
                self.assertEqual(self._open(f"/r/{self.code}/s/{sms_id}"), (302, TARGET, 0))
        self.assertFalse(any(traces.mapped("links_click_datetime")))
        self.assertFalse(self.env["link.tracker.click"].search([("mailing_trace_id", "!=", False)]))

    def test_walking_the_code_space_through_campaign_links_is_stopped(self):
        statuses = [self.url_open(f"/r/zz{index}/s/{self.sms_id}").status_code for index in range(25)]
        self.assertEqual(statuses[:20], [404] * 20)
        self.assertEqual(set(statuses[20:]), {429}, "misses past the burst are refused")
        self.assertEqual(self.url_open(f"/r/{self.code}", allow_redirects=False).status_code, 429, "on both routes")
        _MISSES.clear()
        self.assertEqual(self._open(f"/r/{self.code}/s/{self.sms_id}")[:2], (302, TARGET))
