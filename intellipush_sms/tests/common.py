"""Shared fixtures: a real Intellipush sandbox over HTTP on loopback.

Tests never patch our own client: they steer the sandbox (faults, delivery
outcomes, inbound messages) and look at what it received.
"""

import io
import json
import os
import re
import sys
from datetime import timedelta
from urllib.parse import urlparse

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase
from odoo.tests.common import _super_send, get_db_name
from odoo.tools import SQL

# The sandbox is a plain package at the repository root, beside the addons.
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
if REPO_ROOT not in sys.path:
    sys.path.append(REPO_ROOT)

from intellipush_sandbox import Sandbox  # noqa: E402

SANDBOX_ID = "odoo-test-id"
SANDBOX_SECRET = "odoo-test-secret-5f2c"  # noqa: S105 (a sandbox credential)


# Company settings of the frequency cap tests: at most 1 marketing SMS per
# number in 24 hours and 3 in 7 days, texts without the opt-out instruction.
FREQUENCY_CAP = {
    "intellipush_optout_footer": False,
    "intellipush_frequency_cap": True,
    "intellipush_cap_per_day": 1,
    "intellipush_cap_per_week": 3,
}


class IntellipushSandboxMixin:
    """Starts one sandbox per test class and points the current company at it."""

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        # Odoo's test guard raises short timeouts to 10 s (and cannot compare
        # our (connect, read) tuple); loopback calls to the sandbox keep the
        # client's own timeouts, which the timeout-fault tests rely on.
        if urlparse(request.url).hostname in ("127.0.0.1", "localhost"):
            return _super_send(session, request, **kwargs)
        return super()._request_handler(session, request, **kwargs)

    @classmethod
    def _start_sandbox(cls):
        cls.sandbox = Sandbox(port=0, api_id=SANDBOX_ID, api_secret=SANDBOX_SECRET).start()
        cls.addClassCleanup(cls.sandbox.stop)

    @classmethod
    def _configure_company(cls, company, **values):
        company.write(
            {
                "sms_provider": "intellipush",
                "intellipush_api_id": SANDBOX_ID,
                "intellipush_api_secret": SANDBOX_SECRET,
                "intellipush_base_url": cls.sandbox.url,
                "intellipush_country_id": company.env.ref("base.no").id,
                # Tests run at any hour: quiet hours only where a test turns them on.
                "intellipush_quiet_hours": False,
                **values,
            }
        )
        # A short read timeout keeps the timeout-fault tests quick.
        company.env["ir.config_parameter"].sudo().set_param("intellipush_sms.timeout", "1")

    @classmethod
    def _connect_company(cls, company):
        """A sandbox for the test class, the company sending through it, and credits to send with."""
        cls._start_sandbox()
        cls._configure_company(company)
        return cls._buy_credits(company)

    @classmethod
    def _buy_credits(cls, company, quantity=1000, price_total=590.0):
        wallet = company.env["intellipush.credit.wallet"]._for_company(company)
        wallet._purchase(quantity, price_total, company.currency_id)
        return wallet

    @classmethod
    def _quiet_hours_on(cls, company, **values):
        """The default quiet hours (21:00 to 08:00, Oslo time) for ``company``,
        nights only unless ``values`` say more; the tests move the clock."""
        company.write(
            {
                "intellipush_quiet_hours": True,
                "intellipush_quiet_start": 21.0,
                "intellipush_quiet_end": 8.0,
                "intellipush_quiet_tz": "Europe/Oslo",
                "intellipush_quiet_sundays": False,
                "intellipush_quiet_holidays": False,
                "intellipush_optout_footer": False,
                **values,
            }
        )

    def sandbox_numbers(self):
        """The (countrycode, phonenumber) pairs the sandbox received, in order."""
        return [(msg["countrycode"], msg["phonenumber"]) for msg in self.sandbox.messages()]


