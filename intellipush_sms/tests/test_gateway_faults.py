from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from ..models.sms_sms_dispatch import MAX_ATTEMPTS, RETRY_MAX_DELAY
from ..tools import intellipush_api
from .common import IntellipushCase

NUMBERS = ["41234567", "93456789"]


@tagged("post_install", "-at_install", "intellipush")
class TestGatewayFaults(IntellipushCase):
    """Whatever Intellipush does, a message ends sent once, queued, or failed with a reason."""

    def setUp(self):
        super().setUp()
        # Every test here provokes the warnings the gateway logs on provider faults.
        self.enterContext(
            mute_logger(
                "odoo.addons.intellipush_sms.models.sms_sms", "odoo.addons.intellipush_sms.models.sms_sms_reconcile"
            )
        )

    def _send_through_fault(self, kind, **params):
        self.sandbox.inject_fault(kind, endpoint="sms/createBatch", **params)
        sms = self._queue_sms(NUMBERS)
        self._process_queue()
        return sms

    def _assert_unknown_outcome_then_settled(self, sms):
        """The provider may hold the batch: no resend until reconciliation settles it."""
        self.assertEqual(set(sms.mapped("state")), {"process"})
        self.assertTrue(all(sms.mapped("failure_reason")))
        self._process_queue()  # a second run must not resend what may be at the provider
        self._reconcile_now()
        self._process_queue()
        self.assertSentOnce(sms)
        self.assertEqual(len(self.sandbox.messages()), len(NUMBERS))

    def test_timeout_after_provider_kept_the_batch(self):
        sms = self._send_through_fault("timeout", delay=2)
        self._assert_unknown_outcome_then_settled(sms)

    def test_server_error_after_processing(self):
        sms = self._send_through_fault("http_500_after")
        self._assert_unknown_outcome_then_settled(sms)

    def test_dropped_connection_after_processing(self):
        sms = self._send_through_fault("drop_connection")
        self._assert_unknown_outcome_then_settled(sms)

    def test_malformed_json_answer(self):
        sms = self._send_through_fault("malformed_json")
        self._assert_unknown_outcome_then_settled(sms)

    def test_malformed_envelope_answer(self):
        sms = self._send_through_fault("malformed_envelope")
        self._assert_unknown_outcome_then_settled(sms)

    def _assert_not_received_then_requeued(self, sms):
        """Intellipush kept nothing, but the client cannot know: reconciliation
        finds no trace of the batch and puts it back in the queue."""
        self.assertFalse(self.sandbox.messages())
        self.assertEqual(set(sms.mapped("state")), {"process"})
        self._reconcile_now()
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self._process_queue()
        self.assertSentOnce(sms)

    def test_server_error_before_processing(self):
        self._assert_not_received_then_requeued(self._send_through_fault("http_500"))

    def test_unavailable_before_processing(self):
        self._assert_not_received_then_requeued(self._send_through_fault("http_503"))

    def test_gateway_timeout_before_processing(self):
        self._assert_not_received_then_requeued(self._send_through_fault("timeout_before", delay=2))

    def test_rate_limited_waits_for_retry_after(self):
        sms = self._send_through_fault("rate_limit", retry_after=120)
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertIn("retry", sms[0].failure_reason.lower())
        wait = (sms[0].intellipush_next_attempt_at - sms[0].write_date).total_seconds()
        self.assertGreaterEqual(wait, 110, "Retry-After is honoured")
        self._process_queue()
        self.assertFalse(self.sandbox.messages(), "not due yet")
        self._make_retry_due(sms)
        self._process_queue()
        self.assertSentOnce(sms)

    def test_rate_limited_too_often_fails_with_reason(self):
        self.sandbox.inject_fault("rate_limit", endpoint="sms/createBatch", count=MAX_ATTEMPTS, retry_after=1)
        sms = self._queue_sms(NUMBERS[:1])
        for _attempt in range(MAX_ATTEMPTS):
            self._make_retry_due(sms)
            self._process_queue()
        self.assertSmsFailed(sms, "sms_server", str(MAX_ATTEMPTS))
        self.assertFalse(self.sandbox.messages())

    def test_absurd_retry_after_waits_a_bounded_time(self):
        sms = self._send_through_fault("rate_limit", retry_after="1e12")
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        wait = (sms[0].intellipush_next_attempt_at - fields.Datetime.now()).total_seconds()
        self.assertLessEqual(wait, RETRY_MAX_DELAY.total_seconds())
        self._make_retry_due(sms)
        self._process_queue()
        self.assertSentOnce(sms)

    def test_retry_delay_never_overflows(self):
        """Whatever delay an error asks for, the gateway's own bound holds."""
        sms = self._queue_sms(NUMBERS[:1])
        for retry_after in (1e12, float("inf"), float("nan"), -5):
            with self.subTest(retry_after=retry_after):
                sms._intellipush_retry_later(intellipush_api.RateLimitedError("Slow down.", retry_after=retry_after))
                wait = (sms.intellipush_next_attempt_at - fields.Datetime.now()).total_seconds()
                self.assertTrue(0 <= wait <= RETRY_MAX_DELAY.total_seconds(), wait)

    def test_expired_token_is_renewed_once(self):
        sms = self._send_through_fault("expired_token")
        self.assertSentOnce(sms)

    def test_token_refused_twice_is_retried_later(self):
        """Intellipush refused the request twice, a renewed token too: nothing was sent, the
        credentials were accepted by the token endpoint. The batch waits, it does not fail."""
        sms = self._send_through_fault("expired_token", count=2)
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertFalse(any(sms.mapped("failure_type")))
        self.assertIn("retry", sms[0].failure_reason.lower())
        self.assertFalse(self.sandbox.messages())
        self._make_retry_due(sms)
        self._process_queue()
        self.assertSentOnce(sms)

    def test_reconciliation_failure_keeps_messages_waiting(self):
        sms = self._send_through_fault("timeout", delay=2)
        self.sandbox.inject_fault("http_500", endpoint="sms/getSent", count=10)
        self._reconcile_now()
        self.assertEqual(set(sms.mapped("state")), {"process"}, "nothing is decided without the provider's answer")
        self.sandbox.clear_faults()
        self._reconcile_now()
        self.assertSentOnce(sms)

    def test_same_text_twice_to_one_number_is_paired_once_each(self):
        self.sandbox.inject_fault("timeout", endpoint="sms/createBatch", delay=2)
        sms = self._queue_sms(["41234567", "41234567"])
        self._process_queue()
        self._reconcile_now()
        self.assertSentOnce(sms)
        self.assertNotEqual(sms[0].intellipush_id, sms[1].intellipush_id)

    def test_answer_lost_each_sms_found_by_its_real_fields(self):
        """CONTRACT §9: Intellipush accepted the batch and its answer was lost;
        each SMS is found in sms/getSent by number, text and time, once."""
        sms = self._queue_sms(["41234567", "93456789", "98765432"])
        sms[1].body = "Et annet innhold"
        self.sandbox.inject_fault("drop_connection", endpoint="sms/createBatch")
        self._process_queue()
        self.assertEqual(set(sms.mapped("state")), {"process"})
        self._process_queue()
        self._reconcile_now()
        self.assertSentOnce(sms)
        by_id = {msg["id"]: msg for msg in self.sandbox.messages()}
        for record in sms:
            self.assertEqual(by_id[record.intellipush_id]["text_message"], record.body)
        self.assertEqual(set(sms.mapped("credit_state")), {"debited"})
        reads = {req["endpoint"] for req in self.sandbox.requests_log() if req["method"] == "GET"}
        self.assertLessEqual({"sms/getSent", "sms/getUnsent"}, reads)

    def test_an_older_identical_sms_is_not_taken_for_the_lost_one(self):
        """Yesterday's "same text to the same number" is not today's lost SMS: it is sent again."""
        earlier = self._queue_sms(["41234567"])
        self._process_queue()
        with freeze_time(fields.Datetime.now() + timedelta(days=1)):
            self.sandbox.inject_fault("http_500", endpoint="sms/createBatch")
            sms = self._queue_sms(["41234567"])
            self._process_queue()
            self._reconcile_now()
            self.assertEqual(sms.state, "outgoing")
            self._process_queue()
        self.assertSentOnce(earlier | sms)
        self.assertEqual(len(self.sandbox.messages()), 2)

    def _dispatched_long_ago(self, sms):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sms_sms SET intellipush_dispatched_at = %s WHERE id IN %s",
            [fields.Datetime.now() - timedelta(hours=2), tuple(sms.ids)],
        )
        sms.invalidate_recordset()

    def test_lists_unreadable_for_long_sms_become_uncertain_never_resent(self):
        sms = self._send_through_fault("timeout", delay=2)
        self.sandbox.inject_fault("http_503", endpoint="sms/getSent", count=100)
        self._reconcile_now()
        self.assertEqual(set(sms.mapped("state")), {"process"}, "waits while the limit is not reached")
        self._dispatched_long_ago(sms)
        self._reconcile_now()
        self._process_queue()
        self.assertEqual(set(sms.mapped("state")), {"uncertain"})
        self.assertIn("resend it or mark it as sent", sms[0].failure_reason)
        self.assertEqual(len(self.sandbox.messages()), len(NUMBERS), "nothing was sent a second time")
        self.assertEqual(set(sms.mapped("credit_state")), {"reserved"}, "credits wait with the SMS")
        self.assertEqual(self.env["sms.sms"].search_count([("id", "in", sms.ids), ("state", "=", "uncertain")]), 2)

    def test_a_person_resends_uncertain_sms_once(self):
        self.sandbox.inject_fault("http_500", endpoint="sms/createBatch")  # never reached Intellipush
        sms = self._queue_sms(NUMBERS)
        self._process_queue()
        self.sandbox.inject_fault("http_503", endpoint="sms/getUnsent", count=100)
        self._dispatched_long_ago(sms)
        self._reconcile_now()
        self.assertEqual(set(sms.mapped("state")), {"uncertain"})
        self.sandbox.clear_faults()
        sms.action_intellipush_resend_uncertain()
        self._process_queue()
        self.assertSentOnce(sms)
        self.assertEqual(len(self.sandbox.messages()), len(NUMBERS))
        self.assertEqual(set(sms.mapped("credit_state")), {"debited"})

    def test_a_person_marks_uncertain_sms_as_sent(self):
        sms = self._send_through_fault("timeout", delay=2)
        self.sandbox.inject_fault("http_503", endpoint="sms/getSent", count=100)
        self._dispatched_long_ago(sms)
        self._reconcile_now()
        available = self.wallet._available()
        sms.action_intellipush_mark_sent()
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(set(sms.mapped("credit_state")), {"debited"})
        self.assertEqual(self.wallet._available(), available, "the reservation became the debit")
        self.assertEqual(len(self.sandbox.messages()), len(NUMBERS))
        with self.assertRaises(UserError):
            sms.action_intellipush_mark_sent()


