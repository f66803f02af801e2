import io
import re

import openpyxl

from odoo.tests import HttpCase, tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushSandboxMixin

from .common import create_customers, create_sms_mailing

SHORT_LINK = re.compile(r"https?://\S+?(/r/\w+/s/\d+)")


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignClicks(IntellipushSandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_company(cls.env.company)
        cls.env.company.intellipush_optout_footer = False
        cls.customers = create_customers(cls.env, 50, first_number=40011000)
        cls.mailing = create_sms_mailing(
            cls.env, "Julesalg", "Julesalg i dag! Se tilbudene: https://butikk.example/jul", cls.customers
        )

    def test_per_recipient_links_clicks_lists_and_export(self):
        self.mailing.action_send_sms()
        self.env["sms.sms"]._cron_intellipush_dispatch()

        received = self.sandbox.messages()
        self.assertEqual(len(received), 50)
        paths = [SHORT_LINK.search(message["message"]).group(1) for message in received]
        self.assertEqual(len(set(paths)), 50, "each recipient has a link of their own")

        # Ten recipients open their link, three of them twice.
        for path in paths[:10] + paths[:3]:
            response = self.url_open(path, allow_redirects=False)
            self.assertIn(response.status_code, (301, 302))
            self.assertTrue(response.headers["Location"].startswith("https://butikk.example/jul"))

        # The link's click count is left out of the visitors' requests and
        # brought up to date by the scheduled action.
        tracker = self.env["link.tracker"].search([("mass_mailing_id", "=", self.mailing.id)])
        self.assertEqual(tracker.count, 0)
        self.env["link.tracker"]._cron_intellipush_update_click_counts()
        self.assertEqual(tracker.count, 13)

        self.mailing.invalidate_recordset()
        self.assertEqual(self.mailing.sent, 50)
        self.assertEqual(self.mailing.intellipush_unique_visitors, 10)
        self.assertEqual(self.mailing.intellipush_click_rate, 20.0)
        self.assertGreater(self.mailing.intellipush_credits_spent, 0)
        self.assertAlmostEqual(self.mailing.intellipush_co2_grams, 0.7)

        clicked_numbers = {message["phonenumber"] for message in received[:10]}
        clickers = self.env["res.partner"].search([("sms_clicked_mailing_ids", "in", self.mailing.ids)])
        self.assertEqual(len(clickers), 10, "a filter on the contacts who clicked in this campaign")
        self.assertEqual({partner.mobile.replace(" ", "")[3:] for partner in clickers}, clicked_numbers)
        self.assertEqual(clickers[0].sms_clicked_mailing_ids, self.mailing)
        by_name = self.env["res.partner"].search([("sms_clicked_mailing_ids", "ilike", "Julesalg")])
        self.assertEqual(by_name, clickers)
        action = self.mailing.action_intellipush_list_not_clicked()
        reminder_list = self.env["mailing.list"].browse(action["res_id"])
        self.assertEqual(len(reminder_list.contact_ids), 40)
        self.assertFalse(
            {contact.mobile.removeprefix("+47") for contact in reminder_list.contact_ids} & clicked_numbers,
            "nobody who clicked gets the reminder",
        )

        # The analysis behind the graph and pivot views reads the same figures.
        self.env.flush_all()
        report = self.env["intellipush.campaign.report"].search([("mailing_id", "=", self.mailing.id)])
        self.assertEqual(
            (report.recipients, report.sent, report.unique_visitors, report.clicks, report.click_rate),
            (50, 50, 10, 13, 20.0),
        )
        self.assertAlmostEqual(report.credits_spent, self.mailing.intellipush_credits_spent)
        [group] = self.env["intellipush.campaign.report"]._read_group(
            [("mailing_id", "=", self.mailing.id)], ["sent_date:month"], ["sent:sum", "clicks:sum", "click_rate:avg"]
        )
        self.assertEqual(group[1:], (50, 13, 20.0))

        export = self.mailing.action_intellipush_export_xlsx()
        attachment_id = int(re.search(r"/web/content/(\d+)", export["url"]).group(1))
        workbook = openpyxl.load_workbook(io.BytesIO(self.env["ir.attachment"].browse(attachment_id).raw))
        summary = [cell.value for cell in workbook.worksheets[0][2]]
        self.assertEqual(summary[0], "Julesalg")
        self.assertEqual(summary[2:4], [50, 50])
        self.assertEqual(summary[6], 13, "every visit, not Odoo's click ratio")
        self.assertEqual(summary[7:9], [10, 0.2])
        visits = list(workbook.worksheets[1].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(visits), 10)
        self.assertEqual(sorted(row[6] for row in visits), [1] * 7 + [2] * 3)
        self.assertTrue(all(row[3] == "https://butikk.example/jul" for row in visits))
