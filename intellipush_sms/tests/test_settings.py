from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import new_test_user, tagged

from .common import SANDBOX_SECRET, IntellipushCase


@tagged("post_install", "-at_install", "intellipush")
class TestSettings(IntellipushCase):
    def test_test_connection_shows_the_account(self):
        self.sandbox.set_credits(250)
        self.sandbox.set_sender_name("Demobutikk")
        settings = self.env["res.config.settings"].create({})
        action = settings.action_intellipush_test_connection()
        params = action["params"]
        self.assertEqual(params["type"], "success")
        self.assertTrue(params["sticky"], "the result stays until it is read")
        self.assertNotIn("next", params, "no reload that would take the notification away")
        message = params["message"]
        self.assertIn("Intellipush Sandbox", message)
        self.assertIn("Demobutikk", message, "the account's sender name")
        self.assertIn("Credits at Intellipush: 250.00; in Odoo's prepaid wallet: 1,000.00.", message)
        self.assertIn("Answer: user, sms/getSent, sms/getUnsent, sms/getReceived.", message)
        # Kept on the company, so the settings page shows it after a reload too.
        self.assertEqual(self.company.intellipush_sender, "Demobutikk")
        self.assertEqual(self.company.intellipush_account_timezone, "Europe/Oslo")
        self.assertEqual(self.company.intellipush_account_balance, 250)
        self.assertTrue(self.company.intellipush_checked_at)
        self.assertTrue(self.company.intellipush_sender_is_text)
        self.assertIn("STOPP", message, "a text sender cannot be answered")

    def test_test_connection_names_the_endpoint_that_fails(self):
        self.sandbox.inject_fault("http_503", endpoint="sms/getUnsent", count=10)
        action = self.env["res.config.settings"].create({}).action_intellipush_test_connection()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("Fails: sms/getUnsent (", action["params"]["message"])
        self.assertIn("Answer: user, sms/getSent, sms/getReceived.", action["params"]["message"])

    def test_test_connection_with_wrong_secret(self):
        settings = self.env["res.config.settings"].create({"intellipush_api_secret_new": "wrong"})
        with self.assertRaisesRegex(UserError, "refused the API ID or secret"):
            settings.action_intellipush_test_connection()

    def test_secret_is_never_read_back(self):
        settings = self.env["res.config.settings"].create({})
        values = settings.read(["intellipush_api_secret_new", "intellipush_api_secret_is_set"])[0]
        self.assertFalse(values["intellipush_api_secret_new"])
        self.assertTrue(values["intellipush_api_secret_is_set"])
        self.assertNotIn(SANDBOX_SECRET, str(settings.read()))

    def test_new_secret_replaces_the_old_one_and_empty_keeps_it(self):
        self.env["res.config.settings"].create({"intellipush_api_secret_new": "  new-secret "}).execute()
        self.assertEqual(self.company.intellipush_api_secret, "new-secret")
        self.env["res.config.settings"].create({}).execute()
        self.assertEqual(self.company.intellipush_api_secret, "new-secret")

    def test_secret_readable_by_system_admins_only(self):
        manager = new_test_user(
            self.env, login="sms_manager", groups="base.group_user,intellipush_sms.group_intellipush_manager"
        )
        company = self.company.with_user(manager)
        with self.assertRaises(AccessError):
            company.read(["intellipush_api_secret"])
        with self.assertRaises(AccessError):
            company.read(["intellipush_api_id"])

    def test_sender_name_is_read_only(self):
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings._fields["intellipush_sender"].readonly)

    def test_neutralize_blanks_credentials(self):
        for query in get_neutralization_queries(["intellipush_sms"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()  # the queries changed the database behind the cache
        self.assertFalse(self.company.intellipush_api_secret)
        self.assertFalse(self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch").active)
