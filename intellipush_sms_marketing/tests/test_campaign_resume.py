from collections import Counter
from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.intellipush_sms.tests.common import IntellipushCase

from .common import create_customers, create_sms_mailing


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignResume(IntellipushCase):
    def test_crash_mid_campaign_then_resume_sends_each_recipient_once(self):
        customers = create_customers(self.env, 30, first_number=40021000)
        mailing = create_sms_mailing(self.env, "Vintersalg", "Vintersalg: 40 % på jakker!", customers)
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms.batch_size", "10")
        mailing.action_send_sms()
        sms_model = self.env["sms.sms"]

        sms_model._cron_intellipush_dispatch(max_batches=1)
        self.assertEqual(len(self.sandbox.messages()), 10)
        mailing.invalidate_recordset()
        self.assertEqual((mailing.intellipush_handed_over, mailing.intellipush_to_send), (10, 30), "progress shows")
        # The second batch reaches Intellipush but the answer is lost, as when
        # the worker dies while waiting for it.
        self.sandbox.inject_fault("drop_connection", endpoint="sms/createBatch")
        with mute_logger("odoo.addons.intellipush_sms.models.sms_sms"):
            sms_model._cron_intellipush_dispatch(max_batches=1)
        self.assertEqual(len(self.sandbox.messages()), 20)

        # Resume: the rest goes, the uncertain batch is settled without resending.
        with mute_logger("odoo.addons.intellipush_sms.models.sms_sms"):
            sms_model._cron_intellipush_dispatch()
            sms_model._intellipush_reconcile(grace=timedelta(0))
            sms_model._cron_intellipush_dispatch()

        received = Counter(message["phonenumber"] for message in self.sandbox.messages())
        self.assertEqual(len(received), 30)
        self.assertEqual(set(received.values()), {1}, "nobody got the campaign twice")
        self.assertEqual(set(sms_model.search([("mailing_id", "=", mailing.id)]).mapped("state")), {"pending"})
        mailing.invalidate_recordset()
        self.assertEqual(mailing.sent, 30)

    def test_a_trace_says_processing_while_its_answer_is_lost(self):
        """Intellipush may hold a campaign SMS whose answer was lost: its trace
        says Processing (the claim alone leaves it Outgoing), until reconciliation settles it."""
        customers = create_customers(self.env, 4, first_number=40022000)
        mailing = create_sms_mailing(self.env, "Julesalg", "Julesalg: 20 % på alt!", customers)
        mailing.action_send_sms()
        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.sandbox.inject_fault("drop_connection", endpoint="sms/createBatch")

        with mute_logger("odoo.addons.intellipush_sms.models.sms_sms"):
            self.env["sms.sms"]._cron_intellipush_dispatch()

        self.assertEqual(set(sms.mapped("state")), {"process"})
        self.assertEqual(set(sms.mailing_trace_ids.mapped("trace_status")), {"process"})
        self.env["sms.sms"]._intellipush_reconcile(grace=timedelta(0))
        self.assertEqual(set(sms.mapped("state")), {"pending"})
        self.assertEqual(set(sms.mailing_trace_ids.mapped("trace_status")), {"pending"})

    def test_a_large_campaign_is_created_in_chunks(self):
        # Odoo's composer cannot take more than about 12,000 recipients at
        # once; the campaign goes in chunks (of 10 here), each contact once.
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms_marketing.send_chunk", "10")
        customers = create_customers(self.env, 25, first_number=40041000)
        mailing = create_sms_mailing(self.env, "Sommersalg", "Sommersalg: 30 % på alt!", customers)

        mailing.action_send_sms()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(sms), 25)
        self.assertEqual(len(set(sms.mapped("number"))), 25)
        self.assertEqual(len(mailing.mailing_trace_ids), 25)
        mailing.action_send_sms()  # again: nobody is left to send to
        self.assertEqual(self.env["sms.sms"].search_count([("mailing_id", "=", mailing.id)]), 25)

    def test_a_number_shared_by_contacts_of_two_chunks_gets_the_campaign_once(self):
        self.env["ir.config_parameter"].sudo().set_param("intellipush_sms_marketing.send_chunk", "10")
        customers = create_customers(self.env, 12, first_number=40043000)
        # Zakarias shares his wife's number and comes in the second chunk (by name).
        husband = create_customers(self.env, 1, first_number=40043000, prefix="Zakarias")
        mailing = create_sms_mailing(self.env, "Sommersalg", "Sommersalg: 30 % på alt!", customers | husband)

        mailing.action_send_sms()

        sms = self.env["sms.sms"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(sms.filtered(lambda message: message.state == "outgoing")), 12)
        sharing = mailing.mailing_trace_ids.filtered(lambda trace: trace.res_id in (customers[0] | husband).ids)
        self.assertEqual(
            sorted((trace.trace_status, trace.failure_type or "") for trace in sharing),
            [("cancel", "sms_duplicate"), ("outgoing", "")],
            "whichever chunk comes second skips it as a duplicate",
        )
        self._process_queue()
        received = Counter(message["phonenumber"] for message in self.sandbox.messages())
        self.assertEqual(len(received), 12)
        self.assertEqual(set(received.values()), {1}, "one SMS per phone")
