"""Installing the addon changes nothing for a company until Intellipush is set up:
Odoo IAP keeps sending with Odoo's own behaviour, and the switch needs a passing check."""

import importlib.util
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.sms.models.sms_sms import SmsSms as OdooSmsSms
from odoo.addons.sms.tests.common import SMSCase

from .common import SANDBOX_ID, SANDBOX_SECRET, IntellipushSandboxMixin

MIGRATION = Path(__file__).parent.parent / "migrations" / "18.0.1.1.0" / "post-migrate.py"


@tagged("post_install", "-at_install", "intellipush")
class TestGoodCitizen(IntellipushSandboxMixin, SMSCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.company = cls.env.company
        cls.company.sms_provider = "iap"
        cls.customer = cls.env["res.partner"].create(
            {"name": "Kari Nordmann", "mobile": "+47 412 34 567", "country_id": cls.env.ref("base.no").id}
        )

    def _connect_credentials(self):
        self.company.write(
            {
                "intellipush_api_id": SANDBOX_ID,
                "intellipush_api_secret": SANDBOX_SECRET,
                "intellipush_base_url": self.sandbox.url,
            }
        )

    def test_a_new_company_sends_by_odoo_iap(self):
        company = self.env["res.company"].create({"name": "Ny Butikk AS"})
        self.assertEqual(company.sms_provider, "iap")
        self.assertFalse(company._intellipush_active())

    def test_odoo_iap_keeps_odoo_behaviour(self):
        """No consent or blacklist policy, no text cleaning, no credits: what Odoo does."""
        self.env["phone.blacklist"].sudo()._add(["+4741234567"])
        body = "Ordren din på 1\xa0990,00 kr er klar."
        composer = (
            self.env["sms.composer"]
            .with_context(active_model="res.partner", active_ids=self.customer.ids)
            .create(
                {
                    "composition_mode": "mass",
                    "res_model": "res.partner",
                    "res_ids": repr(self.customer.ids),
                    "body": body,
                    "mass_use_blacklist": False,
                    "mass_keep_log": False,
                    "mass_force_send": True,
                }
            )
        )
        with self.mockSMSGateway():
            composer.action_send_sms()
        self.assertSMSIapSent(["+4741234567"], content=body)
        self.assertFalse(self.sandbox.messages())

    def test_automatic_sms_wait_for_intellipush(self):
        product = self.env["product.product"].create({"name": "Spisestol", "list_price": 990})
        order = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [(0, 0, {"product_id": product.id})]}
        )
        with self.mockSMSGateway():
            order.action_confirm()
        self.assertFalse(order.intellipush_confirmation_sent_at, "no order SMS through someone else's provider")
        self.assertFalse(self._new_sms, "nor any SMS")

    def test_the_switch_waits_for_a_passing_check(self):
        self._connect_credentials()
        with self.assertRaisesRegex(UserError, "Test Connection"):
            self.env["res.config.settings"].create({"sms_provider": "intellipush"})
        settings = self.env["res.config.settings"].new({"sms_provider": "intellipush"})
        warning = settings._onchange_sms_provider_intellipush()
        self.assertIn("Test Connection", warning["warning"]["message"])
        self.assertEqual(settings.sms_provider, "iap", "the choice is put back")
        self.assertEqual(self.company.sms_provider, "iap")

        action = self.env["res.config.settings"].create({}).action_intellipush_test_connection()

        self.assertEqual(self.company.sms_provider, "intellipush")
        self.assertIn("now sends its SMS through Intellipush", action["params"]["message"])
        self.company.env["intellipush.credit.wallet"]._for_company(self.company)._purchase(
            100, 59.0, self.company.currency_id
        )
        sms = self.env["sms.sms"].create({"number": "+47 412 34 567", "body": "Hei!"})
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual(sms.state, "pending")
        self.assertEqual([msg["message"] for msg in self.sandbox.messages()], ["Hei!"])

        # Back to IAP by choice: a later check does not switch again.
        self.env["res.config.settings"].create({"sms_provider": "iap"}).execute()
        self.env["res.config.settings"].create({}).action_intellipush_test_connection()
        self.assertEqual(self.company.sms_provider, "iap")

    def test_newer_odoo_routing_hook_never_hands_intellipush_sms_to_an_api(self):
        intellipush_company = self.env["res.company"].create({"name": "Intellipush AS"})
        intellipush_company.sms_provider = "intellipush"
        ours, iap = self.env["sms.sms"].create(
            [
                {"number": "+4741234567", "body": "Hei", "company_id": intellipush_company.id},
                {"number": "+4741234568", "body": "Hei", "company_id": self.company.id},
            ]
        )
        routed = self.env["sms.sms"].union(*(sms for _api, sms in (ours | iap)._split_by_api()))
        # Odoo's own providers route the rest where this Odoo has the hook.
        self.assertEqual(routed, iap if hasattr(OdooSmsSms, "_split_by_api") else self.env["sms.sms"])

    def test_a_failing_check_leaves_odoo_iap(self):
        self._connect_credentials()
        self.company.intellipush_api_secret = "wrong"
        with self.assertRaises(UserError):
            self.env["res.config.settings"].create({}).action_intellipush_test_connection()
        self.assertEqual(self.company.sms_provider, "iap")
        self.assertFalse(self.company.intellipush_check_passed)

    def test_new_credentials_need_a_new_check(self):
        self._connect_credentials()
        self.env["res.config.settings"].create({}).action_intellipush_test_connection()
        self.assertTrue(self.company.intellipush_check_passed)
        self.company.intellipush_api_secret = "another-secret"
        self.assertFalse(self.company.intellipush_check_passed)

    def test_migration_brings_unconfigured_companies_back_to_iap(self):
        unconfigured, configured = self.env["res.company"].create([{"name": "Uten nøkler"}, {"name": "Med nøkler"}])
        (unconfigured | configured).sms_provider = "intellipush"  # as earlier versions left them
        configured.write({"intellipush_api_id": SANDBOX_ID, "intellipush_api_secret": SANDBOX_SECRET})
        spec = importlib.util.spec_from_file_location("intellipush_post_migrate", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)

        migration.migrate(self.env.cr, "18.0.1.0.0")

        self.env.invalidate_all()
        self.assertEqual(unconfigured.sms_provider, "iap")
        self.assertEqual(configured.sms_provider, "intellipush")
        self.assertTrue(configured.intellipush_check_passed, "it has been sending: no second check needed")


