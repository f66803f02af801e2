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

        sms_model._intellipush_process_queue(max_batches=1)
        self.assertEqual(len(self.sandbox.messages()), 10)
        mailing.invalidate_recordset()
        self.assertEqual((mailing.intellipush_handed_over, mailing.intellipush_to_send), (10, 30), "progress shows")
        # The second batch reaches Intellipush but the answer is lost, as when
        # the worker dies while waiting for it.
        self.sandbox.inject_fault("drop_connection", endpoint="sms/createBatch")
        with mute_logger("odoo.addons.intellipush_sms.models.sms_sms"):
            sms_model._intellipush_process_queue(max_batches=1)
        self.assertEqual(len(self.sandbox.messages()), 20)

        # Resume: the rest goes, the uncertain batch is settled without resending.
        with mute_logger("odoo.addons.intellipush_sms.models.sms_sms"):
            sms_model._intellipush_process_queue()
            sms_model._intellipush_reconcile(grace=timedelta(0))
            sms_model._intellipush_process_queue()

        received = Counter(message["phonenumber"] for message in self.sandbox.messages())
        self.assertEqual(len(received), 30)
        self.assertEqual(set(received.values()), {1}, "nobody got the campaign twice")
        self.assertEqual(set(sms_model.search([("mailing_id", "=", mailing.id)]).mapped("state")), {"pending"})
        mailing.invalidate_recordset()
        self.assertEqual(mailing.sent, 30)
