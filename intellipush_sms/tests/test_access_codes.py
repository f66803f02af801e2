"""One-time access codes: issued from a contact, sent through the gateway to
the sandbox, checked by a door controller over real HTTP."""

import queue
import random
import threading
import time
from contextlib import ExitStack
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, HttpCase, new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import config, mute_logger

from ..controllers import access as access_controller
from ..tools.sms_encoding import analyze
from .common import IntellipushAccessMixin, IntellipushSandboxMixin

KARI_NUMBER = "+4741234567"
CONTROLLER_LOGGER = "odoo.addons.intellipush_sms.controllers.access"
RESOURCE_LOGGER = "odoo.addons.intellipush_sms.models.intellipush_access_resource"


@tagged("post_install", "-at_install", "intellipush")
class TestAccessCodes(IntellipushAccessMixin, IntellipushSandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_company(cls.env.company)
        norway = cls.env.ref("base.no")
        cls.kari, cls.lars = cls.env["res.partner"].create(
            [
                {"name": "Kari Nordmann", "mobile": "+47 412 34 567", "country_id": norway.id},
                {"name": "Lars Berg", "mobile": "+47 415 00 009", "country_id": norway.id},
            ]
        )
        cls.sauna, cls.sauna_key = cls._create_access_resource(cls.env)

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        # The rate limits live in this process's memory, not in the rolled-back transaction.
        self.addCleanup(self._forget_rate_limits)

    def _forget_rate_limits(self):
        access_controller.CLIENT_LIMITER.clear()
        access_controller.RESOURCE_LIMITER.clear()

    def _issue(self, partner=None, resource=None, **values):
        """Send Access Code on the contact form: the new grant (its SMS queued)."""
        partner = partner or self.kari
        resource = resource or self.sauna
        action = partner.action_intellipush_send_access_code()
        wizard = (
            self.env[action["res_model"]].with_context(action["context"]).create({"resource_id": resource.id, **values})
        )
        wizard.action_send()
        return self._latest_grant(resource)

    def _latest_grant(self, resource):
        return self.env["intellipush.access.grant"].search([("resource_id", "=", resource.id)], limit=1)

    def _send_code(self, partner=None, resource=None, **values):
        """Issue, dispatch, and return the grant with the code the phone received."""
        grant = self._issue(partner, resource, **values)
        self.env["sms.sms"]._cron_intellipush_dispatch()
        return grant, self._received_code(grant.number.removeprefix("+47"))

    def _reasons(self, grant):
        self.env.invalidate_all()
        return grant.attempt_ids.sorted("id").mapped("reason")

    def _new_door(self, **values):
        """A resource of its own, for the tests that count failures."""
        return self._create_access_resource(
            self.env,
            name="Garderobeskap",
            lockout_number_failures=3,
            lockout_resource_failures=6,
            lockout_window_minutes=10,
            lockout_minutes=15,
            **values,
        )

    def _wrong(self, code):
        return f"{(int(code) + 1) % 10**6:06d}"

    def _let_time_pass(self, resource, minutes):
        """Move the resource's attempt log back in time, as if ``minutes`` had passed."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE intellipush_access_attempt
               SET date = date - make_interval(mins => %(minutes)s),
                   locked_until = locked_until - make_interval(mins => %(minutes)s)
             WHERE resource_id = %(resource)s
            """,
            {"minutes": minutes, "resource": resource.id},
        )
        self.env.invalidate_all()

    # ------------------------------------------------------------
    # Issue and use
    # ------------------------------------------------------------

    def test_code_opens_once_then_is_used_up(self):
        grant, code = self._send_code()

        self.assertEqual(grant.sms_id.sms_purpose, "access_code")
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")])
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code), "granted")
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code), "denied")
        self.assertEqual(self._reasons(grant), ["granted", "used_up"])
        self.assertEqual((grant.state, grant.use_count, grant.uses_left), ("used", 1, 0))

    def test_code_with_several_uses_typed_with_spaces(self):
        grant, code = self._send_code(max_uses=2)

        spaced = f"{code[:3]} {code[3:]}"
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, spaced), "granted")
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code, KARI_NUMBER), "granted")
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code), "denied")
        self.assertEqual(self._reasons(grant), ["granted", "granted", "used_up"])

    def test_code_is_tied_to_its_number_when_the_door_sends_one(self):
        grant, code = self._send_code(max_uses=0)

        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code, "+47 415 00 009"), "denied")
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code, "+47 412 34 567"), "granted")
        self.assertEqual(self._reasons(grant), ["wrong_number", "granted"])
        self.assertEqual(grant.uses_left, -1, "unlimited uses")

    def test_expired_and_early_codes_are_refused(self):
        now = fields.Datetime.now()
        grant, code = self._send_code()
        grant.write({"valid_from": now - timedelta(hours=2), "valid_to": now - timedelta(hours=1)})
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code), "denied")
        self.env["intellipush.access.grant"]._cron_intellipush_expire_grants()
        self.assertEqual(grant.state, "expired")

        early, early_code = self._send_code(
            valid_from=now + timedelta(hours=1), valid_to=now + timedelta(hours=3), partner=self.lars
        )
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, early_code), "denied")
        self.assertEqual(self._reasons(grant) + self._reasons(early), ["expired", "not_yet_valid"])
        self.assertEqual(early.state, "active", "an early code keeps its use")

    def test_new_code_revokes_the_old_one(self):
        old, old_code = self._send_code()
        action = old.action_send_new_code()
        new = self.env["intellipush.access.grant"].browse(action["res_id"])
        self.assertEqual((old.state, old.replaced_by_id), ("revoked", new))
        self.assertEqual((new.valid_to, new.number, new.partner_id), (old.valid_to, old.number, old.partner_id))

        # Sending from the contact again also replaces the live code.
        newest = self._issue()
        self.assertEqual((new.state, new.replaced_by_id), ("revoked", newest))
        self.env["sms.sms"]._cron_intellipush_dispatch()
        newest_code = self._received_code("41234567")

        self.assertEqual(self._check_code(self.sauna, self.sauna_key, old_code), "denied")
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, newest_code), "granted")
        self.assertEqual(self._reasons(old) + self._reasons(newest), ["revoked", "granted"])

    def test_blacklisted_contact_still_gets_the_code(self):
        self.env["phone.blacklist"].sudo()._add(["+4741500009"])
        self.lars._message_sms("Sommersalg!")  # what a blacklisted number does not get
        grant, code = self._send_code(partner=self.lars)

        self.assertEqual(self.sandbox_numbers(), [("0047", "41500009")], "only the code reached the number")
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code), "granted")
        self.assertEqual(grant.sms_id.state, "pending")

    def test_only_listed_issuers_may_send_codes(self):
        clerk = new_test_user(self.env, "kasse", groups="base.group_user,intellipush_sms.group_intellipush_user")
        locker, _key = self._new_door(issuer_user_ids=self.env.ref("base.user_admin").ids)
        with self.assertRaises(AccessError):
            locker.with_user(clerk)._issue_grant(KARI_NUMBER, partner=self.kari)

        locker.issuer_user_ids |= clerk
        grant = locker.with_user(clerk)._issue_grant(KARI_NUMBER, partner=self.kari.with_user(clerk))
        self.assertEqual((grant.issued_by_id, grant.state), (clerk, "active"))
        with self.assertRaises(AccessError):
            locker.with_user(clerk).action_new_api_key()

    def test_a_code_keeps_its_holder_and_the_log_is_append_only(self):
        grant, code = self._send_code()
        with self.assertRaises(UserError):
            grant.number = "+4799999999"
        self._check_code(self.sauna, self.sauna_key, code)
        with self.assertRaises(UserError):
            grant.attempt_ids.reason = "granted"

    # ------------------------------------------------------------
    # The code stays out of the database
    # ------------------------------------------------------------

    def test_code_is_stored_nowhere_in_clear(self):
        locker, key = self._new_door(code_alphabet="alphanumeric", code_length=8)
        grant = self._issue(resource=locker)
        sms = grant.sms_id
        self.assertIn("********", sms.intellipush_redacted_body)
        self.assertNotEqual(sms.body, sms.intellipush_redacted_body, "the code waits in the queue")

        self.env["sms.sms"]._cron_intellipush_dispatch()
        code = self._received_code("41234567")
        self.assertEqual(len(code), 8)
        sent = self.sandbox.messages()[-1]["message"]
        self.assertEqual(sms.body, sent.replace(code, "********"))
        self.assertEqual(
            (sms.sms_segments, sms.sms_encoding), (analyze(sent).segments, analyze(sent).encoding), "as sent"
        )
        self.assertEqual(self._check_code(locker, key, code), "granted")
        self.assertIn("Garderobeskap", self.kari.message_ids[0].body, "the contact's history tells a code went out")
        self.assertNotStored(code)

        # Delivered or not, the text stays masked.
        self.sandbox.deliver()
        self._poll_status_now()
        self.assertEqual(sms.state, "sent")
        self.assertNotStored(code)

    def test_failed_code_sms_is_visible_and_a_new_code_can_be_sent(self):
        self.sandbox.set_number_outcome("0047", "41234567", "reject_invalid")
        grant = self._issue()
        self.env["sms.sms"]._cron_intellipush_dispatch()

        self.assertEqual((grant.sms_state, grant.state), ("error", "active"))
        self.assertEqual(grant.sms_id.body, grant.sms_id.intellipush_redacted_body, "masked once it failed")
        with self.assertRaises(UserError):
            grant.sms_id.action_set_outgoing()

        self.sandbox.set_number_outcome("0047", "41234567", "deliver")
        new = self.env["intellipush.access.grant"].browse(grant.action_send_new_code()["res_id"])
        self.env["sms.sms"]._cron_intellipush_dispatch()
        code = self._received_code("41234567")
        self.assertEqual(self._check_code(self.sauna, self.sauna_key, code), "granted")
        self.assertEqual((grant.state, new.state), ("revoked", "used"))

    def test_code_is_masked_by_any_state_change_that_ends_the_wait(self):
        # Odoo's IAP dispatch and resend write the state directly, past
        # _update_sms_state_and_trackers: the mask must follow the state.
        sms = self._issue().sms_id
        sms.write({"state": "error", "failure_type": "sms_server"})
        self.assertEqual(sms.body, sms.intellipush_redacted_body)
        with self.assertRaises(UserError):
            sms.state = "outgoing"

    def test_code_that_would_wait_for_credits_is_not_sent(self):
        branch = self.env["res.company"].create({"name": "Filialen", "country_id": self.env.ref("base.no").id})
        self._configure_company(branch)  # no credits bought
        door, _key = self._create_access_resource(self.env, name="Resepsjonen", company_id=branch.id)
        with self.assertRaises(UserError):
            door._issue_grant(KARI_NUMBER, partner=self.kari)
        self.assertFalse(self._latest_grant(door))
        self.assertFalse(self.env["sms.sms"].search([("company_id", "=", branch.id)]))

    def _poll_status_now(self):
        self.env["sms.sms"].sudo().search([("state", "=", "pending")]).write(
            {"intellipush_next_status_check_at": fields.Datetime.now() - timedelta(seconds=1)}
        )
        self.env["sms.sms"]._cron_intellipush_status()

    # ------------------------------------------------------------
    # Lock-out
    # ------------------------------------------------------------

    @mute_logger(RESOURCE_LOGGER)
    def test_brute_force_locks_the_number_out_until_the_lockout_ends(self):
        locker, key = self._new_door()
        grant, code = self._send_code(resource=locker)
        for _attempt in range(3):
            self.assertEqual(self._check_code(locker, key, self._wrong(code), KARI_NUMBER), "denied")
        self.assertEqual(self._check_code(locker, key, code, KARI_NUMBER), "denied", "locked out")
        # Trying on while locked out does not make the lock-out last longer.
        for _attempt in range(5):
            self._check_code(locker, key, self._wrong(code), KARI_NUMBER)

        attempts = locker.env["intellipush.access.attempt"].search([("resource_id", "=", locker.id)], order="id")
        self.assertEqual(attempts.mapped("reason"), ["unknown_code"] * 3 + ["locked"] * 6)
        self.assertEqual(attempts.filtered("locked_until").mapped("lock_scope"), ["number"])
        self.assertEqual(grant.use_count, 0)
        locker.invalidate_recordset(["locked_until", "locked_number_count"])
        self.assertEqual((locker.locked_until, locker.locked_number_count), (False, 1), "staff see the number locked")

        self._let_time_pass(locker, 14)
        self.assertEqual(self._check_code(locker, key, code, KARI_NUMBER), "denied", "still locked out")
        self._let_time_pass(locker, 2)
        self.assertEqual(self._check_code(locker, key, code, KARI_NUMBER), "granted")
        locker.invalidate_recordset(["locked_number_count"])
        self.assertEqual(locker.locked_number_count, 0)

    @mute_logger(RESOURCE_LOGGER)
    def test_staff_lift_a_number_lockout(self):
        locker, key = self._new_door()
        _grant, code = self._send_code(resource=locker)
        for _attempt in range(3):
            self._check_code(locker, key, self._wrong(code), KARI_NUMBER)
        self.assertEqual(self._check_code(locker, key, code, KARI_NUMBER), "denied", "locked out")

        locker.action_lift_lockout()
        locker.invalidate_recordset(["locked_number_count"])
        self.assertEqual(locker.locked_number_count, 0)
        self.assertEqual(self._check_code(locker, key, code, KARI_NUMBER), "granted")

    @mute_logger(RESOURCE_LOGGER)
    def test_a_locked_number_stays_locked_when_the_door_leaves_it_out(self):
        locker, key = self._new_door()
        grant, code = self._send_code(resource=locker)
        for _attempt in range(3):
            self._check_code(locker, key, self._wrong(code), KARI_NUMBER)

        self.assertEqual(self._check_code(locker, key, code), "denied", "the code is the locked number's")
        self.assertEqual(self._check_code(locker, key, f"{code[:3]} {code[3:]}"), "denied")
        self.assertEqual(grant.use_count, 0)
        attempts = grant.attempt_ids.sorted("id")
        self.assertEqual(attempts.mapped("reason"), ["locked", "locked"])
        self.assertEqual(set(attempts.mapped("number")), {KARI_NUMBER}, "attributed to the holder's number")

        locker.action_lift_lockout()
        self.assertEqual(self._check_code(locker, key, code), "granted")
        self.assertEqual(grant.attempt_ids.sorted("id")[-1].number, KARI_NUMBER)

    @mute_logger(RESOURCE_LOGGER)
    def test_brute_force_at_the_door_locks_everyone_out_until_lifted(self):
        locker, key = self._new_door(max_uses=0)
        _grant, code = self._send_code(resource=locker)
        for _attempt in range(6):
            self._check_code(locker, key, self._wrong(code))
        self.assertEqual(self._check_code(locker, key, code), "denied")
        self.assertTrue(locker.locked_until)

        locker.action_lift_lockout()
        self.assertFalse(locker.locked_until)
        self.assertEqual(self._check_code(locker, key, code), "granted")

    @mute_logger(RESOURCE_LOGGER)
    def test_failures_spread_wider_than_the_window_do_not_lock(self):
        door, key = self._new_door()
        for _attempt in range(5):
            self._check_code(door, key, "000000")
        self._let_time_pass(door, 11)
        self._check_code(door, key, "000000")
        self.assertFalse(door.locked_until, "6 failures, but not within 10 minutes")
        for _attempt in range(5):
            self._check_code(door, key, "000000")
        self.assertTrue(door.locked_until, "6 failures within 10 minutes")

    # ------------------------------------------------------------
    # What the endpoint answers to strangers and garbage
    # ------------------------------------------------------------

    @mute_logger(CONTROLLER_LOGGER, "odoo.http")
    def test_wrong_api_key_and_malformed_requests_get_4xx(self):
        payload = {"code": "123456"}
        other, other_key = self._new_door()
        earlier = self.env["intellipush.access.attempt"].search([], order="id DESC", limit=1)
        unauthorized = [
            self._access_request(self.sauna, None, payload),
            self._access_request(self.sauna, "wrong-key", payload),
            self._access_request(self.sauna, other_key, payload),
            self._access_request(self.sauna, None, payload, headers={"Authorization": f"Basic {self.sauna_key}"}),
            self._access_request(other.browse(other.id + 1000), other_key, payload),
            self._access_request(other.browse(2**40), other_key, payload),
        ]
        self.assertEqual([response.status_code for response in unauthorized], [401] * 6)

        bodies = [
            b"",
            b"not json",
            b"\xff\xfe{}",
            b"[1, 2]",
            b'"482913"',
            b"{}",
            b'{"number": "+4741234567"}',
            b'{"code": 482913}',
            b'{"code": ""}',
            b'{"code": null}',
            b'{"code": ["482913"]}',
            b'{"code": "482913", "number": 4741234567}',
            b'{"code": "' + b"1" * 100 + b'"}',
            b"[" * 3000,
            b'{"code": "482913", "pad": "' + b"x" * 5000 + b'"}',
        ]
        malformed = [self._access_request(self.sauna, self.sauna_key, body=body) for body in bodies]
        self.assertEqual([response.status_code for response in malformed], [400] * len(bodies))
        self.assertEqual({response.json()["error"] for response in malformed}, {"bad_request"})

        get = self.url_open(f"/intellipush/access/{self.sauna.id}/validate")
        self.assertTrue(400 <= get.status_code < 500, get.status_code)

        self.assertFalse(
            self.env["intellipush.access.attempt"].search([("id", ">", earlier.id or 0)]),
            "strangers and garbage write nothing (and lock nobody out)",
        )

    @mute_logger(CONTROLLER_LOGGER, "odoo.http")
    def test_text_the_database_cannot_store_gets_400_and_writes_nothing(self):
        earlier = self.env["intellipush.access.attempt"].search([], order="id DESC", limit=1)
        bodies = [
            b'{"code": "482913", "number": "+47412\\u000034567"}',
            b'{"code": "482\\u0000913"}',
            b'{"code": "482\\u0000913", "number": "+4741234567"}',
            b'{"code": "482913", "number": "+47\\ud83412"}',
            b'{"code": "\\udfff482913"}',
        ]
        responses = [self._access_request(self.sauna, self.sauna_key, body=body) for body in bodies]
        self.assertEqual([response.status_code for response in responses], [400] * len(bodies))
        self.assertEqual({response.json()["error"] for response in responses}, {"bad_request"})
        self.assertFalse(self.env["intellipush.access.attempt"].search([("id", ">", earlier.id or 0)]))

    def _from_client(self, address, resource, key, payload=None):
        """A request to the door endpoint from ``address``, as a reverse proxy tells it."""
        with patch.dict(config.options, proxy_mode=True):
            return self._access_request(
                resource,
                key,
                payload or {"code": "123456"},
                headers={"X-Forwarded-For": address, "X-Forwarded-Host": "odoo.example.com"},
            )

    @mute_logger(CONTROLLER_LOGGER)
    def test_wrong_keys_are_throttled_per_client_without_writing(self):
        door, key = self._new_door()
        earlier = self.env["intellipush.access.attempt"].search([], order="id DESC", limit=1)
        allowed = access_controller.CLIENT_LIMITER.capacity
        wrong_key = [self._from_client("198.51.100.7", door, "wrong-key") for _request in range(allowed + 5)]
        # An unknown id is answered exactly like a known one with a wrong key.
        unknown = [
            self._from_client("198.51.100.8", door.browse(door.id + 1000), key) for _request in range(allowed + 5)
        ]

        for responses in (wrong_key, unknown):
            self.assertEqual([response.status_code for response in responses], [401] * allowed + [429] * 5)
            self.assertEqual(
                [response.json() for response in responses],
                [{"error": "unauthorized"}] * allowed + [{"error": "too_many_requests"}] * 5,
            )
            self.assertTrue(all(int(response.headers["Retry-After"]) >= 1 for response in responses[allowed:]))
            self.assertNotIn("Retry-After", responses[0].headers)
        self.assertFalse(self.env["intellipush.access.attempt"].search([("id", ">", earlier.id or 0)]))

        # The throttled client is refused even with the key; the door's own client is not.
        self.assertEqual(self._from_client("198.51.100.7", door, key).status_code, 429)
        answer = self._from_client("203.0.113.9", door, key)
        self.assertEqual((answer.status_code, answer.json()), (200, {"access": "denied"}))

    @mute_logger(CONTROLLER_LOGGER)
    def test_wrong_keys_from_many_clients_are_throttled_per_resource(self):
        door, key = self._new_door()
        earlier = self.env["intellipush.access.attempt"].search([], order="id DESC", limit=1)
        allowed = access_controller.RESOURCE_LIMITER.capacity
        statuses = [
            self._from_client(f"10.0.{index // 250}.{index % 250 + 1}", door, "wrong-key").status_code
            for index in range(allowed + 5)
        ]
        self.assertEqual(statuses, [401] * allowed + [429] * 5)
        self.assertEqual(
            self._from_client("198.51.100.1", door.browse(door.id + 1), "wrong-key").status_code,
            401,
            "another resource id has its own allowance",
        )
        self.assertFalse(self.env["intellipush.access.attempt"].search([("id", ">", earlier.id or 0)]))

        # The door itself, with its key, still gets in.
        answer = self._from_client("203.0.113.9", door, key)
        self.assertEqual((answer.status_code, answer.json()), (200, {"access": "denied"}))

    def test_new_api_key_replaces_the_old_one(self):
        door, old_key = self._new_door()
        new_key = door.action_new_api_key()["context"]["default_key"]
        self.assertNotEqual(new_key, old_key)
        with mute_logger(CONTROLLER_LOGGER):
            self.assertEqual(self._access_request(door, old_key, {"code": "1234"}).status_code, 401)
        self.assertEqual(self._check_code(door, new_key, "1234"), "denied")
        self.assertNotIn(new_key, door.sudo().api_key_hash)
        self.assertNotStored(new_key)

    # ------------------------------------------------------------
    # Intellipush two-factor codes
    # ------------------------------------------------------------

    def test_twofactor_resource(self):
        gym, key = self._create_access_resource(self.env, name="Treningssenter", backend="intellipush")
        grant = self._issue(resource=gym)

        sms = grant.sms_id
        self.assertEqual(self.sandbox_numbers(), [("0047", "41234567")], "Intellipush texted the code at once")
        code = self.sandbox.twofactor_code("0047", "41234567")
        self.assertEqual(sms.body, self.sandbox.messages()[0]["message"].replace(code, "******"))
        self.assertEqual((sms.state, sms.credit_state), ("pending", "debited"))
        self.assertEqual(sms.intellipush_id, self.sandbox.messages()[0]["id"], "its delivery report is followed")

        self.assertEqual(self._check_code(gym, key, code), "denied", "Intellipush needs the number")
        self.assertEqual(self._check_code(gym, key, self._wrong(code), KARI_NUMBER), "denied")
        self.assertEqual(self._check_code(gym, key, code, "+47 412 34 567"), "granted")
        self.assertEqual(self._check_code(gym, key, code, KARI_NUMBER), "denied")
        self.assertEqual(self._reasons(grant), ["provider_refused", "granted", "used_up"])
        self.assertNotStored(code)

    def test_twofactor_code_not_sent_is_not_issued(self):
        gym, _key = self._create_access_resource(self.env, name="Treningssenter", backend="intellipush")
        self.sandbox.inject_fault("http_503", endpoint="twofactor/generate", count=10)
        with self.assertRaises(UserError):
            self._issue(resource=gym)
        self.assertFalse(self._latest_grant(gym))
        self.assertFalse(self.sandbox.messages())


