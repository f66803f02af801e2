from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.sms_sms import MAX_ATTEMPTS
from .common import IntellipushCase

NUMBERS = ["41234567", "93456789"]


@tagged("post_install", "-at_install", "intellipush")
class TestGatewayFaults(IntellipushCase):
    """Whatever Intellipush does, a message ends sent once, queued, or failed with a reason."""

    def setUp(self):
        super().setUp()
        # Every test here provokes the warnings the gateway logs on provider faults.
        self.enterContext(mute_logger("odoo.addons.intellipush_sms.models.sms_sms"))

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

    def test_expired_token_is_renewed_once(self):
        sms = self._send_through_fault("expired_token")
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
