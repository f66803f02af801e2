from odoo.tests import tagged

from .common import IntellipushPosCase

OPTOUT = "Du kan reservere deg mot markedsføring på SMS: svar STOPP"


@tagged("post_install", "-at_install", "intellipush")
class TestPosLegalBasis(IntellipushPosCase):
    """A customer's mobile number on a paid order at the counter is collected
    in a sale: the existing-customer basis (§ 15(3)) with the receipt's opt-out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"intellipush_customer_basis": True, "intellipush_customer_optout": OPTOUT})
        cls.shop.with_user(cls.pos_user).open_ui()
        cls.session = cls.shop.current_session_id

    def test_a_paid_order_records_the_basis_with_shop_and_optout(self):
        order = self._sync(self._ui_order(self.session, self.customer))

        self.assertEqual(self.customer.sms_marketing_basis, "existing_customer")
        self.assertEqual(self.customer.sms_customer_basis_channel, "pos")
        self.assertEqual(self.customer.sms_customer_basis_order, order.pos_reference)
        self.assertEqual(self.customer.sms_customer_basis_optout, OPTOUT)
        entry = self.customer.sms_consent_log_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(
            (entry.basis, entry.channel, entry.order_ref), ("existing_customer", "pos", order.pos_reference)
        )
        self.assertEqual(entry.pos_config_id, self.shop, "the proof names the shop")
        self.assertIn(OPTOUT, entry.proof)
        # The register prints the opt-out on the receipt: it loads the company's text.
        company_fields = self.env["res.company"]._load_pos_data_fields(self.shop.id)
        self.assertIn("intellipush_customer_optout", company_fields)

    def test_walk_in_and_opted_out_customers_get_no_basis(self):
        self.customer._sms_set_consent("withdrawn", "pos", proof="Sa nei til SMS ved kassen.")
        self._sync(self._ui_order(self.session), self._ui_order(self.session, self.customer))
        self.assertEqual(self.customer.sms_marketing_basis, "none", "an opt-out always wins")
        self.assertFalse(self.customer.sms_customer_basis_date)

    def test_without_the_setting_nothing_is_recorded(self):
        self.company.intellipush_customer_basis = False
        self._sync(self._ui_order(self.session, self.customer))
        self.assertEqual(self.customer.sms_marketing_basis, "none")
        self.assertFalse(self.customer.sms_consent_log_ids)
