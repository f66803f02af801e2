from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.intellipush_sms_marketing.tests.common import WEB_FORM_PROOF, create_sms_mailing, visit_campaign_link
from odoo.addons.intellipush_sms_pos.tests.common import IntellipushPosCase


@tagged("post_install", "-at_install", "intellipush")
class TestCampaignPosRevenue(IntellipushPosCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.intellipush_optout_footer = False
        cls.customer.write(
            {"sms_consent_state": "granted", "sms_consent_channel": "web_form", "sms_consent_proof": WEB_FORM_PROOF}
        )
        cls.shop.with_user(cls.pos_user).open_ui()
        cls.session = cls.shop.current_session_id

    def test_a_paid_pos_order_within_the_window_counts_for_the_campaign(self):
        mailing = create_sms_mailing(
            self.env, "Lyktesalg", "Sykkellykter til halv pris: https://butikk.example/lykt", self.customer
        )
        mailing.action_send_sms()
        self._process_queue()
        # The click came two hours before the customer stood at the counter.
        clicked_at = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=2)
        visit_campaign_link(self, mailing, self.customer, clicked_at)

        paid = self._sync(self._ui_order(self.session, self.customer, quantity=2))
        self.assertEqual(paid.state, "paid")
        self._sync(self._ui_order(self.session))  # an anonymous customer's order counts for nobody
        self.env.invalidate_all()

        self.assertEqual((mailing.intellipush_orders, mailing.intellipush_revenue), (1, 498.0))
        rows = self.env["intellipush.campaign.order"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(rows.order_ref, paid)
        self.assertEqual(rows.partner_id, self.customer)
        self.assertEqual(rows.action_intellipush_open_order()["res_model"], "pos.order")

        # A week and a second after the click, it would not have counted.
        self.env.cr.execute(
            "UPDATE pos_order SET date_order = %s WHERE id = %s", [clicked_at + timedelta(days=7, seconds=1), paid.id]
        )
        self.env.invalidate_all()
        self.assertEqual((mailing.intellipush_orders, mailing.intellipush_revenue), (0, 0.0))
