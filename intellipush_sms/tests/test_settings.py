from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import new_test_user, tagged

from .common import SANDBOX_SECRET, IntellipushCase


@tagged("post_install", "-at_install", "intellipush")
class TestSettings(IntellipushCase):
    def test_test_connection_shows_the_account(self):
        settings = self.env["res.config.settings"].create({})
        action = settings.action_intellipush_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Connected to Intellipush", action["params"]["message"])

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

    def test_sender_name_is_validated(self):
        with self.assertRaises(ValidationError):
            self.company.intellipush_sender = "Far too long sender"
        self.company.intellipush_sender = "Butikk24"

    def test_sender_is_sent(self):
        self.company.intellipush_sender = "Butikk24"
        sms = self._queue_sms(["41234567"])
        self._process_queue()
        self.assertSentOnce(sms)
        self.assertEqual(self.sandbox.messages()[0].get("sender"), "Butikk24")

    def test_neutralize_blanks_credentials(self):
        for query in get_neutralization_queries(["intellipush_sms"]):
            self.env.cr.execute(query)
        self.company.invalidate_recordset()
        self.assertFalse(self.company.intellipush_api_secret)
        self.assertFalse(self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch").active)
