from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import IntellipushCase


@tagged("post_install", "-at_install", "intellipush")
class TestSmsSend(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.club = cls.env["intellipush.sms.list"].create(
            {
                "name": "Kundeklubben",
                "contact_ids": [
                    (0, 0, {"name": "Kari N.", "number": "41234567"}),  # Kari's number again
                    (0, 0, {"name": "Nina Berg", "number": "+47 400 00 001"}),
                    (0, 0, {"name": "Feil Nummer", "number": "12"}),
                ],
            }
        )

    def _send(self, **values):
        return self.env["intellipush.sms.send"].create(
            {"name": "Julestengt", "body": "Hei {{ object.sms_first_name }}! Vi holder stengt 1. juledag.", **values}
        )

    def _reserved(self):
        self.wallet.invalidate_recordset()
        return self.wallet.reserved

    def test_recipients_are_deduplicated_and_invalid_ones_listed(self):
        send = self._send(
            partner_ids=[(6, 0, (self.partner_kari | self.partner_ola).ids)],
            list_ids=[(6, 0, self.club.ids)],
            numbers="412 34 567\n+47 400 00 002; hallo, 0047 400 00 001",
            sms_purpose="transactional",
            transactional_reason="Stengt 1. juledag: alle medlemmer må vite det",
        )
        self.assertEqual(send.recipient_count, 4, "Kari, Ola, Nina and one typed number")
        self.assertIn("Feil Nummer", send.invalid_recipients)
        self.assertIn("hallo", send.invalid_recipients)
        self.assertIn("4 SMS", send.cost_summary)

        result = send.action_send()

        self.assertEqual(send.state, "done")
        self.assertIn("4 SMS queued", result["params"]["message"])
        sms = send.run_ids.sms_ids
        self.assertEqual(sorted(sms.mapped("number")), ["+4740000001", "+4740000002", "+4741234567", "+4793456789"])
        by_number = {record.number: record for record in sms}
        self.assertEqual(by_number["+4741234567"].body, "Hei Kari! Vi holder stengt 1. juledag.")
        self.assertEqual(by_number["+4741234567"].partner_id, self.partner_kari)
        self.assertEqual(by_number["+4740000002"].body, "Hei! Vi holder stengt 1. juledag.")
        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 4)

    def test_a_clerk_greets_by_first_name(self):
        """A clerk is no template editor: the first-name greeting is still theirs to write."""
        clerk = new_test_user(self.env, login="butikkmedarbeider", groups="intellipush_sms.group_intellipush_user")
        send = self._send(partner_ids=[(6, 0, self.partner_kari.ids)]).with_user(clerk)
        send.action_send()
        self.assertEqual(send.run_ids.sms_ids.body, "Hei Kari! Vi holder stengt 1. juledag.")

    def test_scheduled_send_is_held_by_intellipush_until_its_time(self):
        send_at = fields.Datetime.now().replace(second=0, microsecond=0) + timedelta(hours=2)
        send = self._send(partner_ids=[(6, 0, self.partner_kari.ids)], schedule_type="later", send_at=send_at)
        reserved_before = self._reserved()

        send.action_send()

        self.assertEqual(send.state, "scheduled")
        sms = send.run_ids.sms_ids
        self.assertEqual((sms.state, sms.credit_state), ("outgoing", "reserved"))
        self.assertGreater(self._reserved(), reserved_before, "credits are set aside when scheduled")
        self._process_queue()
        # CONTRACT §4.1: handed over with its date and time (Oslo), Intellipush holds it until then.
        (held,) = self.sandbox.messages()
        self.assertEqual(held["scheduled"], self.company._intellipush_account_time(send_at).strftime("%Y-%m-%d %H:%M"))
        self.assertFalse(held["sendt"], "nothing leaves before its time")
        self.assertEqual((sms.state, sms.intellipush_send_at, sms.credit_state), ("pending", send_at, "debited"))
        self.assertGreater(sms.intellipush_next_status_check_at, send_at, "not asked about before its time")

        self.sandbox.advance_clock(3 * 3600)
        self.sandbox.deliver()
        with freeze_time(send_at + timedelta(minutes=2)):
            self.env["sms.sms"]._cron_intellipush_status()
            self.env["intellipush.sms.send"]._cron_intellipush_scheduled_sends()
        self.assertEqual(sms.state, "sent")
        self.assertEqual(len(self.sandbox.messages()), 1)
        self.assertEqual(send.state, "done")

    def test_cancelled_schedule_gives_credits_back_here_and_at_intellipush(self):
        send = self._send(
            partner_ids=[(6, 0, (self.partner_kari | self.partner_ola).ids)],
            schedule_type="later",
            send_at=fields.Datetime.now() + timedelta(days=1),
        )
        available_before = self.wallet._available()
        send.action_send()
        self._process_queue()
        held = send.run_ids.sms_ids
        self.assertEqual(set(held.mapped("state")), {"pending"})
        self.assertLess(self.wallet._available(), available_before)

        send.action_cancel()

        self.assertEqual(send.state, "canceled")
        self.assertEqual(set(held.mapped("state")), {"canceled"})
        self.assertEqual(set(held.mapped("credit_state")), {"refunded"})
        self.assertEqual(self.wallet._available(), available_before, "the credits are given back")
        self.assertEqual([msg["deleted"] for msg in self.sandbox.messages()], [1, 1], "withdrawn at Intellipush")
        self._process_queue()
        self.assertFalse(self.sandbox.messages() and any(not msg["deleted"] for msg in self.sandbox.messages()))

    def test_cancelled_schedule_before_hand_over_releases_credits(self):
        send = self._send(
            partner_ids=[(6, 0, self.partner_kari.ids)],
            schedule_type="later",
            send_at=fields.Datetime.now() + timedelta(days=1),
        )
        reserved_before = self._reserved()
        send.action_send()
        send.action_cancel()
        self.assertEqual(send.run_ids.sms_ids.credit_state, "released")
        self.assertEqual(self._reserved(), reserved_before)
        self._process_queue()
        self.assertFalse(self.sandbox.messages())

    def test_editing_a_scheduled_send_requeues_it(self):
        send = self._send(
            partner_ids=[(6, 0, self.partner_kari.ids)],
            schedule_type="later",
            send_at=fields.Datetime.now() + timedelta(days=1),
        )
        send.action_send()
        self._process_queue()
        first = send.run_ids.sms_ids
        send.body = "Endret: vi holder åpent 1. juledag!"
        self.assertEqual(first.state, "canceled")
        self.assertEqual(send.run_ids.sms_ids.filtered(lambda sms: sms.state == "outgoing").body, send.body)
        self._process_queue()
        waiting = [msg["text_message"] for msg in self.sandbox.messages() if not msg["deleted"]]
        self.assertEqual(waiting, [send.body], "only the edited text waits at Intellipush")

    def test_withdrawing_an_sms_intellipush_already_sent_is_refused(self):
        sms = self._queue_sms(["41234567"])
        self._process_queue()
        sms.intellipush_send_at = fields.Datetime.now() + timedelta(hours=1)  # as if it were scheduled
        with self.assertRaisesRegex(UserError, "did not withdraw"):
            sms.action_intellipush_withdraw()
        self.assertEqual((sms.state, sms.credit_state), ("pending", "debited"))

    def test_monthly_on_the_31st_runs_on_the_last_day_of_shorter_months(self):
        send = self._send(
            list_ids=[(6, 0, self.club.ids)],
            sms_purpose="transactional",
            transactional_reason="Månedlig påminnelse om kontingent",
            schedule_type="recurring",
            tz="Europe/Oslo",
            send_at=datetime(2027, 1, 15, 9, 0),  # 10:00 in Oslo
            frequency="monthly",
            month_day=31,
            end_type="count",
            max_runs=3,
        )
        with freeze_time("2027-01-15 09:00:00"):
            send.action_send()
        self.assertEqual(send.next_run_at, datetime(2027, 1, 31, 9, 0))

        expected = [datetime(2027, 2, 28, 9, 0), datetime(2027, 3, 31, 8, 0), False]  # summer time from 28 March
        for run_time, next_run in zip(
            ["2027-01-31 09:00:30", "2027-02-28 09:00:30", "2027-03-31 08:00:30"], expected, strict=True
        ):
            with freeze_time(run_time):
                self.assertEqual(self.env["intellipush.sms.send"]._cron_intellipush_scheduled_sends(), 1)
            self.assertEqual(send.next_run_at, next_run)
            if run_time.startswith("2027-01"):
                # The list of the moment: a member who joins gets the next runs.
                self.club.contact_ids = [(0, 0, {"name": "Ny Medlem", "number": "+47 400 00 009"})]
        self.assertEqual(send.state, "done")
        self.assertEqual(send.run_ids.sorted("date").mapped("queued_count"), [2, 3, 3])

    def test_weekly_pause_and_resume(self):
        send = self._send(
            partner_ids=[(6, 0, self.partner_kari.ids)],
            schedule_type="recurring",
            tz="Europe/Oslo",
            send_at=datetime(2026, 11, 30, 7, 0),  # a Monday, 08:00 in Oslo
            frequency="weekly",
            on_monday=True,
            on_thursday=True,
        )
        with freeze_time("2026-11-29 12:00:00"):
            send.action_send()
        self.assertEqual(send.next_run_at, datetime(2026, 11, 30, 7, 0))
        with freeze_time("2026-11-30 07:01:00"):
            self.env["intellipush.sms.send"]._cron_intellipush_scheduled_sends()
        self.assertEqual(send.next_run_at, datetime(2026, 12, 3, 7, 0), "Thursday next")

        send.action_pause()
        with freeze_time("2026-12-03 07:01:00"):
            self.assertEqual(self.env["intellipush.sms.send"]._cron_intellipush_scheduled_sends(), 0)
        with freeze_time("2026-12-05 12:00:00"):
            send.action_resume()
        self.assertEqual(send.state, "scheduled")
        self.assertEqual(send.next_run_at, datetime(2026, 12, 7, 7, 0), "missed runs are skipped, not sent late")
        self.assertEqual(len(send.run_ids), 1)

    def test_files_go_as_short_links_anyone_with_the_link_can_open(self):
        newsletter = self.env["ir.attachment"].create(
            {"name": "nyhetsbrev.pdf", "datas": "JVBERi0xLjQK", "mimetype": "application/pdf"}
        )
        text = "Nyhetsbrevet for desember er her, med julens beste tilbud og nye åpningstider. " * 2
        send = self._send(partner_ids=[(6, 0, self.partner_kari.ids)], body=text.strip())
        self.assertIn("1 segment(s)", send.cost_summary)
        send.attachment_ids = newsletter
        self.assertIn("2 segment(s)", send.cost_summary, "the link is counted before sending")
        send.action_send()

        sms = send.run_ids.sms_ids
        first_line, link = sms.body.split("\n")
        self.assertEqual(first_line, text.strip())
        code = link.rsplit("/r/", 1)[1]
        tracker = self.env["link.tracker.code"].search([("code", "=", code)]).link_id
        self.assertTrue(newsletter.access_token)
        self.assertTrue(tracker.url.endswith(f"/web/content/{newsletter.id}?access_token={newsletter.access_token}"))

    def test_a_schedule_in_the_past_is_refused_and_a_future_one_confirmed(self):
        past = self._send(
            partner_ids=[(6, 0, self.partner_kari.ids)],
            schedule_type="later",
            send_at=fields.Datetime.now() - timedelta(minutes=5),
        )
        with self.assertRaisesRegex(UserError, "has passed"):
            past.action_send()
        self.assertEqual(past.state, "draft")
        self.assertFalse(self.env["sms.sms"].search([("intellipush_send_run_id.send_id", "=", past.id)]))

        future = self._send(
            partner_ids=[(6, 0, self.partner_kari.ids)],
            schedule_type="later",
            send_at=fields.Datetime.now() + timedelta(days=1),
        )
        result = future.action_send()
        self.assertEqual(result["params"]["title"], "SMS scheduled")
        self.assertIn("1 SMS will go", result["params"]["message"])

    def test_an_empty_message_never_reaches_the_queue(self):
        send = self._send(partner_ids=[(6, 0, self.partner_kari.ids)], body="   ")
        with self.assertRaisesRegex(UserError, "empty"):
            send.action_send()
        # The composer of a contact lets the form be saved empty and says why it does not send.
        composer_form = Form(
            self.env["sms.composer"].with_context(
                default_res_model="res.partner", default_res_id=self.partner_kari.id, default_composition_mode="comment"
            )
        )
        composer_form.body = ""
        with self.assertRaisesRegex(UserError, "Write the message first: an empty SMS is not sent."):
            composer_form.save().action_send_sms()
        # Whatever creates it: an empty SMS is cancelled with its reason, never handed to Intellipush.
        sms = self._queue_sms(["41234567"], body="")
        self._process_queue()
        self.assertEqual((sms.state, sms.failure_type), ("canceled", "sms_invalid_message"))
        self.assertIn("empty", sms.failure_reason)
        self.assertFalse(self.sandbox.messages())
        self.assertEqual(sms.credit_state, False, "nothing reserved")

    def test_a_send_to_a_list_is_marketing_unless_a_reason_says_otherwise(self):
        send = self._send(list_ids=[(6, 0, self.club.ids)])
        self.assertEqual(send.sms_purpose, "marketing", "a list is marketing by default")
        self.assertTrue(send.intellipush_is_bulk)
        send.sms_purpose = "transactional"
        with self.assertRaisesRegex(UserError, "Why Transactional"):
            send.action_send()
        self.assertFalse(self.sandbox.messages())
        few = self._send(partner_ids=[(6, 0, self.partner_kari.ids)])
        self.assertEqual(few.sms_purpose, "transactional", "one contact: transactional as before")

    def test_list_entries_are_greeted_by_name_and_linked_to_their_contact(self):
        kari_entry = self.club.contact_ids.filtered(lambda entry: entry.name == "Kari N.")
        self.assertEqual(kari_entry.partner_id, self.partner_kari, "linked by her number")
        send = self._send(
            list_ids=[(6, 0, self.club.ids)],
            sms_purpose="transactional",
            transactional_reason="Stengt 1. juledag: alle medlemmer må vite det",
        )
        send.action_send()
        texts = {sms.number: sms.body for sms in send.run_ids.sms_ids}
        self.assertIn("Hei Kari!", texts["+4741234567"])
        self.assertIn("Hei Nina!", texts["+4740000001"], "a list entry without a contact keeps its name")

    def test_a_list_entry_that_is_no_mobile_number_says_so_at_once(self):
        wrong = self.club.contact_ids.filtered(lambda entry: entry.name == "Feil Nummer")
        self.assertEqual(wrong.number_problem, "too few digits")
        nina = self.club.contact_ids.filtered(lambda entry: entry.name == "Nina Berg")
        self.assertFalse(nina.number_problem)
