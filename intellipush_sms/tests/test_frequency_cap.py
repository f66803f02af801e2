from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import FREQUENCY_CAP, IntellipushCase

WEB_FORM_PROOF = "Kryss av for SMS-tilbud i kundeklubbskjemaet på nett."
OFFER = "Helgetilbud: 20 % på alle jakker!"


@tagged("post_install", "-at_install", "intellipush")
class TestFrequencyCap(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(cls.company, **FREQUENCY_CAP)
        (cls.partner_kari | cls.partner_ola).write(
            {"sms_consent_state": "granted", "sms_consent_channel": "web_form", "sms_consent_proof": WEB_FORM_PROOF}
        )
        cls.kari_number = "+4741234567"

    def _marketing_sms(self, partner, number=None, purpose="marketing", body=OFFER):
        return (
            self.env["sms.sms"]
            .sudo()
            .create(
                {
                    "number": number or partner.phone_sanitized,
                    "partner_id": partner.id,
                    "body": body,
                    "sms_purpose": purpose,
                }
            )
            ._intellipush_queue()
        )

    def _skipped(self, partner):
        """The skip reasons the estimate of one more marketing SMS to ``partner`` finds."""
        return self.env["sms.sms"]._intellipush_reachable(
            [(partner.phone_sanitized, partner)], OFFER, "marketing", self.company
        )[2]

    def _sent_at(self, sms, moment):
        sms.write({"sent_at": moment})

    def test_a_sent_campaign_sms_caps_the_next_one_and_says_why(self):
        first = self._marketing_sms(self.partner_kari)
        self._process_queue()
        self.assertEqual(first.state, "pending")

        second = self._marketing_sms(self.partner_kari)

        self.assertEqual((second.state, second.intellipush_skip_reason), ("canceled", "frequency_cap"))
        self.assertEqual(second.failure_type, "sms_frequency_cap")
        self.assertIn("1 marketing SMS in the last 24 hours (at most 1)", second.failure_reason)
        self.assertFalse(second.credit_state, "a capped SMS never sets credits aside")
        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 1, "Kari got one marketing SMS")
        self.assertEqual(
            self.env["sms.sms"]
            ._intellipush_estimate(
                [(self.kari_number, self.partner_kari), (self.partner_ola.phone_sanitized, self.partner_ola)],
                OFFER,
                "marketing",
                self.company,
            )
            .split("; ")[-1],
            "1 skipped: Frequency cap reached",
            "the estimate counts her as skipped, and why",
        )

    def test_the_24_hour_boundary_one_second_in_and_out(self):
        first = self._marketing_sms(self.partner_kari)
        self._process_queue()
        now = fields.Datetime.now()
        self.company.intellipush_cap_per_week = 0
        with freeze_time(now):
            self._sent_at(first, now - timedelta(hours=24) + timedelta(seconds=1))
            self.assertEqual(self._skipped(self.partner_kari), {"frequency_cap": 1}, "23:59:59 ago: still counts")
            self._sent_at(first, now - timedelta(hours=24))
            self.assertFalse(self._skipped(self.partner_kari), "exactly 24 hours ago: no longer counts")
            self._sent_at(first, now - timedelta(hours=24) - timedelta(seconds=1))
            self.assertFalse(self._skipped(self.partner_kari), "24:00:01 ago: no longer counts")
            again = self._marketing_sms(self.partner_kari)
        self.assertEqual(again.state, "outgoing", "the next day's campaign goes")

    def test_the_weekly_limit_counts_seven_days(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            for days in (2, 4, 6):
                sms = self._marketing_sms(self.partner_kari)
                sms._intellipush_set_state("pending", values={"sent_at": now - timedelta(days=days)})
            self.assertEqual(self._skipped(self.partner_kari), {"frequency_cap": 1}, "3 in 7 days: the week is full")
            capped = self._marketing_sms(self.partner_kari)
            self.assertIn("3 marketing SMS in the last 7 days (at most 3)", capped.failure_reason)
            sms._intellipush_set_state("pending", values={"sent_at": now - timedelta(days=7)})
            self.assertFalse(self._skipped(self.partner_kari), "the oldest is 7 days old: it no longer counts")

    def test_queued_sms_count_failed_and_cancelled_do_not(self):
        queued = self._marketing_sms(self.partner_kari)
        self.assertEqual(queued.state, "outgoing")
        self.assertEqual(self._skipped(self.partner_kari), {"frequency_cap": 1}, "a queued SMS will go: it counts")
        queued.action_set_canceled()
        self.assertFalse(self._skipped(self.partner_kari), "a cancelled SMS never reached her")
        failed = self._marketing_sms(self.partner_kari)
        self.sandbox.set_number_outcome("0047", "41234567", "reject_invalid")
        self._process_queue()
        self.assertEqual(failed.state, "error")
        self.assertFalse(self._skipped(self.partner_kari), "a refused SMS never reached her")

    def test_a_retried_sms_is_not_capped_by_itself(self):
        self.sandbox.set_number_outcome("0047", "41234567", "reject_invalid")
        failed = self._marketing_sms(self.partner_kari)
        self._process_queue()
        self.assertEqual(failed.state, "error")
        self.sandbox.set_number_outcome("0047", "41234567", "deliver")

        failed.action_set_outgoing()

        self.assertEqual(failed.state, "outgoing")
        self._process_queue()
        self.assertEqual(failed.state, "pending")

    def test_one_batch_counts_its_own_sms(self):
        both = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {
                        "number": self.kari_number,
                        "partner_id": self.partner_kari.id,
                        "body": OFFER,
                        "sms_purpose": "marketing",
                    },
                    {
                        "number": self.kari_number,
                        "partner_id": self.partner_kari.id,
                        "body": "Nyhet!",
                        "sms_purpose": "marketing",
                    },
                ]
            )
        )
        self.assertEqual(both.mapped("state"), ["outgoing", "canceled"], "the first goes, the second is capped")
        self.assertEqual(both[1].intellipush_skip_reason, "frequency_cap")

    def test_transactional_sms_and_access_codes_are_never_capped(self):
        self._marketing_sms(self.partner_kari)
        self._process_queue()
        order = self._marketing_sms(self.partner_kari, purpose="transactional", body="Ordren din er klar til henting.")
        code = self._marketing_sms(self.partner_kari, purpose="access_code", body="Koden din er 123456.")
        self.assertEqual((order.state, code.state), ("outgoing", "outgoing"))
        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 3)

    def test_without_the_cap_every_campaign_goes(self):
        self.company.intellipush_frequency_cap = False
        self._marketing_sms(self.partner_kari)
        self.assertEqual(self._marketing_sms(self.partner_kari).state, "outgoing")
        self.company.write(
            {"intellipush_frequency_cap": True, "intellipush_cap_per_day": 0, "intellipush_cap_per_week": 0}
        )
        self.assertEqual(self._marketing_sms(self.partner_kari).state, "outgoing", "0 and 0: no limit")

    def test_settings_refuse_a_negative_limit(self):
        settings = Form(self.env["res.config.settings"])
        settings.intellipush_frequency_cap = True
        settings.intellipush_cap_per_day = 2
        settings.intellipush_cap_per_week = 5
        settings.save().execute()
        self.assertEqual((self.company.intellipush_cap_per_day, self.company.intellipush_cap_per_week), (2, 5))
        with self.assertRaises(ValidationError):
            self.company.intellipush_cap_per_day = -1

    def test_the_composer_estimate_and_its_sms_count_the_cap(self):
        self._marketing_sms(self.partner_kari)
        partners = self.partner_kari | self.partner_ola
        composer = self._mass_composer(partners, OFFER, sms_purpose="marketing")
        self.assertIn("1 skipped: Frequency cap reached", composer.intellipush_cost_summary)

        sms = composer._action_send_sms()

        capped = sms.filtered(lambda record: record.partner_id == self.partner_kari)
        self.assertEqual((capped.state, capped.intellipush_skip_reason), ("canceled", "frequency_cap"))
        self.assertEqual(sms.filtered(lambda record: record.partner_id == self.partner_ola).state, "outgoing")

    def test_one_query_counts_the_cap_for_any_number_of_recipients(self):
        many = self.env["res.partner"].create(
            [
                {
                    "name": f"Kunde {index}",
                    "mobile": f"+47 4009 {1000 + index}",
                    "sms_consent_state": "granted",
                    "sms_consent_channel": "web_form",
                    "sms_consent_proof": WEB_FORM_PROOF,
                }
                for index in range(40)
            ]
        )
        self._marketing_sms(many[0])

        def queries(partners):
            recipients = [(partner.phone_sanitized, partner) for partner in partners]
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            skipped = self.env["sms.sms"]._intellipush_reachable(recipients, OFFER, "marketing", self.company)[2]
            return self.env.cr.sql_log_count - before, skipped

        few_queries, few_skipped = queries(many[:2])
        many_queries, many_skipped = queries(many)
        self.assertEqual(few_queries, many_queries, "the same queries for 2 recipients as for 40")
        self.assertEqual((few_skipped, many_skipped), ({"frequency_cap": 1}, {"frequency_cap": 1}))
