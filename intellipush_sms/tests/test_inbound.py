from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged
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


@tagged("post_install", "-at_install", "intellipush")
class TestInboxReplies(IntellipushCase):
    """The two-way inbox: a customer's question waits until someone answers it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="kasse", name="Kari Kasse", groups="base.group_user,intellipush_sms.group_intellipush_user"
        )

    def _receive(self, phonenumber, text):
        self.sandbox.add_inbound("0047", phonenumber, text)
        self.env["intellipush.inbound.sms"]._cron_intellipush_inbound()
        return self.env["intellipush.inbound.sms"].search([("body", "=", text)])

    def _reply(self, message, text, user=None):
        message = message.with_user(user or self.clerk)
        wizard = Form(
            self.env["intellipush.inbound.reply"]
            .with_user(user or self.clerk)
            .with_context(**message.action_intellipush_reply()["context"])
        )
        wizard.body = text
        return wizard.save().action_send()

    def test_a_question_waits_for_a_reply_and_a_keyword_does_not(self):
        question = self._receive("41234567", "Har dere åpent på søndag?")
        stop = self._receive("93456789", "stopp")
        self.assertEqual((question.state, question.reply_state), ("done", "to_reply"))
        self.assertEqual(stop.reply_state, "none")

    def test_reply_from_the_inbox_goes_to_the_number_and_onto_the_chatter(self):
        question = self._receive("41234567", "Har dere åpent på søndag?")
        self._reply(question, "Ja, 12-16!")
        self._process_queue()

        self.assertEqual(
            [(m["phonenumber"], m["message"]) for m in self.sandbox.messages()], [("41234567", "Ja, 12-16!")]
        )
        self.assertEqual((question.reply_state, question.replied_by_id), ("replied", self.clerk))
        self.assertEqual(question.reply_sms_ids.body, "Ja, 12-16!")
        chatter = self.partner_kari.message_ids.filtered(lambda msg: msg.message_type == "sms").mapped("body")
        self.assertTrue(any("Ja, 12-16!" in body for body in chatter), "the reply is on Kari's chatter")
        self.assertTrue(any("søndag" in body for body in chatter), "beside her question")

    def test_reply_to_an_unknown_number(self):
        question = self._receive("99887766", "Hvem er dette?")
        self.assertFalse(question.partner_id)
        self._reply(question, "Demobutikk her!")
        self._process_queue()
        self.assertEqual([m["phonenumber"] for m in self.sandbox.messages()], ["99887766"])
        self.assertEqual(question.reply_state, "replied")

    def test_an_empty_reply_is_refused(self):
        question = self._receive("41234567", "Hei?")
        wizard = (
            self.env["intellipush.inbound.reply"]
            .with_user(self.clerk)
            .create({"inbound_id": question.id, "body": "   "})
        )
        with self.assertRaises(UserError):
            wizard.action_send()
        self.assertEqual(question.reply_state, "to_reply")
        self.assertFalse(self.env["sms.sms"].search([("number", "like", "41234567")]))

    def test_mark_handled_and_reopen(self):
        question = self._receive("41234567", "Takk for hjelpen!")
        question.with_user(self.clerk).action_intellipush_mark_handled()
        self.assertEqual((question.reply_state, question.replied_by_id), ("handled", self.clerk))
        question.with_user(self.clerk).action_intellipush_reopen()
        self.assertEqual(question.reply_state, "to_reply")

    def test_an_sms_written_to_the_contact_answers_it(self):
        question = self._receive("41234567", "Er pakken min sendt?")
        self.assertEqual(self.partner_kari.with_user(self.clerk).intellipush_inbound_to_reply_count, 1)
        composer = (
            self.env["sms.composer"]
            .with_context(
                active_model="res.partner", active_id=self.partner_kari.id, default_composition_mode="comment"
            )
            .create({"body": "Ja, i dag!"})
        )
        composer.action_send_sms()
        self.assertEqual(question.reply_state, "replied")
        self.env.invalidate_all()  # the form is read again after sending
        self.assertEqual(self.partner_kari.with_user(self.clerk).intellipush_inbound_to_reply_count, 0)
