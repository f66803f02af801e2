from collections import Counter
from datetime import datetime

from odoo.tests import freeze_time, tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import create_customers, create_sms_mailing


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignQuietHours(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._quiet_hours_on(cls.company)
        cls.customers = create_customers(cls.env, 5, first_number=40051000)

    def test_a_campaign_sent_at_2130_waits_until_0800_and_reaches_everyone_once(self):
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms.batch_size", "2")
        sms_model = self.env["sms.sms"]
        # Wednesday 2 December 2026, 21:30 in Oslo.
        with freeze_time("2026-12-02 20:30:00"):
            mailing = create_sms_mailing(self.env, "Julesalg", "Julesalg i morgen: 30 % på alt!", self.customers)
            self.assertEqual(mailing.intellipush_quiet_notice, "Held by quiet hours until 08:00", "said before sending")
            mailing.action_put_in_queue()
            # The mass mailing queue as its scheduled action runs it: it creates the SMS, then closes the mailing.
            self.env["mailing.mailing"]._process_mass_mailing_queue()
            sms_model._cron_intellipush_dispatch()
            self.env["mailing.mailing"]._process_mass_mailing_queue()

            self.assertFalse(self.sandbox.messages(), "nothing goes in the quiet hours")
            sms = sms_model.search([("mailing_id", "=", mailing.id)])
            self.assertEqual(len(sms), 5)
            self.assertEqual(set(sms.mapped("state")), {"outgoing"})
            self.assertEqual(set(sms.mapped("credit_state")), {"reserved"})
            mailing.invalidate_recordset()
            self.assertEqual(mailing.state, "done")
            self.assertEqual(mailing.intellipush_quiet_notice, "Held by quiet hours until 08:00")
            self.assertEqual((mailing.intellipush_handed_over, mailing.intellipush_to_send), (0, 5))
            self.assertIn(
                datetime(2026, 12, 3, 7, 0),
                self.env["ir.cron.trigger"]
                .search([("cron_id", "=", self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch").id)])
                .mapped("call_at"),
            )

        with freeze_time("2026-12-03 07:00:00"):
            sms_model._cron_intellipush_dispatch()
            mailing.invalidate_recordset()
            self.assertFalse(mailing.intellipush_quiet_notice)

        received = Counter(message["phonenumber"] for message in self.sandbox.messages())
        self.assertEqual(len(received), 5)
        self.assertEqual(set(received.values()), {1}, "every recipient once")
        self.assertSentOnce(sms)
        self.assertEqual((mailing.intellipush_handed_over, mailing.intellipush_to_send), (5, 5))

    def test_a_campaign_in_the_day_shows_no_notice_and_goes(self):
        with freeze_time("2026-12-02 11:00:00"):
            mailing = create_sms_mailing(self.env, "Lunsjtilbud", "Lunsjtilbud i dag!", self.customers[:2])
            self.assertFalse(mailing.intellipush_quiet_notice)
            mailing.action_send_sms()
            self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual(len(self.sandbox.messages()), 2)
