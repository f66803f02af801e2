from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import create_customers, create_sms_mailing

FOOTER = "Svar BUTIKK STOPP til 2160"
OPTOUT = "Du kan reservere deg mot markedsføring på SMS: svar BUTIKK STOPP"
BODY = "Nye spisestoler i eik: 20 % denne uken!"


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignLegalBasis(IntellipushCase):
    """A campaign chooses who it may reach: the contacts who consented, or
    also the existing customers of § 15(3) for the shop's own similar products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(cls.company, intellipush_optout_footer=FOOTER, intellipush_keyword="BUTIKK")
        cls.consented = create_customers(cls.env, 1, first_number=40021000, prefix="Samtykke")
        cls.customer, cls.stranger = create_customers(cls.env, 2, first_number=40022000, consent="none")
        # The number collected with an order, where the opt-out was offered.
        cls.customer._sms_record_existing_customer("sale", "S00042", OPTOUT)
        cls.audience = cls.consented | cls.customer | cls.stranger

    def _campaign_at_sandbox(self):
        return {message["phonenumber"]: message["message"] for message in self.sandbox.messages()}

    def _trace_of(self, mailing, partner):
        return self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id), ("res_id", "=", partner.id)])

    def test_a_campaign_for_existing_customers_reaches_them_and_counts_each_basis(self):
        mailing = create_sms_mailing(self.env, "Spisestoler", BODY, self.audience)
        self.assertEqual(mailing.intellipush_legal_basis, "consent", "consent only unless the campaign says otherwise")
        mailing.intellipush_legal_basis = "consent_existing"
        summary = mailing.intellipush_cost_summary
        self.assertIn("2 SMS", summary)
        self.assertIn("1 with consent, 1 existing customer(s) (§15(3))", summary)
        self.assertIn("1 skipped: No marketing consent", summary, "a contact without any basis is skipped")

        mailing.action_send_sms()

        self.assertEqual(self._trace_of(mailing, self.customer).intellipush_legal_basis, "existing_customer")
        self.assertEqual(self._trace_of(mailing, self.consented).intellipush_legal_basis, "consent")
        stranger_trace = self._trace_of(mailing, self.stranger)
        self.assertEqual(stranger_trace.trace_status, "cancel")
        self.assertFalse(stranger_trace.intellipush_legal_basis)
        self.env["sms.sms"]._cron_intellipush_dispatch()
        received = self._campaign_at_sandbox()
        self.assertEqual(sorted(received), ["40021000", "40022000"])
        self.assertTrue(received["40022000"].endswith(FOOTER), "the existing customer is offered the opt-out again")
        mailing.invalidate_recordset()
        self.assertEqual((mailing.intellipush_reached_consent, mailing.intellipush_reached_existing), (1, 1))

    def test_a_consent_only_campaign_skips_existing_customers_with_the_reason(self):
        mailing = create_sms_mailing(self.env, "Spisestoler", BODY, self.audience)
        summary = mailing.intellipush_cost_summary
        self.assertIn("1 SMS", summary)
        self.assertIn("1 skipped: Existing customer, send for consent only", summary)
        self.assertIn("1 skipped: No marketing consent", summary)

        mailing.action_send_sms()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id), ("partner_id", "=", self.customer.id)])
        self.assertEqual((sms.state, sms.intellipush_skip_reason), ("canceled", "existing_customer"))
        self.assertEqual(self._trace_of(mailing, self.customer).trace_status, "cancel")
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual(list(self._campaign_at_sandbox()), ["40021000"])
        mailing.invalidate_recordset()
        self.assertEqual((mailing.intellipush_reached_consent, mailing.intellipush_reached_existing), (1, 0))

    def test_the_estimate_of_a_large_audience_counts_each_basis(self):
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms_marketing.estimate_sample", "2")
        customers = create_customers(self.env, 3, first_number=40023000, consent="none")
        customers._sms_record_existing_customer("pos", "Butikk/0001", OPTOUT)
        mailing = create_sms_mailing(
            self.env, "Spisestoler", BODY, self.consented | customers, intellipush_legal_basis="consent_existing"
        )
        summary = mailing.intellipush_cost_summary
        self.assertIn("Estimated from 2 of 4 recipients", summary)
        self.assertIn("about 2 with consent, about 2 existing customer(s) (§15(3))", summary)

    def test_a_campaign_sent_before_bases_were_recorded_counts_its_recipients_as_consenting(self):
        # Until the existing-customer basis, consent was the only one: such a
        # campaign's traces carry no basis (the demo's campaigns among them).
        mailing = create_sms_mailing(self.env, "Spisestoler", BODY, self.audience)
        mailing.action_send_sms()
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)]).intellipush_legal_basis = False
        mailing.invalidate_recordset()
        self.assertEqual((mailing.intellipush_reached_consent, mailing.intellipush_reached_existing), (1, 0))