class IntellipushCommittedMixin(IntellipushSandboxMixin):
    """For tests whose SMS must be committed (worker processes, two
    dispatchers): the current company is set up in a committed transaction,
    and what the class commits (ledger entries, lots, the wallet if it was
    new, the company's settings) is removed or restored after it."""

    COMPANY_FIELDS = (
        "sms_provider",
        "intellipush_api_id",
        "intellipush_api_secret",
        "intellipush_base_url",
        "intellipush_country_id",
        "intellipush_quiet_hours",
    )
    PARAMS = {"intellipush_sms.timeout": "30", "intellipush_sms.batch_size": "5"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls._start_sandbox()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            cls.company_id = company.id
            cls.saved_company = {
                name: value.id if hasattr(value, "_name") else value
                for name, value in ((name, company[name]) for name in cls.COMPANY_FIELDS)
            }
            cls.saved_params = {key: env["ir.config_parameter"].get_param(key) for key in cls.PARAMS}
            wallet = env["intellipush.credit.wallet"].search([("company_id", "=", company.id)])
            cls.saved_threshold = wallet.low_balance_threshold if wallet else None
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM intellipush_credit_ledger")
            cls.ledger_start = cr.fetchone()[0]
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM intellipush_credit_lot")
            cls.lot_start = cr.fetchone()[0]
            cls._configure_company(company)
            for key, value in cls.PARAMS.items():
                env["ir.config_parameter"].set_param(key, value)
            # No low-balance activity: it would outlive what is removed at the end.
            env["intellipush.credit.wallet"]._for_company(company).low_balance_threshold = 0
            cls._buy_credits(company, quantity=1000)
        cls.addClassCleanup(cls._restore)

    @classmethod
    def _restore(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(cls.company_id).write(cls.saved_company)
            for key, value in cls.saved_params.items():
                env["ir.config_parameter"].set_param(key, value or False)
            wallet = env["intellipush.credit.wallet"].search([("company_id", "=", cls.company_id)])
            # The ledger refuses deletion through the ORM: what this class wrote goes in SQL.
            cr.execute(
                "DELETE FROM intellipush_credit_ledger WHERE id > %s AND wallet_id = %s", [cls.ledger_start, wallet.id]
            )
            cr.execute(
                "DELETE FROM intellipush_credit_lot WHERE id > %s AND wallet_id = %s", [cls.lot_start, wallet.id]
            )
            if cls.saved_threshold is not None:
                wallet.low_balance_threshold = cls.saved_threshold
                wallet._recompute_running_balances()  # the rows they summed are gone
                return
            for model, model_field in (
                ("mail.activity", "res_model"),
                ("mail.message", "model"),
                ("mail.followers", "res_model"),
            ):
                env[model].sudo().search([(model_field, "=", wallet._name), ("res_id", "=", wallet.id)]).unlink()
            cr.execute("DELETE FROM intellipush_credit_wallet WHERE id = %s", [wallet.id])


class IntellipushCase(IntellipushSandboxMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.wallet = cls._connect_company(cls.company)
        cls.partner_kari, cls.partner_ola, cls.partner_sofia = cls.env["res.partner"].create(
            [
                {"name": "Kari Nordmann", "mobile": "+47 412 34 567", "country_id": cls.env.ref("base.no").id},
                {"name": "Ola Hansen", "mobile": "934 56 789", "country_id": cls.env.ref("base.no").id},
                {"name": "Sofia Lindqvist", "mobile": "+46 70 123 45 67", "country_id": cls.env.ref("base.se").id},
            ]
        )

    @classmethod
    def _connect_branch(cls, name="Filial Bergen"):
        """A second company sending through the same sandbox, with credits of its own."""
        branch = cls.env["res.company"].create({"name": name, "country_id": cls.env.ref("base.no").id})
        cls._configure_company(branch)
        cls._buy_credits(branch)
        return branch

    def setUp(self):
        super().setUp()
        self.sandbox.reset()

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _queue_sms(self, numbers, body="Hei! Ordren din er klar til henting."):
        """New SMS queued for the dispatch, as ``send`` queues them."""
        return (
            self.env["sms.sms"]
            .sudo()
            .create([{"number": number, "body": body} for number in numbers])
            ._intellipush_queue()
        )

    def _mass_composer(self, partners, body, **values):
        """Odoo's SMS composer on these partners, as from the contact list's action menu."""
        return (
            self.env["sms.composer"]
            .with_context(active_model="res.partner", active_ids=partners.ids, default_composition_mode="mass")
            .create({"res_model": "res.partner", "res_ids": repr(partners.ids), "body": body, **values})
        )

    def _process_queue(self):
        return self.env["sms.sms"]._cron_intellipush_dispatch()

    def _reconcile_now(self):
        return self.env["sms.sms"]._intellipush_reconcile(grace=timedelta(0))

    def _poll_status_now(self):
        self.env["sms.sms"].sudo().search([("state", "=", "pending")]).write(
            {
                "intellipush_next_status_check_at": fields.Datetime.now() - timedelta(seconds=1),
            }
        )
        return self.env["sms.sms"]._cron_intellipush_status()

    def _make_retry_due(self, sms):
        sms.intellipush_next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)

    def assertSentOnce(self, sms):
        """Each SMS is at Intellipush exactly once, under the id Odoo recorded."""
        received = self.sandbox.messages()
        for record in sms:
            copies = [msg for msg in received if msg["id"] == record.intellipush_id]
            self.assertEqual(len(copies), 1, f"{record.number} should be at Intellipush once")
            self.assertEqual(record.state, "pending")
        self.assertEqual(len(received), len({msg["id"] for msg in received}), "the sandbox holds a duplicate")

    def assertSmsFailed(self, sms, failure_type, reason_part=None):
        for record in sms:
            self.assertEqual(record.state, "error")
            self.assertEqual(record.failure_type, failure_type)
            if reason_part:
                self.assertIn(reason_part, record.failure_reason or "")


# Where a one-time code could be left behind: the SMS, the chatter, field
# tracking, the access tables and the database log.
CODE_TABLES = (
    "sms_sms",
    "mail_message",
    "mail_tracking_value",
    "intellipush_access_resource",
    "intellipush_access_grant",
    "intellipush_access_attempt",
    "intellipush_credit_ledger",
    "ir_logging",
)


class IntellipushAccessMixin:
    """Access resources with their door API key, requests to the validation
    endpoint, and the codes as the holder's phone (the sandbox) received them."""

    @classmethod
    def _create_access_resource(cls, env, **values):
        """A resource and the API key its door controller was given."""
        resource = env["intellipush.access.resource"].create({"name": "Badstue", "location": "Kjeller", **values})
        key = resource.action_new_api_key()["context"]["default_key"]
        return resource, key

    def _access_request(self, resource, key, payload=None, body=None, headers=None):
        """POST to the resource's validation endpoint over HTTP (HttpCase)."""
        body = json.dumps(payload).encode() if body is None else body
        headers = {
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {key}"} if key else {}),
            **(headers or {}),
        }
        url = f"/intellipush/access/{resource.id}/validate"
        if not body:  # url_open turns a request without a body into a GET
            return self.opener.post(self.base_url() + url, data=body, headers=headers, timeout=15)
        return self.url_open(url, data=body, headers=headers, timeout=15)

    def _check_code(self, resource, key, code, number=None):
        """What the door hears for ``code``: "granted" or "denied"."""
        payload = {"code": code, **({"number": number} if number else {})}
        response = self._access_request(resource, key, payload)
        self.assertEqual(response.status_code, 200, response.text)
        self.env.invalidate_all()  # the request changed the database behind this environment
        return response.json()["access"]

    def _received_code(self, phonenumber):
        """The code in the last SMS the sandbox received for this national number."""
        texts = [msg["message"] for msg in self.sandbox.messages() if msg["phonenumber"] == phonenumber]
        self.assertTrue(texts, f"no SMS reached {phonenumber}")
        match = re.search(r" er ([0-9A-Z]+)\.", texts[-1])
        self.assertTrue(match, f"no code in {texts[-1]!r}")
        return match.group(1)

    def assertNotStored(self, secret):
        """``secret`` appears in no row of the tables where it could be left
        behind: not as a word of its own (the same six digits inside a longer
        number, a hash or the microseconds of a timestamp are not the code)."""
        self.env.flush_all()
        as_word = re.compile(rf"(?<![0-9A-Za-z.]){re.escape(secret)}(?![0-9A-Za-z])")
        for table in CODE_TABLES:
            self.assertIsNone(as_word.search(self._dump_table(table)), f"{table} holds the code in clear")

    def _dump_table(self, table):
        buffer = io.StringIO()
        query = SQL("COPY (SELECT * FROM %s) TO STDOUT", SQL.identifier(table))
        self.env.cr._obj.copy_expert(query.code, buffer)
        return buffer.getvalue()
