from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import IntellipushCase


@tagged("post_install", "-at_install", "intellipush")
class TestGatewayDispatch(IntellipushCase):
    """Every SMS Odoo produces leaves through Intellipush, once."""

    def test_an_answer_recorded_before_its_debit_is_debited_by_the_next_run(self):
        """The dispatch records Intellipush's answer first and debits just
        after; a worker stopped in between leaves a reservation, not a loss."""
        sms = self._queue_sms(["41234567"])
        self.assertEqual(sms.credit_state, "reserved")
        # As the dispatch records an answer: state Sent, credits still reserved.
        sms.with_context(intellipush_debit_later=True)._intellipush_set_state("pending")
        self.assertEqual((sms.state, sms.credit_state), ("pending", "reserved"))
        self.wallet.invalidate_recordset()
        reserved = self.wallet.reserved

        self._process_queue()

        self.assertEqual((sms.state, sms.credit_state), ("pending", "debited"))
        self.wallet.invalidate_recordset()
        self.assertAlmostEqual(self.wallet.reserved, reserved - sms.credit_cost, places=4)
        self.assertFalse(self.sandbox.messages(), "debited, not sent again")

    def test_the_answer_is_recorded_without_touching_the_wallet(self):
        """Recording Intellipush's answer and debiting are two transactions:
        the first never waits on the wallet's lock (another worker's)."""
        sms = self._queue_sms(["41234567", "93456789"])
        sms_class, wallet_class = type(self.env["sms.sms"]), type(self.wallet)
        apply_dispatch, debit = sms_class._intellipush_apply_dispatch, wallet_class._debit
        recording, debits = [], []

        def recording_the_answer(records, *args):
            recording.append(True)
            try:
                return apply_dispatch(records, *args)
            finally:
                recording.pop()

        def spied_debit(wallet, charges):
            debits.append(("while recording the answer" if recording else "after", len(charges)))
            return debit(wallet, charges)

        with (
            patch.object(sms_class, "_intellipush_apply_dispatch", recording_the_answer),
            patch.object(wallet_class, "_debit", spied_debit),
        ):
            self._process_queue()

        self.assertEqual(debits, [("after", 2)])
        self.assertEqual(set(sms.mapped("credit_state")), {"debited"})
        self.assertSentOnce(sms)

    def test_chatter_sms_reaches_intellipush_and_gets_delivered(self):
        message = self.partner_kari._message_sms("Hei Kari! Ordren din er sendt.")
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(sms.state, "outgoing", "the user's transaction only queues the SMS")
        self.assertEqual(sms.company_id, self.company)
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [("cron_id", "=", self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch").id)]
            ),
            "queuing wakes the dispatch cron up",
        )
        notification = message.notification_ids
        self.assertEqual(notification.notification_status, "ready")

        self._process_queue()

        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])
        self.assertEqual(self.sandbox.messages()[0]["message"], "Hei Kari! Ordren din er sendt.")
        self.assertSentOnce(sms)
        self.assertEqual(sms.number_e164, "+4741234567")
        self.assertEqual((sms.sms_encoding, sms.sms_segments), ("GSM-7", 1))
        self.assertTrue(sms.sent_at)
        self.assertFalse(sms.to_delete, "sent SMS stay as history")
        self.assertEqual(notification.notification_status, "pending")

        self.sandbox.deliver()
        self._poll_status_now()

        self.assertEqual(sms.state, "sent")
        self.assertTrue(sms.delivered_at)
        self.assertEqual(notification.notification_status, "sent", "the chatter shows it delivered")

    def test_composer_mass_sends_one_batch(self):
        partners = self.partner_kari | self.partner_ola | self.partner_sofia
        composer = self._mass_composer(partners, "Hei {{ object.name }}, velkommen som kunde! 😀", mass_keep_log=True)
        composer.action_send_sms()
        sms = self.env["sms.sms"].sudo().search([("partner_id", "in", partners.ids)])
        self.assertEqual(len(sms), 3)

        self._process_queue()

        self.assertSentOnce(sms)
        self.assertCountEqual(
            self.sandbox_numbers(), [("0047", "41234567"), ("0047", "93456789"), ("0046", "701234567")]
        )
        batch_calls = [
            req for req in self.sandbox.requests_log() if req["endpoint"] == "sms/createBatch" and req["status"] == 200
        ]
        self.assertEqual(len(batch_calls), 1, "one provider call for the whole batch")
        self.assertEqual(set(sms.mapped("sms_encoding")), {"UCS-2"}, "the emoji forces UCS-2")

    def test_encoding_and_segments_are_stored(self):
        long_gsm, long_ucs2, euro = self._queue_sms(["41234567"] * 3, body="x")
        long_gsm.body = "a" * 161
        long_ucs2.body = "Hei 😀 " + "b" * 64
        euro.body = "Pris: 100 €"
        self.assertEqual((long_gsm.sms_encoding, long_gsm.sms_segments, long_gsm.sms_length), ("GSM-7", 2, 161))
        self.assertEqual((long_ucs2.sms_encoding, long_ucs2.sms_segments), ("UCS-2", 2))
        self.assertEqual((euro.sms_encoding, euro.sms_segments), ("GSM-7", 1))

    def test_invalid_number_fails_with_reason_and_is_not_sent(self):
        good, bad, empty = self._queue_sms(["+47 412 34 567", "123", ""])
        self._process_queue()
        self.assertSentOnce(good)
        self.assertSmsFailed(bad, "sms_number_format", "too few digits")
        self.assertSmsFailed(empty, "sms_number_format", "no number")
        self.assertEqual(len(self.sandbox.messages()), 1)

    def test_provider_refuses_one_number(self):
        self.sandbox.set_number_outcome("0047", "93456789", "reject_invalid")
        good, refused = self._queue_sms(["41234567", "93456789"])
        self._process_queue()
        self.assertSentOnce(good)
        # CONTRACT §2.2: Intellipush's number and words, never a meaning guessed from them.
        self.assertSmsFailed(refused, "sms_invalid_message", "Intellipush error 902: ")
        self.assertEqual(refused.credit_state, "released")

    def test_insufficient_provider_credit(self):
        self.sandbox.set_credits(0)
        sms = self._queue_sms(["41234567"])
        self._process_queue()
        self.assertSmsFailed(sms, "sms_invalid_message", "Intellipush error 903: ")
        self.assertFalse(self.sandbox.messages())

    def test_partial_batch_failure(self):
        self.sandbox.inject_fault("partial_batch", endpoint="sms/createBatch", indices=[1])
        first, second, third = self._queue_sms(["41234567", "93456789", "98765432"])
        self._process_queue()
        self.assertSentOnce(first | third)
        self.assertSmsFailed(second, "sms_invalid_message", "Intellipush error 905: ")

    def test_no_sender_travels_with_the_sms(self):
        """CONTRACT §4.1: the account's sender name is Intellipush's, never sent per SMS."""
        self._process_queue()
        sms = self._queue_sms(["41234567"])
        self._process_queue()
        self.assertSentOnce(sms)
        (request,) = [req for req in self.sandbox.requests_log() if req["endpoint"] == "sms/createBatch"]
        self.assertEqual(request["method"], "POST")
        self.assertNotIn("sender", self.sandbox.messages()[0])

    def test_iap_companies_keep_odoo_iap(self):
        self.company.sms_provider = "iap"
        sms = self._queue_sms(["41234567"])
        self.assertEqual(self.env["sms.sms"]._intellipush_claim(10), self.env["sms.sms"])
        self.assertEqual(sms.state, "outgoing")

    def test_missing_credentials_fail_with_a_clear_reason(self):
        self.company.intellipush_api_secret = False
        sms = self._queue_sms(["41234567"])
        self._process_queue()
        self.assertSmsFailed(sms, "sms_acc", "Settings")

    @mute_logger("odoo.addons.intellipush_sms.models.sms_sms")
    def test_wrong_credentials(self):
        self.company.intellipush_api_secret = "not-the-secret"
        sms = self._queue_sms(["41234567"])
        self._process_queue()
        self.assertSmsFailed(sms, "sms_acc")
        self.assertFalse(self.sandbox.messages())

    def test_retry_failed_puts_back_in_queue(self):
        self.company.intellipush_api_secret = False
        sms = self._queue_sms(["41234567"])
        self._process_queue()
        self.assertEqual(sms.state, "error")
        self.company.intellipush_api_secret = "odoo-test-secret-5f2c"
        sms.resend_failed()
        self.assertEqual(sms.state, "outgoing")
        self.assertFalse(sms.failure_reason)
        self._process_queue()
        self.assertSentOnce(sms)

    def test_token_expiry_is_renewed(self):
        first = self._queue_sms(["41234567"])
        self._process_queue()
        self.sandbox.expire_tokens()
        second = self._queue_sms(["93456789"])
        self._process_queue()
        self.assertSentOnce(first | second)
        token_calls = [req for req in self.sandbox.requests_log() if req["endpoint"] == "oauth2/token"]
        self.assertGreaterEqual(len(token_calls), 1)
