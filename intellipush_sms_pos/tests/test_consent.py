from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import IntellipushPosCase


@tagged("post_install", "-at_install", "intellipush")
class TestPosConsent(IntellipushPosCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_model = cls.env["res.partner"].with_user(cls.pos_user)

    def _save(self, partner, mobile, consent):
        return self.partner_model.intellipush_pos_save_sms_details(partner.id, mobile, consent, self.shop.id)

    def test_consent_at_the_counter_names_shop_and_employee(self):
        ola = self.env["res.partner"].create({"name": "Ola Hansen", "country_id": self.env.ref("base.no").id})

        loaded = self._save(ola, "934 56 789", True)

        self.assertEqual(ola.mobile, "+47 934 56 789")
        self.assertEqual((ola.sms_consent_state, ola.sms_consent_channel), ("granted", "pos"))
        entry = ola.sms_consent_log_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.channel, entry.previous_state, entry.new_state), ("pos", "none", "granted"))
        self.assertEqual(entry.pos_config_id, self.shop)
        self.assertEqual(entry.pos_employee_name, self.pos_user.name)
        self.assertEqual(entry.user_id, self.pos_user)
        self.assertEqual(entry.proof, f"Given at the counter of Shop, recorded by {self.pos_user.name}.")
        self.assertEqual(
            loaded["res.partner"][0],
            {**loaded["res.partner"][0], "id": ola.id, "mobile": "+47 934 56 789", "sms_consent_state": "granted"},
            "the register gets the customer back as it loads customers",
        )

    def test_switching_off_withdraws_only_a_given_consent(self):
        self._save(self.customer, "+47 412 34 567", False)
        self.assertEqual(self.customer.sms_consent_state, "none", "no consent, nothing to withdraw")
        self.assertFalse(self.customer.sms_consent_log_ids)

        self._save(self.customer, "+47 412 34 567", True)
        self._save(self.customer, "+47 412 34 567", True)
        self._save(self.customer, "+47 412 34 567", False)

        self.assertEqual(self.customer.sms_consent_state, "withdrawn")
        self.assertEqual(
            self.customer.sms_consent_log_ids.sorted("id").mapped("new_state"),
            ["granted", "withdrawn"],
            "a consent given again changes nothing",
        )

    def test_a_withdrawal_at_the_counter_is_logged_as_one(self):
        self._save(self.customer, "+47 412 34 567", True)
        self._save(self.customer, "+47 412 34 567", False)

        self.assertEqual(
            self.customer.sms_consent_log_ids.sorted("id").mapped("proof"),
            [
                f"Given at the counter of Shop, recorded by {self.pos_user.name}.",
                f"Withdrawn at the counter of Shop, recorded by {self.pos_user.name}.",
            ],
        )

    def test_number_checked_as_typed(self):
        check = self.partner_model.intellipush_pos_check_mobile
        self.assertEqual(check("41234567", self.shop.id), {"valid": True, "formatted": "+47 412 34 567"})
        self.assertEqual(check("0046 70 123 45 67", self.shop.id), {"valid": True, "formatted": "+46 70 123 45 67"})
        self.assertEqual(check("4123", self.shop.id), {"valid": False, "reason": "too few digits"})
        self.assertEqual(check("Kari", self.shop.id), {"valid": False, "reason": "not a phone number"})

        with self.assertRaisesRegex(UserError, "4123 cannot receive SMS: too few digits"):
            self._save(self.customer, "4123", True)
        self.assertEqual(self.customer.mobile, "+47 412 34 567")

    def test_consent_changed_in_the_customer_form_of_the_register(self):
        """The POS opens Odoo's customer form with its shop and employee in the context."""
        self.customer.with_user(self.pos_user).with_context(intellipush_pos_config_id=self.shop.id).write(
            {"sms_consent_state": "granted"}
        )

        entry = self.customer.sms_consent_log_ids
        self.assertEqual((entry.channel, entry.pos_config_id), ("pos", self.shop))
        self.assertEqual(entry.proof, f"Given at the counter of Shop, recorded by {self.pos_user.name}.")
        self.assertEqual(self.customer.sms_consent_proof, entry.proof, "the contact shows its proof too")
