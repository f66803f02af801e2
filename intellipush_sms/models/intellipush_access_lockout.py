"""The attempt log and lock-out of an access resource: every code presented
at its door is logged with its reason, and too many failures in a window
lock out the number, or the whole door, for a while (see
``tools/access_codes.LockoutPolicy``).
"""

import logging
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from ..tools.access_codes import LockoutPolicy
from .intellipush_access_attempt import FAILURE_REASONS

_logger = logging.getLogger(__name__)


class IntellipushAccessResource(models.Model):
    _inherit = "intellipush.access.resource"

    # ------------------------------------------------------------
    # Attempt log and lock-out
    # ------------------------------------------------------------

    def _access_record(self, reason, now=None, number=False, grant=False, remote_addr=False):
        """Log an attempt, locking the number or the resource out when it is one
        failure too many. Returns whether access was granted."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        values = {
            "date": now,
            "resource_id": self.id,
            "grant_id": grant.id if grant else False,
            "number": number or False,
            "reason": reason,
            "remote_addr": remote_addr or False,
        }
        if reason in FAILURE_REASONS:
            values.update(self._access_lockout(number, now))
        self.env["intellipush.access.attempt"].sudo().create(values)
        if values.get("locked_until"):
            _logger.warning(
                "Access resource %s: %s locked out until %s after repeated wrong codes",
                self.id,
                "the resource" if values["lock_scope"] == "resource" else "a number",
                values["locked_until"],
            )
        return reason == "granted"

    def _lockout_policy(self, scope):
        failures = self.lockout_resource_failures if scope == "resource" else self.lockout_number_failures
        return LockoutPolicy(
            max_failures=failures,
            window=timedelta(minutes=self.lockout_window_minutes),
            duration=timedelta(minutes=self.lockout_minutes),
        )

    def _access_lockout(self, number, now):
        """``{locked_until, lock_scope}`` when a failure now locks, else ``{}``.
        The whole resource wins over one number."""
        for scope in ("resource", "number"):
            policy = self._lockout_policy(scope)
            if not policy.enabled or (scope == "number" and not number):
                continue
            scope_number = number if scope == "number" else None
            since = policy.counting_since(now, self._access_last_lock(scope, scope_number), self.lock_cleared_at)
            locked_until = policy.lock_until(now, self._access_failures_since(since, scope_number))
            if locked_until:
                return {"locked_until": locked_until, "lock_scope": scope}
        return {}

    def _access_number_condition(self, number):
        return SQL("AND number = %s", number) if number else SQL()

    def _access_last_lock(self, scope, number):
        self.env["intellipush.access.attempt"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT MAX(date)
                  FROM intellipush_access_attempt
                 WHERE resource_id = %s AND lock_scope = %s %s
                """,
                self.id,
                scope,
                self._access_number_condition(number),
            )
        )
        return self.env.cr.fetchone()[0]

    def _access_failures_since(self, since, number):
        self.env["intellipush.access.attempt"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*)
                  FROM intellipush_access_attempt
                 WHERE resource_id = %s AND is_failure AND date > %s %s
                """,
                self.id,
                since,
                self._access_number_condition(number),
            )
        )
        return self.env.cr.fetchone()[0]

    def _access_locked_number_count(self, now):
        """How many numbers are locked out here now (lifting the lock-out lets them in too)."""
        self.ensure_one()
        self.env["intellipush.access.attempt"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(DISTINCT number)
                  FROM intellipush_access_attempt
                 WHERE resource_id = %s AND lock_scope = 'number' AND locked_until > %s AND date > %s
                """,
                self.id,
                now,
                self.lock_cleared_at or fields.Datetime.to_datetime("1970-01-01"),
            )
        )
        return self.env.cr.fetchone()[0]

    def _access_locked_until(self, number, now):
        """The end of the lock-out that applies to ``number`` here (or to
        everyone, without a number), else False."""
        self.ensure_one()
        self.env["intellipush.access.attempt"].flush_model()
        scope_condition = (
            SQL("(lock_scope = 'resource' OR (lock_scope = 'number' AND number = %s))", number)
            if number
            else SQL("lock_scope = 'resource'")
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT MAX(locked_until)
                  FROM intellipush_access_attempt
                 WHERE resource_id = %s AND locked_until > %s AND date > %s AND %s
                """,
                self.id,
                now,
                self.lock_cleared_at or fields.Datetime.to_datetime("1970-01-01"),
                scope_condition,
            )
        )
        return self.env.cr.fetchone()[0] or False
