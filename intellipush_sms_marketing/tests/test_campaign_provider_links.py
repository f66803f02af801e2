import io
import re
from collections import Counter

import openpyxl
import requests

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import create_customers, create_sms_mailing

SANDBOX_LINK = re.compile(r"http://[^/\s]+/s/[\w-]+")
ODOO_LINK = re.compile(r"https?://\S+?/r/\w+/s/\d+")


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignProviderLinks(IntellipushCase):
    """Campaign links shortened by Intellipush (url/generate + url/generateChild),
    visits synced back as clicks of the recipients."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"intellipush_link_backend": "intellipush", "intellipush_optout_footer": False})
        cls.customers = create_customers(cls.env, 20, first_number=40031000)

    def _send_campaign(self, subject="Påskesalg"):
        mailing = create_sms_mailing(
            self.env, subject, "Påskesalg! Se tilbudene: https://butikk.example/paske", self.customers
        )
        mailing.action_send_sms()
        self.env["sms.sms"]._cron_intellipush_dispatch()
        return mailing

    def _visit(self, short_url):
        """Open a short link as a phone would, over HTTP; return where it leads."""
        response = requests.get(short_url, allow_redirects=False, timeout=5)
        self.assertEqual(response.status_code, 302)
        return response.headers["Location"]

    def test_each_recipient_gets_a_child_url_and_visits_become_clicks(self):
        mailing = self._send_campaign()

        received = self.sandbox.messages()
        self.assertEqual(len(received), 20)
        links = [SANDBOX_LINK.search(message["message"]).group(0) for message in received]
        self.assertEqual(len(set(links)), 20, "each recipient has a short link of their own")
        self.assertFalse(any(ODOO_LINK.search(message["message"]) for message in received))
        short_urls = self.env["intellipush.short.url"].search([("mass_mailing_id", "=", mailing.id)])
        parent = short_urls.filtered(lambda short_url: not short_url.parent_id)
        self.assertEqual(len(parent), 1, "one parent URL for the campaign's link")
        self.assertEqual(len(short_urls - parent), 20)
        self.assertTrue(parent.link_tracker_id.url.startswith("https://butikk.example/paske"))
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(sorted(sms.mapped("body")), sorted(message["message"] for message in received))

        # Six recipients open their link, two of them twice; the visit lands
        # on the campaign's page with its UTM parameters.
        for link in links[:6] + links[:2]:
            target = self._visit(link)
            self.assertTrue(target.startswith("https://butikk.example/paske"))
        self.env["intellipush.short.url"]._cron_intellipush_sync_visits()
        mailing.invalidate_recordset()
        self.assertEqual(mailing.intellipush_unique_visitors, 6)
        self.assertEqual(mailing.intellipush_click_rate, 30.0)
        self.assertEqual(parent.link_tracker_id.count, 8)

        # A second sync with nothing new counts nothing twice; a new visit counts once.
        self.env["intellipush.short.url"]._cron_intellipush_sync_visits()
        self._visit(links[6])
        self.env["intellipush.short.url"]._cron_intellipush_sync_visits()
        mailing.invalidate_recordset()
        self.assertEqual(mailing.intellipush_unique_visitors, 7)
        self.assertEqual(parent.link_tracker_id.count, 9)

        clicked_numbers = {message["phonenumber"] for message in received[:7]}
        reminder = self.env["mailing.list"].browse(mailing.action_intellipush_list_not_clicked()["res_id"])
        self.assertEqual(len(reminder.contact_ids), 13)
        self.assertFalse({contact.mobile.removeprefix("+47") for contact in reminder.contact_ids} & clicked_numbers)

        export = mailing.action_intellipush_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(re.search(r"/web/content/(\d+)", export["url"]).group(1)))
        visits = list(
            openpyxl.load_workbook(io.BytesIO(attachment.raw)).worksheets[1].iter_rows(min_row=2, values_only=True)
        )
        self.assertEqual(sorted(row[6] for row in visits), [1] * 5 + [2] * 2)
        self.assertTrue(
            all(row[4] and row[5] >= row[4] for row in visits), "first and last visit as Intellipush saw them"
        )

    def test_a_refused_child_url_keeps_the_tracked_odoo_link(self):
        # Two answers lost: Intellipush made the child URLs, Odoo cannot know them.
        self.sandbox.inject_fault("malformed_envelope", endpoint="url/generateChild", count=2)
        with mute_logger("odoo.addons.intellipush_sms_marketing.models.sms_sms"):
            mailing = self._send_campaign("Sommersalg")

        received = self.sandbox.messages()
        self.assertEqual(len(received), 20)
        self.assertEqual(Counter(message["phonenumber"] for message in received).most_common(1)[0][1], 1)
        odoo_links = [message["message"] for message in received if ODOO_LINK.search(message["message"])]
        self.assertEqual(len(odoo_links), 2, "the two refused links stay Odoo's, still tracked")
        self.assertEqual(len([message for message in received if SANDBOX_LINK.search(message["message"])]), 18)
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(set(sms.mapped("credit_state")), {"debited"})

        code = re.search(r"/r/(\w+)/s/", odoo_links[0]).group(1)
        self.assertEqual(
            self.env["link.tracker.code"].search([("code", "=", code)]).link_id.mass_mailing_id,
            mailing,
            "the kept link is the campaign's tracked link",
        )

    def test_odoo_links_stay_with_the_default_backend(self):
        self.company.intellipush_link_backend = "odoo"
        self._send_campaign("Høstsalg")
        received = self.sandbox.messages()
        self.assertEqual(len(received), 20)
        self.assertTrue(all(ODOO_LINK.search(message["message"]) for message in received))
        self.assertFalse(self.env["intellipush.short.url"].search([]))