@tagged("post_install", "-at_install", "intellipush")
class TestDispatchCalls(IntellipushCase):
    """A dispatch batch goes to Intellipush in calls of the call size (CONTRACT
    §4.2); after a call that failed, the rest of the batch is not sent."""

    NUMBERS = ["41234567", "93456789", "41234568", "41234569", "93456780"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("intellipush_sms.call_size", "2")

    def setUp(self):
        super().setUp()
        self.enterContext(
            mute_logger(
                "odoo.addons.intellipush_sms.models.sms_sms", "odoo.addons.intellipush_sms.models.sms_sms_dispatch"
            )
        )

    def _calls(self):
        return [entry for entry in self.sandbox.requests_log() if entry["endpoint"] == "sms/createBatch"]

    def test_one_batch_in_calls_of_the_call_size(self):
        sms = self._queue_sms(self.NUMBERS)
        self.env["sms.sms"]._cron_intellipush_dispatch(max_batches=1)  # batch size 5
        self.assertEqual(len(self._calls()), 3, "2 + 2 + 1")
        self.assertSentOnce(sms)
        self.assertEqual(len(set(sms.mapped("intellipush_dispatch_token"))), 1, "one batch")
        self.assertEqual(sms.mapped("credit_state"), ["debited"] * 5)

    def test_after_a_refused_call_the_rest_waits_its_turn(self):
        self.sandbox.inject_fault("rate_limit", endpoint="sms/createBatch", retry_after=60)
        sms = self._queue_sms(self.NUMBERS)
        self._process_queue()
        self.assertEqual(len(self._calls()), 1, "nothing more is sent to a service that said slow down")
        self.assertFalse(self.sandbox.messages())
        self.assertEqual(set(sms.mapped("state")), {"outgoing"})
        self.assertEqual(sms.mapped("intellipush_attempts"), [1, 1, 0, 0, 0], "only the refused call counts")
        self.assertTrue(all(sms.mapped("intellipush_next_attempt_at")), "none is due again at once")
        self.assertEqual(set(sms.mapped("credit_state")), {"reserved"})
        self._make_retry_due(sms)
        self._process_queue()
        self.assertSentOnce(sms)

    def test_after_a_lost_answer_only_that_call_waits_for_reconciliation(self):
        self.sandbox.inject_fault("drop_connection", endpoint="sms/createBatch")
        sms = self._queue_sms(self.NUMBERS)
        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 2, "the first call reached Intellipush")
        self.assertEqual(sms.mapped("state"), ["process", "process", "outgoing", "outgoing", "outgoing"])
        self._process_queue()
        self._reconcile_now()
        self._make_retry_due(sms)
        self._process_queue()
        self.assertSentOnce(sms)
