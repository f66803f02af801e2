from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import IntellipushCase

KARI = ("0047", "41234567")


@tagged("post_install", "-at_install", "intellipush")
class TestDoubleOptIn(IntellipushCase):
    """A join keyword asks; the consent counts once the contact confirms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(
            cls.company,
            name="Demobutikk",
            intellipush_keyword="BUTIKK",
            intellipush_optout_confirmation="Du er meldt av.",
        )

    def _receive(self, text, number=KARI, received_at=None):
        self.sandbox.add_inbound(*number, text, received_at=received_at)
        inbound = self.env["intellipush.inbound.sms"]
        before = inbound.search([]).ids
        inbound._cron_intellipush_inbound()
        return inbound.search([("id", "not in", before)], order="id")

    def _requests(self):
        return self.env["sms.sms"].search([("body", "ilike", "for å bekrefte")])

    def _marketing_state(self, partner):
        partner.with_context(intellipush_sms_purpose="marketing")._message_sms("Tilbud: 20 % på alt!")
        sms = self.env["sms.sms"].search([("partner_id", "=", partner.id)], order="id DESC", limit=1)
        return sms.state, sms.intellipush_skip_reason

    def test_join_asks_once_and_is_no_consent(self):
        join = self._receive("Butikk start")

        self.assertEqual(join.action, "opt_in_requested")
        self.assertEqual(join.reply_state, "none")
        self.assertEqual(self.partner_kari.sms_consent_state, "pending")
        log = self.partner_kari.sms_consent_log_ids
        self.assertEqual((log.new_state, log.inbound_sms_id), ("pending", join))
        self.assertEqual(self._marketing_state(self.partner_kari), ("canceled", "pending"))

        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [KARI])
        self.assertEqual(
            self.sandbox.messages()[0]["message"],
            "Svar BUTIKK JA innen 7 dager for å bekrefte at du vil ha SMS-tilbud fra Demobutikk. "
            "Svar BUTIKK STOPP for å melde deg av.",
        )
        self.assertEqual(join.optin_request_sms_id.sms_purpose, "transactional")

        again = self._receive("BUTIKK START")
        self._process_queue()
        self.assertEqual(again.action, "opt_in_requested")
        self.assertEqual(len(self._requests()), 1, "one request per window")
        self.assertEqual(self.sandbox_numbers(), [KARI])
        self.assertEqual(self.partner_kari.sms_consent_state, "pending")

    def test_join_then_confirm_grants_with_both_messages_as_proof(self):
        join = self._receive("BUTIKK JA")  # JA joins when nothing waits for it
        self.assertEqual(join.action, "opt_in_requested")
        self._process_queue()
        confirmation = self._receive("Butikk ja!")

        self.assertEqual(confirmation.action, "opt_in_confirmed")
        self.assertEqual(confirmation.reply_state, "none")
        self.assertEqual(self.partner_kari.sms_consent_state, "granted")
        self.assertEqual(self.partner_kari.sms_consent_channel, "inbound_keyword")
        logs = self.partner_kari.sms_consent_log_ids.sorted("id")
        self.assertEqual(logs.mapped("new_state"), ["pending", "granted"])
        granted = logs[-1]
        self.assertEqual((granted.inbound_sms_id, granted.join_inbound_sms_id), (confirmation, join))
        self.assertIn('"BUTIKK JA"', granted.proof)
        self.assertIn('"Butikk ja!"', granted.proof)
        self.assertEqual(self._marketing_state(self.partner_kari)[0], "outgoing")
        self.assertEqual(len(self._requests()), 1)

    def test_join_repeated_before_the_request_left_confirms_nothing(self):
        earlier = datetime.now(timezone.utc) - timedelta(minutes=2)
        self.sandbox.add_inbound(*KARI, "BUTIKK JA", received_at=earlier)
        self.sandbox.add_inbound(*KARI, "BUTIKK JA", received_at=earlier + timedelta(seconds=20))
        self.env["intellipush.inbound.sms"]._cron_intellipush_inbound()

        self.assertEqual(self.partner_kari.sms_consent_state, "pending")
        self.assertEqual(len(self._requests()), 1)

    def test_a_request_that_failed_is_sent_again_on_the_next_join(self):
        join = self._receive("BUTIKK START")
        join.optin_request_sms_id._intellipush_set_state("error", failure_type="sms_server", reason="Nede")

        unanswerable = self._receive("BUTIKK JA")
        self.assertEqual(unanswerable.action, "opt_in_requested", "nothing left to confirm: a new join")
        self.assertEqual(self.partner_kari.sms_consent_state, "pending")
        self.assertEqual(len(self._requests()), 2)
        self.assertEqual(
            self.partner_kari.sms_consent_log_ids.sorted("id").mapped("new_state"), ["pending", "none", "pending"]
        )
        self._process_queue()
        self._receive("BUTIKK JA")
        self.assertEqual(self.partner_kari.sms_consent_state, "granted")
        self.assertEqual(self.partner_kari.sms_consent_log_ids.sorted("id")[-1].join_inbound_sms_id, unanswerable)

    def test_confirmation_after_the_window_grants_nothing(self):
        self.company.intellipush_join_words = "START"
        self._receive("BUTIKK START")
        self._process_queue()
        self.partner_kari.sms_consent_date = fields.Datetime.now() - timedelta(days=8)

        late = self._receive("BUTIKK JA")

        self.assertEqual(late.action, "message", "too late: an ordinary message for a person")
        self.assertEqual(late.reply_state, "to_reply")
        self.assertNotEqual(self.partner_kari.sms_consent_state, "granted")
        # The cron that read it also let the request lapse: back to the state before the join.
        self.assertEqual(self.partner_kari.sms_consent_state, "none")
        lapse = self.partner_kari.sms_consent_log_ids.sorted("id")[-1]
        self.assertEqual((lapse.previous_state, lapse.new_state), ("pending", "none"))

    def test_late_join_word_starts_a_new_request(self):
        self._receive("BUTIKK JA")
        self._process_queue()
        self.partner_kari.sms_consent_date = fields.Datetime.now() - timedelta(days=8)

        self._receive("BUTIKK JA")

        self.assertEqual(self.partner_kari.sms_consent_state, "pending")
        self.assertEqual(len(self._requests()), 2)
        self.assertEqual(
            self.partner_kari.sms_consent_log_ids.sorted("id").mapped("new_state"), ["pending", "none", "pending"]
        )

    def test_confirmation_without_request_changes_nothing(self):
        self.company.intellipush_join_words = "START"
        message = self._receive("BUTIKK JA")

        self.assertEqual(message.action, "message")
        self.assertEqual(message.reply_state, "to_reply")
        self.assertEqual(self.partner_kari.sms_consent_state, "none")
        self.assertFalse(self.partner_kari.sms_consent_log_ids)
        self.assertFalse(self._requests())
        self.assertEqual(self.partner_kari.message_ids[:1].body, "<p>BUTIKK JA</p>")

    def test_stopp_while_pending_withdraws_and_blacklists(self):
        self._receive("BUTIKK START")
        stop = self._receive("BUTIKK STOPP")

        self.assertEqual(stop.action, "opt_out")
        self.assertEqual(self.partner_kari.sms_consent_state, "withdrawn")
        self.assertTrue(self.env["phone.blacklist"].search([("number", "=", "+4741234567")]).active)
        self._process_queue()
        confirm = self._receive("BUTIKK JA")
        self.assertEqual(confirm.action, "opt_in_requested", "after STOPP, JA is a new join")
        self.assertEqual(self.partner_kari.sms_consent_state, "pending")

    def test_blacklisted_number_joins_and_gets_the_request(self):
        self.env["phone.blacklist"].sudo()._add(["+4741234567"])
        self._receive("BUTIKK START")
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [KARI], "the join lifted the blacklist, as START does")
        self.assertEqual(self._requests().state, "pending")

    def test_unknown_number_gets_a_contact(self):
        join = self._receive("BUTIKK START", number=("0047", "98765432"))

        contact = join.partner_id
        self.assertTrue(contact)
        self.assertEqual(contact.phone_sanitized, "+4798765432")
        self.assertEqual(contact.company_id, self.company)
        self.assertEqual(contact.sms_consent_state, "pending")
        self._process_queue()
        self._receive("BUTIKK JA", number=("0047", "98765432"))
        self.assertEqual(contact.sms_consent_state, "granted")

    def test_single_opt_in_when_double_is_off(self):
        self.company.intellipush_double_optin = False
        join = self._receive("BUTIKK JA")
        self.assertEqual(join.action, "opt_in")
        self.assertEqual(self.partner_kari.sms_consent_state, "granted")
        self.assertFalse(self._requests())

    def test_pending_is_only_set_by_a_join_keyword(self):
        with self.assertRaises(ValidationError):
            self.partner_kari.sms_consent_state = "pending"
