from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import IntellipushCase

LANDLINE = "a landline number, which cannot receive SMS"


@tagged("post_install", "-at_install", "intellipush")
class TestLandlines(IntellipushCase):
    """A landline cannot receive SMS: refused before credits are set aside,
    with the reason, unless the company sends to landlines (text-to-speech)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = cls.env["res.partner"].create(
            {"name": "Kontoret Oslo", "phone": "+47 22 12 34 56", "country_id": cls.env.ref("base.no").id}
        )

    def _ledger_count(self):
        return self.env["intellipush.credit.ledger"].search_count([("wallet_id", "=", self.wallet.id)])

    def _reserved(self):
        self.wallet.invalidate_recordset()
        return self.wallet.reserved

    def _send(self, **values):
        return self.env["intellipush.sms.send"].create(
            {"name": "Nyhet", "body": "Hei! Nye varer i butikken.", **values}
        )

    def test_a_landline_fails_with_the_reason_and_reserves_nothing(self):
        ledger_before, reserved_before = self._ledger_count(), self._reserved()

        landline = self._queue_sms(["+47 22 12 34 56"])

        self.assertEqual(landline.credit_state, "none")
        self.assertEqual(self._ledger_count(), ledger_before, "no reservation in the ledger")
        self.assertEqual(self._reserved(), reserved_before)
        self._process_queue()
        self.assertSmsFailed(landline, "sms_number_format", f"This number cannot receive SMS: {LANDLINE}.")
        self.assertFalse(self.sandbox.messages(), "never sent to Intellipush")
        self.assertEqual(self._ledger_count(), ledger_before, "nothing released or refunded either")
        self.assertEqual(self._reserved(), reserved_before)

    def test_a_landline_does_not_hold_back_the_mobiles_of_its_batch(self):
        mobile, landline = self._queue_sms(["412 34 567", "22 12 34 56"])
        self._process_queue()
        self.assertSentOnce(mobile)
        self.assertSmsFailed(landline, "sms_number_format", LANDLINE)
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])

    def test_with_the_switch_on_a_landline_is_sent(self):
        self.company.intellipush_allow_fixed_line = True
        reserved_before = self._reserved()

        landline = self._queue_sms(["22 12 34 56"])

        self.assertEqual(landline.credit_state, "reserved")
        self.assertGreater(self._reserved(), reserved_before)
        self._process_queue()
        self.assertSentOnce(landline)
        self.assertEqual(self.sandbox_numbers(), [("0047", "22123456")])

    def test_the_switch_is_a_setting(self):
        with Form(self.env["res.config.settings"]) as settings:
            self.assertFalse(settings.intellipush_allow_fixed_line, "landlines are refused by default")
            settings.intellipush_allow_fixed_line = True
        self.assertTrue(self.company.intellipush_allow_fixed_line)

    def test_a_company_on_odoo_iap_keeps_odoo_numbers(self):
        self.company.sms_provider = "iap"
        self.assertFalse(self.company._intellipush_mobile_only())

    def test_the_estimate_counts_a_landline_as_invalid(self):
        composer = self._mass_composer(self.partner_kari | self.office, "Hei! Nye varer i butikken.")
        self.assertIn("1 SMS", composer.intellipush_cost_summary)
        self.assertIn("1 invalid number(s)", composer.intellipush_cost_summary)

        self.company.intellipush_allow_fixed_line = True
        composer.invalidate_recordset(["intellipush_cost_summary"])
        self.assertIn("2 SMS", composer.intellipush_cost_summary)
        self.assertNotIn("invalid", composer.intellipush_cost_summary)

    def test_the_send_form_lists_landlines_as_not_reachable(self):
        club = self.env["intellipush.sms.list"].create(
            {
                "name": "Bedriftskunder",
                "contact_ids": [
                    (0, 0, {"name": "Nina Berg", "number": "+47 400 00 001"}),
                    (0, 0, {"name": "Resepsjonen", "number": "55 12 34 56"}),
                ],
            }
        )
        reception = club.contact_ids.filtered(lambda contact: contact.name == "Resepsjonen")
        self.assertEqual(reception.number_e164, "+4755123456", "the list holds it, as any number")
        self.assertEqual(reception.number_problem, LANDLINE, "said as soon as it is typed")
        send = self._send(
            partner_ids=[(6, 0, (self.partner_kari | self.office).ids)],
            list_ids=[(6, 0, club.ids)],
            numbers="+47 73 50 12 34",
        )
        self.assertEqual(send.recipient_count, 2, "Kari and Nina")
        for label in ("Kontoret Oslo", "Resepsjonen", "+47 73 50 12 34"):
            self.assertIn(f"{label}: {LANDLINE}", send.invalid_recipients)

        self.company.intellipush_allow_fixed_line = True
        reception.invalidate_recordset(["number_problem"])
        send.invalidate_recordset(["recipient_count", "invalid_recipients"])
        self.assertFalse(reception.number_problem)
        self.assertEqual(send.recipient_count, 5)
        self.assertFalse(send.invalid_recipients)

    def test_an_access_code_is_not_sent_to_a_landline(self):
        resource = self.env["intellipush.access.resource"].create({"name": "Badstue", "location": "Kjeller"})
        with self.assertRaises(UserError) as caught:
            resource._issue_grant("22 12 34 56")
        self.assertEqual(str(caught.exception), f"This number cannot receive SMS: {LANDLINE}.")
