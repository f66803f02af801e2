from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import IntellipushCase

BAD_URL = "http://example.com"


@tagged("post_install", "-at_install", "intellipush")
class TestGatewayCompanies(IntellipushCase):
    """A company whose Intellipush set-up is broken stops its own SMS, never another company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls._connect_branch()
        # As a database from before the URL was checked may hold it: written past the ORM's checks.
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE res_company SET intellipush_base_url = %s WHERE id = %s", [BAD_URL, cls.branch.id])
        cls.branch.invalidate_recordset()

    def setUp(self):
        super().setUp()
        self.enterContext(
            mute_logger(
                "odoo.addons.intellipush_sms.models.sms_sms",
                "odoo.addons.intellipush_sms.models.sms_sms_reconcile",
                "odoo.addons.intellipush_sms.models.intellipush_inbound_sms",
            )
        )

    def _queue_branch_sms(self, numbers):
        return (
            self.env["sms.sms"]
            .sudo()
            .create([{"number": number, "body": "Hei fra Bergen!", "company_id": self.branch.id} for number in numbers])
        )

    def test_a_bad_api_url_stops_only_its_company(self):
        sent = self._queue_sms(["41234567", "93456789"])
        stopped = self._queue_branch_sms(["98765432"])

        self._process_queue()

        self.assertSentOnce(sent)
        self.assertSmsFailed(stopped, "sms_acc", BAD_URL)
        self.assertIn("https", stopped.failure_reason)
        self.assertEqual(stopped.credit_state, "released", "its credits are free again")
        # The next run works as well: nothing of the broken company is left in its way.
        later = self._queue_sms(["41234568"])
        self._process_queue()
        self.assertSentOnce(sent | later)
        self.assertEqual(len(self.sandbox.messages()), 3)

    def test_reconciliation_skips_a_company_with_a_bad_api_url(self):
        """SMS of the broken company left in "process" by an earlier run wait; the others go."""
        stuck = self._queue_branch_sms(["98765432"])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sms_sms SET state = 'process', intellipush_dispatched_at = %s WHERE id IN %s",
            [fields.Datetime.now() - timedelta(minutes=10), tuple(stuck.ids)],
        )
        stuck.invalidate_recordset()
        sent = self._queue_sms(["41234567"])

        self._process_queue()

        self.assertSentOnce(sent)
        self.assertEqual(stuck.state, "process", "it may be at Intellipush: it waits, never resent blind")
        self.assertIn(BAD_URL, stuck.failure_reason)

    def test_polls_skip_a_company_with_a_bad_api_url(self):
        self._queue_sms(["41234567"])
        self._process_queue()
        pending = self._queue_branch_sms(["98765432"])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sms_sms SET state = 'pending', intellipush_id = '424242' WHERE id IN %s", [tuple(pending.ids)]
        )
        pending.invalidate_recordset()
        self.sandbox.deliver()

        self._poll_status_now()
        self.env["intellipush.inbound.sms"]._cron_intellipush_inbound()

        self.assertEqual(self.env["sms.sms"].search([("company_id", "=", self.company.id)]).state, "sent")
        self.assertEqual(pending.state, "pending")

    def test_settings_refuse_an_api_url_without_https(self):
        for url in (BAD_URL, "ftp://api.intellipush.com", "https://", "api.intellipush.com"):
            with self.subTest(url=url), self.assertRaises(ValidationError) as refusal:
                self.company.intellipush_base_url = url
            self.assertIn("must be an https:// address", str(refusal.exception))
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"intellipush_base_url": BAD_URL}).execute()
        for url in ("https://api.intellipush.com", "http://127.0.0.1:8099", "http://localhost:8099", False):
            self.company.intellipush_base_url = url
            self.assertEqual(self.company.intellipush_base_url, url)
