from datetime import datetime

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

    def test_received_time_is_read_in_the_account_time_zone(self):
        """CONTRACT §3: Intellipush's times are the account's (Europe/Oslo); Odoo stores UTC."""
        self.sandbox.add_inbound("0047", "41234567", "Hei", received_at=datetime(2026, 7, 1, 12, 0))
        (message,) = self._fetch()
        self.assertEqual(message.received_at, datetime(2026, 7, 1, 10, 0), "12:00 in Oslo in summer")

    def test_rows_of_another_shape_are_read(self):
        self.sandbox.set_received_shape("v4")
        self.sandbox.add_inbound("0047", "41234567", "butikk stopp")
        (message,) = self._fetch()
        self.assertEqual((message.number, message.body, message.state), ("+4741234567", "butikk stopp", "new"))

    @mute_logger("intellipush_sms.tools.intellipush_api", "odoo.addons.intellipush_sms.tools.intellipush_api")
    def test_row_without_number_is_kept_for_a_person(self):
        self.sandbox.add_received_row({"id": "77", "text_message": "stopp"})
        (message,) = self._fetch()
        self.assertEqual(message.state, "unreadable")
        self.assertFalse(message.number)
        self.assertEqual(message.body, "stopp")
        self.env["intellipush.inbound.sms"]._cron_intellipush_inbound()
        self.assertEqual(message.state, "unreadable", "never acted on without a number")
        self.assertFalse(self._fetch(), "stored once")

    def test_nul_byte_in_a_message_does_not_block_the_inbox(self):
        self.sandbox.add_inbound("0047", "41234567", "butikk\x00 stopp")
        self.sandbox.add_inbound("0047", "93456789", "Hei")
        received = self._fetch()
        self.assertEqual(len(received), 2)
        self.assertIn("butikk stopp", received.mapped("body"))

    def test_a_lone_surrogate_does_not_block_the_inbox(self):
        self.sandbox.add_inbound("0047", "41234567", "butikk \ud83d stopp")
        self.sandbox.add_inbound("0047", "93456789", "Hei")
        received = self._fetch()
        self.assertEqual(len(received), 2)
        self.assertIn("butikk  stopp", received.mapped("body"))
