from datetime import datetime

from odoo.tests import Form, freeze_time, tagged

from .common import IntellipushCase

# Wednesday 2 December 2026: Oslo is UTC+1, so 21:00 there is 20:00 UTC.
AT_2059 = "2026-12-02 19:59:00"
AT_2100 = "2026-12-02 20:00:00"
NEXT_0759 = "2026-12-03 06:59:00"
NEXT_0800 = datetime(2026, 12, 3, 7, 0)


@tagged("post_install", "-at_install", "intellipush")
class TestQuietHours(IntellipushCase):
    """Marketing waits for the end of the quiet hours, queued with its credits
    set aside; nothing else ever waits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._quiet_hours_on(cls.company)
        (cls.partner_kari | cls.partner_ola).write(
            {
                "sms_consent_state": "granted",
                "sms_consent_channel": "web_form",
                "sms_consent_proof": "Kryss av for SMS-tilbud i kundeklubbskjemaet på nett.",
            }
        )
        cls.dispatch_cron = cls.env.ref("intellipush_sms.ir_cron_intellipush_dispatch")

    def _queue_marketing(self, partners=None, body="Julesalg i dag: 30 % på alt!"):
        partners = partners or self.partner_kari
        return (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {"number": partner.mobile, "partner_id": partner.id, "body": body, "sms_purpose": "marketing"}
                    for partner in partners
                ]
            )
            ._intellipush_queue()
        )

    def _dispatch_triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.dispatch_cron.id)]).mapped("call_at")

    def assertHeld(self, sms, notice):
        self.assertFalse(self.sandbox.messages(), "Intellipush received nothing")
        sms.invalidate_recordset()  # computed for the moment it is read: this test moves the clock
        for record in sms:
            self.assertEqual(record.state, "outgoing", "held, not dropped")
            self.assertEqual(record.credit_state, "reserved", "its credits stay set aside")
            self.assertEqual(record.intellipush_hold_notice, notice)

    def test_marketing_at_2059_goes_at_once(self):
        with freeze_time(AT_2059):
            sms = self._queue_marketing()
            self.assertFalse(sms.intellipush_hold_notice)
            self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])
        self.assertSentOnce(sms)

    def test_marketing_at_2100_waits_until_0800(self):
        with freeze_time(AT_2100):
            sms = self._queue_marketing(self.partner_kari | self.partner_ola)
            self._process_queue()
            self.assertHeld(sms, "Held by quiet hours until 08:00")
            self.assertEqual(set(sms.mapped("intellipush_held_until")), {NEXT_0800})
            self.assertIn(NEXT_0800, self._dispatch_triggers(), "the dispatch is woken when the quiet hours end")
            # The cron runs every few minutes all night: still one wake-up at 08:00.
            self._process_queue()
            self.assertEqual(self._dispatch_triggers().count(NEXT_0800), 1)
        with freeze_time(NEXT_0759):
            self._process_queue()
            self.assertHeld(sms, "Held by quiet hours until 08:00")
        with freeze_time(NEXT_0800):
            self._process_queue()
        self.assertEqual(sorted(self.sandbox_numbers()), [("0047", "41234567"), ("0047", "93456789")])
        self.assertSentOnce(sms)
        self.assertEqual(sms.mapped("intellipush_hold_notice"), [False, False])

    def test_transactional_at_2300_goes_at_once(self):
        with freeze_time("2026-12-02 22:00:00"):
            held = self._queue_marketing(self.partner_ola)
            message = self.partner_kari._message_sms("Hei Kari! Pakken din er klar til henting.")
            order_sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)])
            self.assertEqual(order_sms.sms_purpose, "transactional")
            self.assertFalse(order_sms.intellipush_hold_notice)
            self._process_queue()
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])
        self.assertSentOnce(order_sms)
        self.assertEqual(held.state, "outgoing")

    def test_quiet_hours_off_hold_nothing(self):
        self.company.intellipush_quiet_hours = False
        with freeze_time(AT_2100):
            sms = self._queue_marketing()
            self._process_queue()
        self.assertSentOnce(sms)

    def test_sunday_waits_for_monday_when_the_rule_says_so(self):
        self.company.intellipush_quiet_sundays = True
        # Saturday 5 December 2026 at 21:00, then Sunday noon: both wait for Monday 08:00.
        with freeze_time("2026-12-05 20:00:00"):
            saturday = self._queue_marketing()
            self._process_queue()
            self.assertHeld(saturday, "Held by quiet hours until Monday 12/07/2026 at 08:00")
        with freeze_time("2026-12-06 11:00:00"):
            sunday = self._queue_marketing(self.partner_ola)
            self._process_queue()
            self.assertHeld(saturday | sunday, "Held by quiet hours until 08:00")
            self.assertIn(datetime(2026, 12, 7, 7, 0), self._dispatch_triggers())
        with freeze_time("2026-12-07 07:00:00"):
            self._process_queue()
        self.assertSentOnce(saturday | sunday)

    def test_sunday_is_an_ordinary_day_without_the_rule(self):
        with freeze_time("2026-12-06 11:00:00"):
            sms = self._queue_marketing()
            self._process_queue()
        self.assertSentOnce(sms)

    def test_17_may_waits_when_holidays_are_quiet(self):
        # Wednesday 17 May 2028 at noon in Oslo (summer time, UTC+2).
        with freeze_time("2028-05-17 10:00:00"):
            ordinary = self._queue_marketing()
            self._process_queue()
        self.assertSentOnce(ordinary)  # without the holiday rule, a Wednesday like any other
        self.sandbox.reset()
        self.company.intellipush_quiet_holidays = True
        with freeze_time("2028-05-17 10:00:00"):
            sms = self._queue_marketing(self.partner_ola)
            self._process_queue()
            self.assertHeld(sms, "Held by quiet hours until 08:00")
            self.assertEqual(sms.intellipush_held_until, datetime(2028, 5, 18, 6, 0))
        with freeze_time("2028-05-18 05:59:00"):
            self._process_queue()
            self.assertHeld(sms, "Held by quiet hours until 08:00")
        with freeze_time("2028-05-18 06:00:00"):
            self._process_queue()
        self.assertSentOnce(sms)

    def test_a_scheduled_marketing_sms_is_not_handed_over_for_the_night(self):
        with freeze_time("2026-12-02 12:00:00"):
            late = self._queue_marketing()
            scheduled = (
                self.env["sms.sms"]
                .sudo()
                .create(
                    [
                        {
                            "number": partner.mobile,
                            "partner_id": partner.id,
                            "body": "Siste sjanse: julesalget slutter i kveld.",
                            "sms_purpose": purpose,
                            "intellipush_send_at": datetime(2026, 12, 2, 21, 30),  # 22:30 in Oslo
                        }
                        for partner, purpose in ((self.partner_kari, "marketing"), (self.partner_ola, "transactional"))
                    ]
                )
            )
        late.unlink()
        self.assertEqual(
            scheduled.mapped("intellipush_send_at"),
            [NEXT_0800, datetime(2026, 12, 2, 21, 30)],
            "marketing moves to 08:00, transactional keeps its time",
        )

    def test_the_send_forms_say_when_marketing_goes(self):
        with freeze_time("2026-12-02 20:30:00"):
            composer = self._mass_composer(self.partner_kari | self.partner_ola, "Julesalg i dag!")
            form = Form(composer)
            form.sms_purpose = "marketing"
            self.assertEqual(form.intellipush_quiet_notice, "Held by quiet hours until 08:00")
            form.sms_purpose = "transactional"
            self.assertFalse(form.intellipush_quiet_notice)

            send = self.env["intellipush.sms.send"].create(
                {"name": "Julesalg", "body": "Julesalg i dag!", "partner_ids": [(6, 0, self.partner_kari.ids)]}
            )
            send.sms_purpose = "marketing"
            self.assertEqual(send.quiet_notice, "Held by quiet hours until 08:00")
            send.write({"schedule_type": "later", "send_at": datetime(2026, 12, 3, 9, 0)})
            self.assertFalse(send.quiet_notice, "scheduled for 10:00 tomorrow, it goes then")

    def test_settings_defaults_and_form(self):
        branch = self.env["res.company"].create({"name": "Filial Tromsø"})
        self.assertEqual(
            (
                branch.intellipush_quiet_hours,
                branch.intellipush_quiet_start,
                branch.intellipush_quiet_end,
                branch.intellipush_quiet_tz,
                branch.intellipush_quiet_sundays,
                branch.intellipush_quiet_holidays,
            ),
            (True, 21.0, 8.0, "Europe/Oslo", True, True),
        )
        settings = Form(self.env["res.config.settings"])
        settings.intellipush_quiet_start = 22.5
        settings.intellipush_quiet_sundays = True
        settings.save().execute()
        self.assertEqual((self.company.intellipush_quiet_start, self.company.intellipush_quiet_sundays), (22.5, True))
