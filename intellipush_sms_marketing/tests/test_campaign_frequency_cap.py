from odoo.tests import tagged

from odoo.addons.intellipush_sms.tests.common import FREQUENCY_CAP, IntellipushCase

from .common import create_customers, create_sms_mailing


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignFrequencyCap(IntellipushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_company(cls.company, **FREQUENCY_CAP)
        cls.customers = create_customers(cls.env, 4, first_number=40071000)

    def test_a_second_campaign_the_same_day_skips_those_capped_and_says_why(self):
        monday = create_sms_mailing(self.env, "Mandagstilbud", "Mandagstilbud: 2 for 1 på kaffe!", self.customers[:2])
        monday.action_send_sms()
        self._process_queue()
        self.assertEqual(len(self.sandbox.messages()), 2)

        tuesday = create_sms_mailing(self.env, "Nyhetsbrev", "Nyheter i butikken denne uken!", self.customers)
        self.assertIn("2 skipped: Frequency cap reached", tuesday.intellipush_cost_summary)
        tuesday.action_send_sms()
        self._process_queue()

        self.assertEqual(len(self.sandbox.messages()), 4, "only the two not reached today got the second one")
        capped = self.env["sms.sms"].search([("mailing_id", "=", tuesday.id), ("state", "=", "canceled")])
        self.assertEqual(capped.partner_id, self.customers[:2])
        self.assertEqual(set(capped.mapped("intellipush_skip_reason")), {"frequency_cap"})
        traces = tuesday.mailing_trace_ids.filtered(lambda trace: trace.res_id in self.customers[:2].ids)
        self.assertEqual(set(traces.mapped("trace_status")), {"cancel"}, "the campaign's traces say skipped")
        self.assertEqual(set(traces.mapped("failure_type")), {"sms_frequency_cap"})
        tuesday.invalidate_recordset()
        self.assertEqual(tuesday.intellipush_skip_summary, "2 skipped: Frequency cap reached", "shown in the results")
        self.assertEqual(tuesday.intellipush_opt_outs, 0, "capped recipients did not opt out")