class CommittedGrantCase(BaseCase):
    """A resource and Kari's grant of ``CODE``, committed so that several
    transactions (doors) can check it at once; removed after the class."""

    CODE = "731904"
    RESOURCE_VALUES = {}
    MAX_USES = 1

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.code = cls.CODE
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            resource = env["intellipush.access.resource"].create(cls.RESOURCE_VALUES)
            now = fields.Datetime.now()
            grant = env["intellipush.access.grant"].create(
                {
                    "resource_id": resource.id,
                    "number": KARI_NUMBER,
                    "valid_from": now - timedelta(minutes=1),
                    "valid_to": now + timedelta(hours=1),
                    "max_uses": cls.MAX_USES,
                    "channel": "sms",
                    "code_hash": resource._access_code_hash(cls.code),
                }
            )
            cls.resource_id, cls.grant_id = resource.id, grant.id
        cls.addClassCleanup(cls._remove_fixtures)

    @classmethod
    def _remove_fixtures(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            resource = env["intellipush.access.resource"].browse(cls.resource_id)
            env["intellipush.access.attempt"].search([("resource_id", "=", resource.id)]).unlink()
            resource.grant_ids.unlink()
            resource.unlink()


@tagged("post_install", "-at_install", "intellipush")
class TestAccessCodeConcurrency(CommittedGrantCase):
    """Two doors check the same single-use code at the same moment, each in
    its own committed transaction: only one opens."""

    RESOURCE_VALUES = {"name": "Badstue (samtidig)"}

    def _first_door(self, env, results, holding, release):
        """Opens, then keeps its transaction (and the grant's row lock) open until released."""
        results.append(env["intellipush.access.resource"].browse(self.resource_id)._access_validate(self.code))
        holding.set()
        release.wait(10)
        env.cr.commit()

    def _second_door(self, env, results):
        """Retried on a serialization failure, as Odoo's HTTP layer does
        (``retrying`` itself would wait for the registry lock the test runner holds)."""
        resource = env["intellipush.access.resource"].browse(self.resource_id)
        for _try in range(3):
            try:
                results.append(resource._access_validate(self.code))
                env.cr.commit()
                return
            except psycopg2.errors.SerializationFailure:
                env.cr.rollback()
                env.transaction.clear()

    def test_single_use_code_opens_one_door_only(self):
        first, second = [], []
        holding, release = threading.Event(), threading.Event()
        # Environments are made here: the test runner holds the registry
        # lock that making one in another thread would wait for.
        with self.registry.cursor() as first_cr, self.registry.cursor() as second_cr:
            first_env = api.Environment(first_cr, SUPERUSER_ID, {})
            second_env = api.Environment(second_cr, SUPERUSER_ID, {})
            first_door = threading.Thread(target=self._first_door, args=(first_env, first, holding, release))
            first_door.start()
            self.assertTrue(holding.wait(10))
            second_door = threading.Thread(target=self._second_door, args=(second_env, second))
            with mute_logger("odoo.sql_db"):  # the second door's serialization failure, retried
                second_door.start()
                second_door.join(0.5)
                self.assertTrue(second_door.is_alive(), "the second door waits for the first one's row lock")
                release.set()
                first_door.join(10)
                second_door.join(30)

        self.assertEqual((first, second), ([True], [False]))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            grant = env["intellipush.access.grant"].browse(self.grant_id)
            self.assertEqual((grant.use_count, grant.state), (1, "used"))
            self.assertEqual(grant.attempt_ids.sorted("id").mapped("reason"), ["granted", "used_up"])


@tagged("post_install", "-at_install", "intellipush")
class TestAccessLockoutConcurrency(CommittedGrantCase):
    """Wrong codes from many doors at once, each check in its own committed
    transaction: the lock-out counts every one of them, never more failures
    than the limits allow."""

    NUMBER_LIMIT = 5
    DOOR_LIMIT = 20
    ATTEMPTS = 100
    THREADS = 40
    MAX_USES = 0
    RESOURCE_VALUES = {
        "name": "Badstue (angrep)",
        "lockout_number_failures": NUMBER_LIMIT,
        "lockout_resource_failures": DOOR_LIMIT,
        "lockout_window_minutes": 60,
        "lockout_minutes": 15,
    }

    def _door(self, env, attempts, start, errors):
        """Checks wrong codes until none is left, each in a transaction of its
        own, retried on a serialization failure as Odoo's HTTP layer does."""
        resource = env["intellipush.access.resource"].browse(self.resource_id)
        start.wait(10)
        try:
            while True:
                try:
                    code, number = attempts.get_nowait()
                except queue.Empty:
                    return
                for _try in range(200):
                    try:
                        resource._access_validate(code, number)
                        env.cr.commit()
                        break
                    except psycopg2.errors.SerializationFailure:
                        env.cr.rollback()
                        env.transaction.clear()
                        time.sleep(random.uniform(0, 0.02))
                else:
                    errors.append("an attempt never got through")
        except Exception as error:  # noqa: BLE001 (reported by the test)
            errors.append(repr(error))
            env.cr.rollback()

    @mute_logger(RESOURCE_LOGGER, "odoo.sql_db")
    def test_parallel_wrong_codes_never_exceed_the_limits(self):
        attempts = queue.Queue()
        for index in range(self.ATTEMPTS):
            # Every other one from the holder's number, the rest without a number.
            attempts.put((f"{100000 + index:06d}", KARI_NUMBER if index % 2 else None))
        start, errors = threading.Event(), []
        # Environments are made here: the test runner holds the registry
        # lock that making one in another thread would wait for.
        with ExitStack() as stack:
            envs = [
                api.Environment(stack.enter_context(self.registry.cursor()), SUPERUSER_ID, {})
                for _thread in range(self.THREADS)
            ]
            doors = [threading.Thread(target=self._door, args=(env, attempts, start, errors)) for env in envs]
            for door in doors:
                door.start()
            start.set()
            for door in doors:
                door.join(120)
            self.assertFalse([door for door in doors if door.is_alive()], "a door hangs")
        self.assertFalse(errors)

        with self.registry.cursor() as cr:
            cr.execute(
                """
                SELECT COUNT(*),
                       COUNT(*) FILTER (WHERE is_failure),
                       COUNT(*) FILTER (WHERE is_failure AND number = %(number)s),
                       COUNT(*) FILTER (WHERE lock_scope = 'resource'),
                       COUNT(*) FILTER (WHERE lock_scope = 'number')
                  FROM intellipush_access_attempt
                 WHERE resource_id = %(resource)s
                """,
                {"resource": self.resource_id, "number": KARI_NUMBER},
            )
            total, failures, number_failures, door_locks, number_locks = cr.fetchone()
        self.assertEqual(total, self.ATTEMPTS, "every attempt is logged once")
        self.assertLessEqual(number_failures, self.NUMBER_LIMIT)
        self.assertEqual(failures, self.DOOR_LIMIT, "the door locks at its limit, not later")
        self.assertEqual((door_locks, number_locks), (1, int(number_failures == self.NUMBER_LIMIT)))
