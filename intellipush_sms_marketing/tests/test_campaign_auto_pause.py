from collections import Counter

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import create_customers, create_sms_mailing

BATCH = 10


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignAutoPause(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Judged after one batch of 10: 10 % opt-outs or failures at most.
        cls._configure_company(
            cls.company,
            intellipush_optout_footer=False,
            intellipush_optout_confirmation=False,
            intellipush_auto_pause=True,
            intellipush_pause_optout_rate=10.0,
            intellipush_pause_failure_rate=10.0,
            intellipush_pause_min_sent=BATCH,
        )
        cls.env["ir.config_parameter"].sudo().set_param("intellipush_sms.batch_size", str(BATCH))
        cls.customers = create_customers(cls.env, 30, first_number=40081000)
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Marte Markedssjef",
                "login": "marte.markedssjef",
                "groups_id": [
                    (4, cls.env.ref("intellipush_sms.group_intellipush_manager").id),
                    (4, cls.env.ref("mass_mailing.group_mass_mailing_user").id),
                ],
            }
        )
        cls.responsible = cls.env["res.users"].create(
            {
                "name": "Jonas Kampanje",
                "login": "jonas.kampanje",
                "groups_id": [(4, cls.env.ref("mass_mailing.group_mass_mailing_user").id)],
            }
        )

    def _start_campaign(self):
        mailing = create_sms_mailing(
            self.env,
            "Vinterkampanje",
            "Vinterkampanje: 30 % på alle luer!",
            self.customers,
            user_id=self.responsible.id,
        )
        mailing.action_send_sms()
        self.env["sms.sms"]._cron_intellipush_dispatch(max_batches=1)
        self.assertEqual(len(self.sandbox.messages()), BATCH)
        return mailing

    def _reply_stop(self, count):
        """``count`` of the recipients who got the first batch answer STOPP."""
        for message in self.sandbox.messages()[:count]:
            self.sandbox.add_inbound(message["countrycode"], message["phonenumber"], "STOPP")
        self.env["intellipush.inbound.sms"]._cron_intellipush_inbound()

    def _campaign_sms(self, mailing, state):
        return self.env["sms.sms"].search([("mailing_id", "=", mailing.id), ("state", "=", state)])

    def test_stop_replies_over_the_threshold_pause_it_until_resumed_then_everyone_gets_it_once(self):
        mailing = self._start_campaign()

        self._reply_stop(2)  # 20 % of the 10 sent

        self.assertTrue(mailing.intellipush_paused)
        self.assertIn("2 opt-outs of 10 SMS sent (20.0 %, the limit is 10.0 %)", mailing.intellipush_pause_reason)
        activities = mailing.activity_ids.filtered(
            lambda act: act.activity_type_id
            == self.env.ref("intellipush_sms_marketing.mail_activity_type_campaign_paused")
        )
        self.assertIn(self.responsible, activities.user_id, "the campaign's responsible is told")
        self.assertIn(self.manager, activities.user_id, "the SMS managers are told")
        self.assertIn("20 SMS wait", mailing.message_ids[0].body)
        waiting = self._campaign_sms(mailing, "outgoing")
        self.assertEqual(len(waiting), 20)
        self.assertEqual(set(waiting.mapped("credit_state")), {"reserved"}, "nothing is dropped: credits stay reserved")

        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual(len(self.sandbox.messages()), BATCH, "a paused campaign sends nothing more")

        mailing.with_user(self.responsible).action_intellipush_resume()
        self.env["sms.sms"]._cron_intellipush_dispatch()

        self.assertFalse(mailing.intellipush_paused)
        self.assertFalse(activities.exists(), "the pause's activities are done")
        received = Counter(message["phonenumber"] for message in self.sandbox.messages())
        self.assertEqual(len(received), 30, "every recipient got it")
        self.assertEqual(set(received.values()), {1}, "and only once")
        self.assertIn("Sending resumed by Jonas Kampanje", mailing.message_ids[0].body)

    def test_a_rate_at_the_threshold_or_before_the_minimum_does_not_pause(self):
        mailing = self._start_campaign()
        self._reply_stop(1)  # 10 %: at the limit, not above it
        self.assertFalse(mailing.intellipush_paused)
        self.company.intellipush_pause_min_sent = 11
        self._reply_stop(2)  # 20 %, but only 10 handed over of the 11 it takes to judge
        self.assertFalse(mailing.intellipush_paused)
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual(len(self.sandbox.messages()), 30, "the campaign went to the end")

    def test_failures_reported_pause_it_and_cancel_releases_the_credits(self):
        available_before = self.wallet._available()
        mailing = self._start_campaign()
        sent = self._campaign_sms(mailing, "pending")
        self.sandbox.fail(sent[:2].mapped("intellipush_id"), reason="handset unreachable")
        self._poll_status_now()

        self.assertTrue(mailing.intellipush_paused, "2 of 10 not delivered: 20 % failures")
        self.assertIn("2 of 10 SMS failed (20.0 %, the limit is 10.0 %)", mailing.intellipush_pause_reason)
        waiting = self._campaign_sms(mailing, "outgoing")
        delivered_cost = sum(sent[2:].mapped("credit_cost"))
        reserved = sum(waiting.mapped("credit_cost"))
        self.assertAlmostEqual(float(available_before - self.wallet._available()), delivered_cost + reserved)

        mailing.with_user(self.manager).action_intellipush_cancel_paused()

        self.assertEqual(set(waiting.mapped("state")), {"canceled"})
        self.assertEqual(set(waiting.mapped("credit_state")), {"released"})
        self.assertIn("paused itself", waiting[0].failure_reason)
        self.assertAlmostEqual(
            float(available_before - self.wallet._available()),
            delivered_cost,
            msg="only the delivered SMS are paid for: the failed ones are refunded, the cancelled ones released",
        )
        self.assertFalse(mailing.intellipush_paused)
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual(len(self.sandbox.messages()), BATCH, "nothing more goes")
        with self.assertRaises(UserError):
            mailing.action_intellipush_resume()

    def test_numbers_intellipush_refuses_in_a_batch_pause_it_at_once(self):
        for number in ("40081000", "40081001"):
            self.sandbox.set_number_outcome("0047", number, "reject_invalid")
        mailing = create_sms_mailing(self.env, "Vinterkampanje", "Vinterkampanje: 30 % på alle luer!", self.customers)
        mailing.action_send_sms()

        self.env["sms.sms"]._cron_intellipush_dispatch()

        self.assertEqual(len(self._campaign_sms(mailing, "error")), 2, "refused by Intellipush in the first batch")
        self.assertTrue(mailing.intellipush_paused, "2 of 10 failed: 20 % failures, judged on that batch's answer")
        self.assertIn("2 of 10 SMS failed", mailing.intellipush_pause_reason)
        self.assertEqual(len(self.sandbox.messages()), BATCH - 2, "the next batches wait")
        self.assertEqual(len(self._campaign_sms(mailing, "outgoing")), 20)

    def test_a_resumed_campaign_is_not_paused_again_and_settings_refuse_nonsense(self):
        mailing = self._start_campaign()
        self._reply_stop(2)
        mailing.action_intellipush_resume()
        self._reply_stop(4)
        self.assertFalse(mailing.intellipush_paused, "the manager chose to go on")
        with self.assertRaises(ValidationError):
            self.company.intellipush_pause_optout_rate = 120