@tagged("post_install", "-at_install", "-standard", "intellipush_existing_db")
class TestInstalledOnAnIapDatabase(IntellipushSandboxMixin, SMSCase):
    """Run by scripts/test on a database that sent SMS through Odoo IAP before
    our addons were installed on it (not part of the standard run)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.company = cls.env.ref("base.main_company")
        cls.customer = cls.env["res.partner"].create({"name": "Ola Hansen", "mobile": "+47 934 56 789"})

    def test_still_iap_then_intellipush_after_a_passing_check(self):
        self.assertEqual(self.company.sms_provider, "iap", "the install switched nothing")
        self.assertTrue(self.env["sms.sms"].sudo().search_count([]), "SMS sent by IAP before the install")
        with self.mockSMSGateway():
            self.customer._message_sms("Hei fra Odoo!", partner_ids=self.customer.ids)
        self.assertSMSIapSent(["+4793456789"], content="Hei fra Odoo!")

        self.company.write(
            {
                "intellipush_api_id": SANDBOX_ID,
                "intellipush_api_secret": SANDBOX_SECRET,
                "intellipush_base_url": self.sandbox.url,
            }
        )
        self.env["res.config.settings"].with_company(self.company).create({}).action_intellipush_test_connection()
        self.assertEqual(self.company.sms_provider, "intellipush")
        self.env["intellipush.credit.wallet"]._for_company(self.company)._purchase(10, 5.9, self.company.currency_id)
        self.customer._message_sms("Hei fra Intellipush!", partner_ids=self.customer.ids)
        self.env["sms.sms"]._cron_intellipush_dispatch()
        self.assertEqual([msg["message"] for msg in self.sandbox.messages()], ["Hei fra Intellipush!"])
