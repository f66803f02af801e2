from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import create_customers, create_sms_mailing


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignCost(IntellipushCase):
    """What a campaign will cost, shown before it goes, and the wallet check when it is queued."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.intellipush_optout_footer = "Svar STOPP til 2160"
        cls.consenting = create_customers(cls.env, 20, first_number=41000000)
        cls.without_consent = create_customers(cls.env, 5, first_number=41100000, consent="none")

    def test_estimate_counts_consenting_recipients_links_and_footer(self):
        # About 140 GSM-7 characters with the opt-out instruction: one
        # segment; the link, counted as long as a tracked one, makes two.
        mailing = create_sms_mailing(
            self.env, "Vårsalg", "Hei {{ object.name }}! " + "x" * 100, self.consenting | self.without_consent
        )
        summary = mailing.intellipush_cost_summary
        self.assertIn("20 SMS", summary)
        self.assertIn("1 segment", summary)
        self.assertIn("5 skipped", summary)

        mailing.body_plaintext += " https://butikk.example/var"
        self.assertIn("2 segment", mailing.intellipush_cost_summary, "the link and the opt-out text count")

        mailing.mailing_domain = repr([("id", "in", self.without_consent.ids)])
        self.assertEqual(
            mailing.intellipush_cost_summary, "No SMS to send; 5 skipped: No marketing consent", "nobody goes, and why"
        )

    def test_estimate_uses_the_length_of_intellipush_links(self):
        mailing = create_sms_mailing(self.env, "Vårsalg", "Tilbud: https://butikk.example/a", self.consenting)
        odoo_link = mailing.get_sms_link_replacements_placeholders()["link"]
        self.assertIn("/r/", odoo_link)

        self.company.intellipush_link_backend = "intellipush"
        self.assertEqual(
            len(mailing.get_sms_link_replacements_placeholders()["link"]),
            len("https://") + 22,
            "a default length until Intellipush made a link",
        )
        tracker = self.env["link.tracker"].create({"url": "https://butikk.example/a", "title": "A"})
        parent = self.env["intellipush.short.url"].create(
            {
                "company_id": self.company.id,
                "link_tracker_id": tracker.id,
                "provider_id": "url-1",
                "short_url": "https://ip.sh/Ab3",
            }
        )
        parent.copy({"parent_id": parent.id, "provider_id": "url-2", "short_url": "https://ip.sh/Ab3x9Q"})
        self.assertEqual(mailing.get_sms_link_replacements_placeholders()["link"], "x" * len("https://ip.sh/Ab3x9Q"))

    def test_queueing_a_campaign_the_wallet_cannot_pay_for_is_refused(self):
        # Ten segments to each of 120 contacts: 1,200 credits, 1,000 bought.
        crowd = create_customers(self.env, 120, first_number=41200000)
        mailing = create_sms_mailing(self.env, "Vårsalg", "Lang melding. " * 105, crowd)
        with self.assertRaisesRegex(UserError, "needs about"):
            mailing.action_launch()
        self.assertEqual(mailing.state, "draft")

        mailing.mailing_domain = repr([("id", "in", crowd[:50].ids)])
        mailing.action_launch()
        self.assertEqual(mailing.state, "in_queue")
