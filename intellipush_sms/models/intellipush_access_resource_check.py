"""Checking codes at an access resource's door (door controllers, through
the controller): the resource's API key, the code's keyed hash, one check at
a time per door, and the grant a code opens. The attempt log and lock-out
are in ``intellipush_access_lockout.py``.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.access_codes import hashes_match, keyed_hash, normalize_code
from ..tools.phone_numbers import InvalidPhoneNumber, normalize
from .intellipush_access_resource import API_KEY_SCOPE


class IntellipushAccessResource(models.Model):
    _inherit = "intellipush.access.resource"

    # ------------------------------------------------------------
    # Checking codes (door controllers, through the controller)
    # ------------------------------------------------------------

    def _access_secret(self):
        # Per database, never in a template or a log; a code hash of one
        # database does not match in another.
        return self.env["ir.config_parameter"].sudo().get_param("database.secret")

    def _access_code_hash(self, code):
        self.ensure_one()
        return keyed_hash(self._access_secret(), f"access-code:{self.id}", code)

    def _access_key_hash(self, key):
        self.ensure_one()
        return keyed_hash(self._access_secret(), API_KEY_SCOPE % self.id, key)

    @api.model
    def _access_authenticate(self, resource_id, key):
        """The active resource ``resource_id`` when ``key`` is its API key, else
        an empty recordset. An unknown id, an archived resource and a wrong key
        take the same steps (one query, one hash, one comparison in constant
        time): the caller learns nothing about a resource it has no key for.
        Called by the controller in sudo."""
        resource = self.search_fetch([("id", "=", resource_id)], ["api_key_hash"]) if resource_id else self.browse()
        presented = keyed_hash(self._access_secret(), API_KEY_SCOPE % resource_id, key or "")
        if key and hashes_match(resource.api_key_hash or "", presented):
            return resource
        return self.browse()

    def _access_validate_in_turn(self, code, number=None, remote_addr=None):
        """:meth:`_access_validate` for a request, in a transaction of its own
        in READ COMMITTED: checks at one door then wait for each other on the
        resource row and read what the one before committed, instead of
        failing on each other's commits under repeatable read (eight doors
        at once ran out of retries and answered 500). Odoo's test cursors
        cannot change isolation: tests run the same checks in place."""
        self.ensure_one()
        if self.env.registry.in_test_mode():
            return self._access_validate(code, number, remote_addr=remote_addr)
        with self.env.registry.cursor() as cr:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            return self.with_env(self.env(cr=cr))._access_validate(code, number, remote_addr=remote_addr)

    def _access_validate(self, code, number=None, remote_addr=None):
        """Check a code presented at this resource and record the attempt.

        True when access is granted, which uses the code once. Why a code is
        refused goes to the attempt log only. Called by the controller in
        sudo, after the API key was checked.
        """
        self.ensure_one()
        now = fields.Datetime.now()
        self._access_serialize_checks(now)
        phone = None
        if number:
            try:
                # The number a code was issued to, whatever may receive SMS now.
                phone = normalize(number, self.company_id._intellipush_phone_region(), mobile_only=False)
            except InvalidPhoneNumber:
                phone = None
        # A number that is none counts against the resource, as typed.
        e164 = phone.e164 if phone else (number or False)
        grants = self.env["intellipush.access.grant"]
        if number and not phone:
            grant, reason = grants, "wrong_number"
        elif self.backend == "intellipush" and not phone:
            grant, reason = grants, "no_number"
        else:
            grant, reason = self._access_find_grant(code, e164)
        # A code presented without a number is its holder's: the holder's
        # lock-out applies, and the attempt is logged against the holder.
        e164 = e164 or grant.number
        if self._access_locked_until(e164, now):
            return self._access_record("locked", now, number=e164, grant=grant, remote_addr=remote_addr)
        if not reason:
            grant._lock_for_use()
            reason = grant._refusal(now)
            if not reason and grant.channel == "intellipush":
                reason = grant._twofactor_refusal(phone, code)
        if reason:
            return self._access_record(reason, now, number=e164, grant=grant, remote_addr=remote_addr)
        grant._use(now)
        return self._access_record("granted", now, number=e164, grant=grant, remote_addr=remote_addr)

    def _access_serialize_checks(self, now):
        """Serve the checks at this resource one after the other.

        An UPDATE, not a mere ``SELECT … FOR UPDATE``: under Odoo's repeatable
        read, a check whose snapshot predates another check's commit then fails
        with a serialization error and is retried with a fresh snapshot, so it
        counts the other check's failures and sees its lock-out. A lock alone
        would let it count from its stale snapshot."""
        self.env.cr.execute(
            SQL("UPDATE intellipush_access_resource SET last_attempt_at = %s WHERE id = %s", now, self.id)
        )
        self.invalidate_recordset(["last_attempt_at"])

    def _access_find_grant(self, code, e164):
        """``(grant, refusal)``: the grant the code belongs to, or why there is none."""
        grants = self.env["intellipush.access.grant"]
        if self.backend == "intellipush":
            # Intellipush checks the code; the number says whose it is.
            grant = grants.search(
                [("resource_id", "=", self.id), ("number", "=", e164), ("channel", "=", "intellipush")],
                order="id desc",
                limit=1,
            )
            return grant, None if grant else "unknown_code"
        canonical = normalize_code(code, self.code_alphabet)
        if canonical is None:
            return grants, "unknown_code"
        # The newest grant with this code: one reused after its revocation is
        # refused for what it is now.
        grant = grants.search(
            [("resource_id", "=", self.id), ("code_hash", "=", self._access_code_hash(canonical))],
            order="id desc",
            limit=1,
        )
        if not grant:
            return grant, "unknown_code"
        if e164 and grant.number != e164:
            return grant, "wrong_number"
        return grant, None
