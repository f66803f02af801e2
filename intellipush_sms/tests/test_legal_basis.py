from odoo import Command
from odoo.tests import tagged

from .common import IntellipushCase

FOOTER = "Svar BUTIKK STOPP til 2160"
OPTOUT = "Du kan reservere deg mot markedsføring på SMS: svar BUTIKK STOPP"
WEB_FORM_PROOF = "Kryss av for SMS-tilbud i kundeklubbskjemaet på nett, 24.11."
# A shop that records the existing-customer basis of its sales, with the opt-out it offers.
SHOP_SETTINGS = {
    "intellipush_optout_footer": FOOTER,
    "intellipush_keyword": "BUTIKK",
    "intellipush_order_sms": True,
    "intellipush_customer_basis": True,
    "intellipush_customer_optout": OPTOUT,
}


@tagged("post_install", "-at_install", "intellipush")
class TestLegalBasis(IntellipushCase):
    """Markedsføringsloven § 15: marketing SMS go on consent, or to existing
    customers under § 15(3) when the send allows it; nobody without a basis."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(cls.company, **SHOP_SETTINGS)
        cls.product = cls.env["product.product"].create({"name": "Spisestol eik", "type": "consu", "list_price": 990})
        partners = cls.env["res.partner"]
        cls.consented = partners.create(
            {
                "name": "Ingrid Berg",
                "mobile": "+47 415 00 001",
                "sms_consent_state": "granted",
                "sms_consent_channel": "web_form",
                "sms_consent_proof": WEB_FORM_PROOF,
            }
        )
        cls.customer = partners.create({"name": "Per Dahl", "mobile": "+47 415 00 002"})
        cls.stranger = partners.create({"name": "Nina Uten Grunnlag", "mobile": "+47 415 00 003"})

    def _confirm_order(self, partner):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        return order

    def _marketing(self, partners, allow_existing):
        """The composer on ``partners`` with a marketing text, from a send that allows existing customers or not."""
        return (
            self.env["sms.composer"]
            .with_context(
                active_model="res.partner",
                active_ids=partners.ids,
                default_composition_mode="mass",
                intellipush_existing_customers=allow_existing,
            )
            .create(
                {
                    "res_model": "res.partner",
                    "res_ids": repr(partners.ids),
                    "body": "Nye spisestoler i eik: 20 % denne uken!",
                    "sms_purpose": "marketing",
                }
            )
        )

    def _campaign_at_sandbox(self):
        """{number: text} of the marketing SMS Intellipush received (the order confirmations left out)."""
        return {
            message["phonenumber"]: message["message"]
            for message in self.sandbox.messages()
            if message["message"].startswith("Nye spisestoler")
        }

    def _sms_of(self, partner):
        return self.env["sms.sms"].search(
            [("partner_id", "=", partner.id), ("sms_purpose", "=", "marketing")], order="id DESC", limit=1
        )

    def test_confirmed_order_records_the_basis_with_the_optout_offered(self):
        self.assertEqual(self.customer.sms_marketing_basis, "none")
        order = self._confirm_order(self.customer)

        self.assertEqual(self.customer.sms_marketing_basis, "existing_customer")
        self.assertEqual(self.customer.sms_customer_basis_channel, "sale")
        self.assertEqual(self.customer.sms_customer_basis_order, order.name)
        self.assertEqual(self.customer.sms_customer_basis_optout, OPTOUT)
        self.assertTrue(self.customer.sms_customer_basis_date)
        entry = self.customer.sms_consent_log_ids
        self.assertEqual(len(entry), 1, "one proof entry in the consent log")
        self.assertEqual(
            (entry.basis, entry.channel, entry.order_ref, entry.new_state),
            ("existing_customer", "sale", order.name, "none"),
        )
        self.assertIn(order.name, entry.proof)
        self.assertIn(OPTOUT, entry.proof, "the proof says which opt-out was offered")

        # The opt-out recorded as offered is where the customer saw it: the confirmation SMS and the documents.
        confirmation = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(confirmation.sms_purpose, "transactional")
        self.assertTrue(confirmation.body.endswith(f"\n{OPTOUT}"), confirmation.body)
        html, _format = self.env["ir.actions.report"]._render_qweb_html("sale.report_saleorder", order.ids)
        self.assertIn(OPTOUT, html.decode())

        # A second sale keeps the first collection as the proof.
        self._confirm_order(self.customer)
        self.assertEqual(self.customer.sms_customer_basis_order, order.name)
        self.assertEqual(len(self.customer.sms_consent_log_ids), 1)

    def test_without_the_setting_a_sale_records_nothing_and_offers_nothing(self):
        self.company.intellipush_customer_basis = False
        order = self._confirm_order(self.customer)
        self.assertEqual(self.customer.sms_marketing_basis, "none")
        self.assertFalse(self.customer.sms_consent_log_ids)
        confirmation = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertNotIn(OPTOUT, confirmation.body)
        html, _format = self.env["ir.actions.report"]._render_qweb_html("sale.report_saleorder", order.ids)
        self.assertNotIn(OPTOUT, html.decode())

    def test_send_allowing_existing_customers_reaches_them_and_skips_who_has_no_basis(self):
        self._confirm_order(self.customer)
        audience = self.consented | self.customer | self.stranger
        composer = self._marketing(audience, allow_existing=True)
        summary = composer.intellipush_cost_summary
        self.assertIn("2 SMS", summary)
        self.assertIn("1 with consent, 1 existing customer(s) (§15(3))", summary)
        self.assertIn("1 skipped: No marketing consent", summary)

        composer.action_send_sms()

        self.assertEqual(self._sms_of(self.consented).intellipush_legal_basis, "consent")
        reached = self._sms_of(self.customer)
        self.assertEqual((reached.state, reached.intellipush_legal_basis), ("outgoing", "existing_customer"))
        self.assertTrue(reached.body.endswith(f"\n{FOOTER}"), "the opt-out is offered in every message")
        skipped = self._sms_of(self.stranger)
        self.assertEqual((skipped.state, skipped.intellipush_skip_reason), ("canceled", "no_consent"))
        self.assertFalse(skipped.intellipush_legal_basis)

        self._process_queue()
        campaign = self._campaign_at_sandbox()
        self.assertEqual(sorted(campaign), ["41500001", "41500002"])
        for text in campaign.values():
            self.assertTrue(text.endswith(FOOTER), text)

    def test_consent_only_send_skips_existing_customers_with_their_reason(self):
        self._confirm_order(self.customer)
        composer = self._marketing(self.consented | self.customer, allow_existing=False)
        self.assertIn("1 SMS", composer.intellipush_cost_summary)
        self.assertNotIn("§15(3))", composer.intellipush_cost_summary.split(";")[0])
        self.assertIn("1 skipped: Existing customer, send for consent only", composer.intellipush_cost_summary)

        composer.action_send_sms()

        skipped = self._sms_of(self.customer)
        self.assertEqual((skipped.state, skipped.failure_type), ("canceled", "sms_optout"))
        self.assertEqual(skipped.intellipush_skip_reason, "existing_customer")
        self.assertIn("Existing customer without consent", skipped.failure_reason)
        self._process_queue()
        self.assertEqual(list(self._campaign_at_sandbox()), ["41500001"])

    def test_typed_number_of_an_existing_customer(self):
        self._confirm_order(self.customer)
        sms_model = self.env["sms.sms"].with_context(intellipush_sms_purpose="marketing")
        allowed, refused = (
            sms_model.with_context(intellipush_existing_customers=allow).create(
                {"number": "+47 415 00 002", "body": "Nye stoler!"}
            )
            for allow in (True, False)
        )
        self.assertEqual((allowed.state, allowed.intellipush_legal_basis), ("outgoing", "existing_customer"))
        self.assertEqual((refused.state, refused.intellipush_skip_reason), ("canceled", "existing_customer"))

    def test_stopp_removes_the_basis_and_a_new_sale_does_not_bring_it_back(self):
        self._confirm_order(self.customer)
        self.sandbox.add_inbound("0047", "41500002", "BUTIKK STOPP")
        self.env["intellipush.inbound.sms"]._cron_intellipush_inbound()

        self.assertEqual(self.customer.sms_consent_state, "withdrawn")
        self.assertEqual(self.customer.sms_marketing_basis, "none", "an opt-out always wins")
        self.assertFalse(self.customer.sms_customer_basis_date)
        withdrawal = self.customer.sms_consent_log_ids.sorted("id")[-1]
        self.assertEqual((withdrawal.new_state, withdrawal.basis), ("withdrawn", "none"))

        self._confirm_order(self.customer)
        self.assertEqual(self.customer.sms_marketing_basis, "none")
        composer = self._marketing(self.customer, allow_existing=True)
        self.assertIn("1 skipped: Blacklisted", composer.intellipush_cost_summary)

    def test_withdrawn_consent_ends_the_basis(self):
        self._confirm_order(self.consented)
        self.assertEqual(self.consented.sms_marketing_basis, "consent", "consent comes first")
        self.consented._sms_set_consent("withdrawn", "manual", proof="Ringte og ba om å slippe SMS.")
        self.assertEqual(self.consented.sms_marketing_basis, "none")
        self.assertFalse(self.consented.sms_customer_basis_order)

    def test_blacklisted_number_gets_no_basis_from_a_sale(self):
        self.env["phone.blacklist"].sudo()._add(["+4741500003"])
        self._confirm_order(self.stranger)
        self.assertEqual(self.stranger.sms_marketing_basis, "none")
        self.assertFalse(self.stranger.sms_consent_log_ids)
