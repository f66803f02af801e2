"""Who opened a campaign link: a person's visit is a click on their trace,
answered by a redirect no browser keeps; bots, link previews and HEAD requests
are counted apart; an SMS id that is no recipient is no click."""

from odoo.tests import HttpCase, tagged

from .common import BROWSER, WHATSAPP_PREVIEW, CampaignLinkMixin
from .common import CAMPAIGN_TARGET as TARGET

IMESSAGE_PREVIEW = "Mozilla/5.0 (Macintosh) facebookexternalhit/1.1 Facebot Twitterbot/1.0"


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignLinkVisits(CampaignLinkMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.link = self.env["link.tracker"].search([("mass_mailing_id", "=", self.mailing.id)])
        self.assertEqual(len(self.link), 1)

    def _visit(self, path, agent=BROWSER, head=False):
        response = self.url_open(path, headers={"User-Agent": agent}, allow_redirects=False, head=head)
        self.env.invalidate_all()
        return response

    def _clicks(self):
        return self.env["link.tracker.click"].search([("link_id", "=", self.link.id)])

    def test_a_person_is_one_click_on_their_trace_and_never_cached(self):
        response = self._visit(f"/r/{self.code}/s/{self.sms_id}")
        self.assertEqual(response.status_code, 302, "temporary: the next visit comes back to be counted")
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(response.headers["Location"].split("?")[0], TARGET)
        click = self._clicks()
        self.assertEqual(len(click), 1)
        self.assertEqual((click.mailing_trace_id, click.mass_mailing_id), (self.trace, self.mailing))
        self.assertTrue(self.trace.links_click_datetime)

        self._visit(f"/r/{self.code}/s/{self.sms_id}")
        self.env["link.tracker"]._cron_intellipush_update_click_counts()
        self.assertEqual(self.link.count, 2, "the second visit reached us too")
        self.assertEqual(self.mailing._intellipush_results()[self.mailing].clicks, 2)

    def test_bots_previews_and_head_requests_are_counted_apart(self):
        path = f"/r/{self.code}/s/{self.sms_id}"
        for agent in (WHATSAPP_PREVIEW, IMESSAGE_PREVIEW, "Mozilla/5.0 (compatible; Embedly/0.2)", ""):
            with self.subTest(agent=agent):
                response = self._visit(path, agent)
                self.assertEqual(response.status_code, 302, "a preview still finds the page")
        self.assertEqual(self._visit(path, head=True).status_code, 302)
        self.assertEqual(self._visit(f"/r/{self.code}", WHATSAPP_PREVIEW).status_code, 302, "the plain link too")

        self.assertFalse(self._clicks(), "no click")
        self.assertFalse(self.trace.links_click_datetime, "the recipient has not clicked")
        self.assertEqual(self.link.intellipush_bot_visits, 6)
        self.assertEqual(self.mailing.intellipush_bot_visits, 6, "shown apart in the campaign's results")
        by_mailing = self.env["link.tracker"]._intellipush_bot_visits_by_mailing(self.mailing)
        self.assertEqual(by_mailing, {self.mailing.id: 6})
        self.env["link.tracker"]._cron_intellipush_update_click_counts()
        self.link.invalidate_recordset()
        self.assertEqual(self.link.count, 0)
        self.mailing.invalidate_recordset()
        self.assertEqual((self.mailing.clicks_ratio, self.mailing.intellipush_unique_visitors), (0, 0))
        self.assertEqual(self.mailing._intellipush_results()[self.mailing].clicks, 0)

    def test_an_sms_id_that_is_no_recipient_redirects_without_a_click(self):
        other_sms_id = self.env["sms.sms"].create({"number": "+4740019999", "body": "Hei"}).id
        for sms_id in (0, other_sms_id, self.sms_id + 10**6, 10**30):
            with self.subTest(sms_id=sms_id):
                response = self._visit(f"/r/{self.code}/s/{sms_id}")
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response.headers["Location"].split("?")[0], TARGET, "a mangled link still leads on")
        self.assertFalse(self._clicks().with_context(active_test=False))
        self.assertFalse(any(self.mailing.mailing_trace_ids.mapped("links_click_datetime")))

    def test_the_plain_link_of_the_campaign(self):
        response = self._visit(f"/r/{self.code}")
        self.assertEqual((response.status_code, response.headers["Cache-Control"]), (302, "no-store"))
        self.assertEqual(len(self._clicks()), 1, "a click with no recipient, as Odoo counts it")
        self.assertFalse(self._clicks().mailing_trace_id)

    def test_a_company_on_odoo_iap_keeps_odoos_redirect(self):
        self.env.company.sms_provider = "iap"
        response = self._visit(f"/r/{self.code}/s/{self.sms_id}")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(self._clicks().mailing_trace_id, self.trace)
        self.assertEqual(self._visit(f"/r/{self.code}").status_code, 301)
        self._visit(f"/r/{self.code}/s/{self.sms_id}", head=True)
        self.assertEqual(len(self._clicks()), 3, "Odoo counts a HEAD request")
