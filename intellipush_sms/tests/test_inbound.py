from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import IntellipushCase


@tagged("post_install", "-at_install", "intellipush")
class TestInboundPolling(IntellipushCase):
    def _fetch(self):
        return self.env["intellipush.inbound.sms"]._intellipush_fetch()

    def test_inbound_stored_once_and_matched(self):
        self.sandbox.add_inbound("0047", "41234567", "butikk stopp")
        self.sandbox.add_inbound("0047", "99887766", "Hvem er dette?")

        received = self._fetch()

        self.assertEqual(len(received), 2)
        stop = received.filtered(lambda msg: msg.number == "+4741234567")
        self.assertEqual(stop.partner_id, self.partner_kari)
        self.assertEqual(stop.keyword, "BUTIKK")
        self.assertEqual(stop.body, "butikk stopp")
        self.assertEqual(stop.state, "new")
        unknown = received - stop
        self.assertFalse(unknown.partner_id, "unknown senders are kept, unmatched")
        self.assertEqual(unknown.number, "+4799887766")

        self.assertFalse(self._fetch(), "a second poll stores nothing again")
        self.sandbox.add_inbound("0046", "701234567", "Tack!")
        later = self._fetch()
        self.assertEqual(later.partner_id, self.partner_sofia)
        self.assertEqual(self.env["intellipush.inbound.sms"].search_count([]), 3)

    @mute_logger("odoo.addons.intellipush_sms.models.intellipush_inbound_sms")
    def test_malformed_answer_is_skipped(self):
        self.sandbox.add_inbound("0047", "41234567", "Hei")
        self.sandbox.inject_fault("malformed_json", endpoint="sms/getReceived", count=3)
        self.assertFalse(self._fetch())
        self.sandbox.clear_faults()
        self.assertEqual(len(self._fetch()), 1)

    def test_unconfigured_company_is_skipped(self):
        self.company.intellipush_api_secret = False
        self.sandbox.add_inbound("0047", "41234567", "Hei")
        self.assertFalse(self._fetch())
