from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import IntellipushCase


@tagged("post_install", "-at_install", "intellipush")
class TestDeliveryStatus(IntellipushCase):
    def _sent_sms(self, numbers):
        sms = self._queue_sms(numbers)
        self._process_queue()
        self.assertSentOnce(sms)
        return sms

    def test_delivered_failed_and_pending(self):
        delivered, failed, pending = self._sent_sms(["41234567", "93456789", "98765432"])
        self.sandbox.deliver([delivered.intellipush_id])
        self.sandbox.fail([failed.intellipush_id], reason="handset unreachable")

        self._poll_status_now()

        self.assertEqual(delivered.state, "sent")
        self.assertSmsFailed(failed, "sms_not_delivered")
        self.assertEqual(pending.state, "pending")
        self.assertEqual(pending.intellipush_status_checks, 1)
        self.assertGreater(pending.intellipush_next_status_check_at, fields.Datetime.now())

    def test_poll_is_idempotent(self):
        sms = self._sent_sms(["41234567"])
        self.sandbox.deliver()
        self._poll_status_now()
        delivered_at = sms.delivered_at
        self._poll_status_now()
        self.assertEqual(sms.state, "sent")
        self.assertEqual(sms.delivered_at, delivered_at)

    def test_not_due_messages_are_not_asked_about(self):
        self._sent_sms(["41234567"])
        self.assertFalse(self.env["sms.sms"]._cron_intellipush_status(), "first check waits a minute")

    def test_checks_back_off_and_stop_after_days(self):
        sms = self._sent_sms(["41234567"])
        delays = []
        for _check in range(4):
            self._poll_status_now()
            delays.append(sms.intellipush_next_status_check_at - fields.Datetime.now())
        self.assertEqual(delays, sorted(delays), "asked less and less often")
        sms.sent_at = fields.Datetime.now() - timedelta(days=4)
        self._poll_status_now()
        self.assertFalse(sms.intellipush_next_status_check_at, "left alone after days without answer")
        self.assertEqual(sms.state, "pending")

    @mute_logger("odoo.addons.intellipush_sms.models.sms_sms")
    def test_provider_errors_leave_states_untouched(self):
        sms = self._sent_sms(["41234567"])
        for kind in ("http_500", "malformed_json", "malformed_envelope"):
            self.sandbox.inject_fault(kind, endpoint="sms/status", count=5)
            self._poll_status_now()
            self.assertEqual(sms.state, "pending", kind)
            self.sandbox.clear_faults()
        self.sandbox.deliver()
        self._poll_status_now()
        self.assertEqual(sms.state, "sent")
