"""Who may make, change and take back access codes: only the issuing flow
(Send Access Code, Send New Code, Revoke) changes a code, and only for the
resource's allowed issuers. A direct write or create never opens a door."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import IntellipushAccessMixin, IntellipushSandboxMixin

KARI_NUMBER = "+4741234567"
# What a user would write to revive a used-up code, or extend it for ever.
REVIVAL = {"state": "active", "use_count": 0, "max_uses": 0, "valid_to": "2030-01-01 00:00:00"}


@tagged("post_install", "-at_install", "intellipush")
class TestAccessSecurity(IntellipushAccessMixin, IntellipushSandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_company(cls.env.company)
        cls.kari = cls.env["res.partner"].create(
            {"name": "Kari Nordmann", "mobile": "+47 412 34 567", "country_id": cls.env.ref("base.no").id}
        )
        sms_user, sms_manager = (
            "base.group_user,intellipush_sms.group_intellipush_user",
            ("base.group_user,intellipush_sms.group_intellipush_manager"),
        )
        cls.issuer = new_test_user(cls.env, "resepsjon", groups=sms_user)
        cls.clerk = new_test_user(cls.env, "kasse", groups=sms_user)
        cls.manager = new_test_user(cls.env, "sjef", groups=sms_manager)
        cls.employee = new_test_user(cls.env, "ansatt", groups="base.group_user")
        # Every SMS user may send codes for the sauna; only the reception for the vault.
        cls.sauna, cls.sauna_key = cls._create_access_resource(cls.env)
        cls.vault, cls.vault_key = cls._create_access_resource(
            cls.env, name="Hvelvet", issuer_user_ids=cls.issuer.ids, max_uses=2
        )

    def setUp(self):
        super().setUp()
        self.sandbox.reset()

    def _send_from_contact(self, user, resource, **values):
        """Send Access Code on the contact form, as ``user``: the new grant."""
        partner = self.kari.with_user(user)
        action = partner.action_intellipush_send_access_code()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(action["context"])
            .create({"resource_id": resource.id, **values})
        )
        wizard.action_send()
        return self.env["intellipush.access.grant"].search([("resource_id", "=", resource.id)], limit=1)

    def _received_code_of(self, grant):
        self.env["sms.sms"]._cron_intellipush_dispatch()
        return self._received_code(grant.number.removeprefix("+47"))

    def _grant_values(self, resource):
        now = fields.Datetime.now()
        return {
            "resource_id": resource.id,
            "number": KARI_NUMBER,
            "valid_from": now,
            "valid_to": now + timedelta(days=365),
            "max_uses": 0,
            "channel": "sms",
        }

    # ------------------------------------------------------------
    # Direct writes and creates
    # ------------------------------------------------------------

    def test_nobody_revives_a_used_code_by_writing_it(self):
        grant = self._send_from_contact(self.clerk, self.sauna)
        code = self._received_code_of(grant)
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code), "granted")
        self.assertEqual(grant.state, "used")

        attempts = [REVIVAL, *({name: value} for name, value in REVIVAL.items())]
        attempts += [{"last_used_at": False}, {"revoked_at": False}, {"valid_from": "2020-01-01 00:00:00"}]
        for user in (self.clerk, self.manager, self.employee):
            for values in attempts:
                # AccessError, or UserError where an issuer would extend a code that is not live.
                with self.subTest(user=user.login, values=values), self.assertRaises(UserError):
                    grant.with_user(user).write(values)
        # Nor may anyone change the code behind a live grant.
        live = self._send_from_contact(self.clerk, self.sauna)
        for user in (self.clerk, self.manager, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                live.with_user(user).write({"code_hash": self.sauna._access_code_hash(code)})

        self.env.invalidate_all()
        self.assertEqual((grant.state, grant.use_count, grant.max_uses), ("used", 1, 1))
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code), "denied", "the old code stays used up")

    def test_nobody_mints_a_code_by_creating_or_copying_one(self):
        live = self._send_from_contact(self.issuer, self.vault)
        grants_before = self.env["intellipush.access.grant"].search_count([])
        for user in (self.clerk, self.manager, self.employee):
            for resource in (self.sauna, self.vault):
                with self.subTest(user=user.login, resource=resource.name), self.assertRaises(AccessError):
                    self.env["intellipush.access.grant"].with_user(user).create(self._grant_values(resource))
            with self.subTest(user=user.login, copy=True), self.assertRaises(AccessError):
                live.with_user(user).copy({"max_uses": 0})
        self.assertEqual(self.env["intellipush.access.grant"].search_count([]), grants_before)

    # ------------------------------------------------------------
    # The issuing flow
    # ------------------------------------------------------------

    def test_allowed_issuer_sends_a_code_from_the_contact(self):
        grant = self._send_from_contact(self.issuer, self.vault)
        self.assertEqual((grant.issued_by_id, grant.state, grant.partner_id), (self.issuer, "active", self.kari))
        code = self._received_code_of(grant)
        self.assertEqual(self._check_code(self.vault, self.vault_key, code), "granted")

        # Every SMS user may send codes for a resource without a list of issuers.
        open_grant = self._send_from_contact(self.clerk, self.sauna)
        self.assertEqual((open_grant.issued_by_id, open_grant.state), (self.clerk, "active"))

    def test_others_may_not_send_renew_or_revoke_codes(self):
        grant = self._send_from_contact(self.issuer, self.vault)
        for user in (self.clerk, self.manager, self.employee):
            with self.subTest(user=user.login, action="send"), self.assertRaises(AccessError):
                self._send_from_contact(user, self.vault)
            with self.subTest(user=user.login, action="send new code"), self.assertRaises(AccessError):
                grant.with_user(user).action_send_new_code()
            with self.subTest(user=user.login, action="revoke"), self.assertRaises(AccessError):
                grant.with_user(user).action_revoke()
        self.assertEqual(self.env["intellipush.access.grant"].search([("resource_id", "=", self.vault.id)]), grant)
        self.assertEqual(grant.state, "active")

        grant.with_user(self.issuer).action_revoke()
        self.assertEqual(grant.state, "revoked")

    def test_only_allowed_issuers_extend_a_live_code(self):
        grant = self._send_from_contact(self.issuer, self.vault)
        code = self._received_code_of(grant)
        later = grant.valid_to + timedelta(days=1)
        for user in (self.clerk, self.manager, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                grant.with_user(user).write({"valid_to": later})

        grant.with_user(self.issuer).write({"valid_to": later})
        self.assertEqual(grant.valid_to, later)
        # An extension is no way round the other limits.
        with self.assertRaises(AccessError):
            grant.with_user(self.issuer).write({"valid_to": later + timedelta(days=1), "max_uses": 0})

        self.assertEqual(self._check_code(self.vault, self.vault_key, code), "granted")
        self.assertEqual(self._check_code(self.vault, self.vault_key, code), "granted")
        self.assertEqual(grant.state, "used")
        with self.assertRaises(UserError):
            grant.with_user(self.issuer).write({"valid_to": datetime(2030, 1, 1)})
        self.assertEqual(self._check_code(self.vault, self.vault_key, code), "denied")
