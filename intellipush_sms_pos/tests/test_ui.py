from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import IntellipushPosCase


@tagged("post_install", "-at_install", "intellipush")
class TestPosSmsTour(IntellipushPosCase):
    def test_consent_and_receipt_by_sms_at_the_counter(self):
        self.customer.mobile = False
        self.shop.with_user(self.pos_user).open_ui()

        self.start_pos_tour("intellipush_sms_pos_tour", login="pos_user")

        self.assertEqual(self.customer.mobile, "+47 412 34 567")
        self.assertEqual((self.customer.sms_consent_state, self.customer.sms_consent_channel), ("granted", "pos"))
        entry = self.customer.sms_consent_log_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.channel, entry.new_state), ("pos", "granted"))
        self.assertEqual(entry.pos_config_id, self.shop)
        self.assertEqual(entry.pos_employee_name, self.pos_user.name)
        self.assertEqual(entry.user_id, self.pos_user)
        self.assertIn("Shop", entry.proof)
        self.assertIn(self.pos_user.name, entry.proof)

        order = self.env["pos.order"].search([("session_id", "=", self.shop.current_session_id.id)])
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.intellipush_receipt_sms_sent_number, "+47 412 34 567")
        sms = self._receipt_sms(order)
        self.assertEqual(len(sms), 1)

        self._process_queue()
        received = self.sandbox.messages()
        self.assertEqual([(msg["countrycode"], msg["phonenumber"]) for msg in received], [("0047", "41234567")])
        self.assertIn(f"Kvittering {order.pos_reference}", received[0]["message"])
        self.assertEqual(received[0]["message"], sms.body)

    def test_quick_sms_from_the_register(self):
        self.shop.with_user(self.pos_user).open_ui()

        self.start_pos_tour("intellipush_sms_pos_quick_sms_tour", login="pos_user")

        message = self.env["intellipush.pos.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(message), 1)
        self.assertEqual(message.body, "Hei Kari! Sykkelen din er ferdig reparert \u2013 hentes i dag?")
        self.assertEqual((message.config_id, message.template_id), (self.shop, self.pickup_template))
        self.assertEqual(message.employee_name, self.pos_user.name)
        self.assertEqual((message.sms_id.sms_encoding, message.sms_id.sms_segments), ("UCS-2", 1), "as counted")

        self._process_queue()
        received = self.sandbox.messages()
        self.assertEqual(
            [(msg["countrycode"], msg["phonenumber"], msg["message"]) for msg in received],
            [("0047", "41234567", message.body)],
        )

    def test_refused_quick_sms_is_not_reported_as_sent(self):
        self.env["phone.blacklist"].sudo()._add(["+4741234567"])
        self.shop.with_user(self.pos_user).open_ui()

        self.start_pos_tour("intellipush_sms_pos_refused_tour", login="pos_user")

        message = self.env["intellipush.pos.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(message.sms_state, "canceled")

    def test_offline_register_sends_once_when_back_online(self):
        self.shop.with_user(self.pos_user).open_ui()

        self.start_pos_tour("intellipush_sms_pos_offline_tour", login="pos_user")

        order = self.env["pos.order"].search([("session_id", "=", self.shop.current_session_id.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(len(self._receipt_sms(order)), 1)
        message = self.env["intellipush.pos.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(message), 1)
        self.assertEqual(message.sms_id.body, "Hei Kari! Sykkelen din er klar til henting.")
        self.assertLessEqual(message.requested_at, message.create_date, "asked for offline, received later")

        self._process_queue()
        self.assertEqual(
            sorted(msg["message"][:20] for msg in self.sandbox.messages()),
            ["Hei Kari! Sykkelen d", "Hei Kari! Takk for h"],
        )

    @mute_logger("odoo.addons.intellipush_sms_pos.models.intellipush_pos_sms")
    def test_a_message_the_server_cannot_handle_now_stays_on_the_register(self):
        partner_class = type(self.env["res.partner"])
        post = partner_class._message_sms
        calls = []

        def post_failing_once(partner, *args, **kwargs):
            calls.append(partner.id)
            if len(calls) == 1:
                raise RuntimeError("simulated failure while posting")
            return post(partner, *args, **kwargs)

        self.shop.with_user(self.pos_user).open_ui()

        with patch.object(partner_class, "_message_sms", post_failing_once):
            self.start_pos_tour("intellipush_sms_pos_kept_tour", login="pos_user")

        self.assertEqual(len(calls), 2, "kept once, then sent")
        message = self.env["intellipush.pos.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(message), 1)
        self.assertEqual(message.sms_id.body, "Hei Kari! Sykkelen din er klar til henting.")
        self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])
