from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import create_list_sms_mailing


@tagged("post_install", "-at_install", "intellipush")
class TestConsentLists(IntellipushCase):
    """An SMS marketing list collected before the switch to Intellipush: its
    subscribers have no contact with a consent of their own. Marked as a
    consent list with the sign-up's wording, its subscriptions document it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.club = cls.env["mailing.list"].create(
            {
                "name": "SMS-klubben",
                "contact_ids": [
                    (0, 0, {"name": "Astrid Lie", "mobile": "+47 400 00 021"}),
                    (0, 0, {"name": "Per Dahl", "mobile": "+47 400 00 023"}),
                    (0, 0, {"name": "Har Meldt Seg Av", "mobile": "+47 400 00 022"}),
                ],
            }
        )
        cls.club.subscription_ids.filtered(lambda sub: sub.contact_id.name == "Har Meldt Seg Av").opt_out = True

    def _mailing(self):
        return create_list_sms_mailing(self.env, self.club)

    def test_a_list_without_documented_consent_is_skipped_and_says_so(self):
        mailing = self._mailing()
        # Two without consent, and the one who left the list.
        self.assertEqual(mailing.intellipush_cost_summary, "No SMS to send; 3 skipped: No marketing consent")
        mailing.action_send_sms()
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(set(sms.mapped("failure_type")), {"sms_optout"})
        self.assertIn("No marketing consent", sms[0].failure_reason)

    def test_a_consent_list_reaches_its_subscribers_not_those_who_left(self):
        with self.assertRaises(ValidationError):
            self.club.intellipush_consent_list = True  # not without saying how they agreed
        self.club.write(
            {
                "intellipush_consent_list": True,
                "intellipush_consent_proof": "Meldt på ved kassen: «Ja, send meg tilbud på SMS» (2024)",
            }
        )
        mailing = self._mailing()
        self.assertIn("2 SMS", mailing.intellipush_cost_summary)
        mailing.action_send_sms()
        self._process_queue()
        self.assertEqual(sorted(self.sandbox_numbers()), [("0047", "40000021"), ("0047", "40000023")])

    def test_a_blacklisted_subscriber_of_a_consent_list_gets_nothing(self):
        self.club.write({"intellipush_consent_list": True, "intellipush_consent_proof": "Nettskjema"})
        self.env["phone.blacklist"].sudo()._add(["+4740000021"])
        self._mailing().action_send_sms()
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "40000023")])
