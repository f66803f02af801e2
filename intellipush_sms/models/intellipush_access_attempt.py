from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import create_index

from ..tools.phone_display import display_number

ATTEMPT_REASONS = [
    ("granted", "Access Granted"),
    # No longer written: a wrong key or a malformed request writes nothing
    # (see controllers/access.py). Kept for the rows logged before.
    ("bad_key", "Wrong API Key"),
    ("malformed", "Malformed Request"),
    ("locked", "Locked Out"),
    ("no_number", "Number Missing"),
    ("unknown_code", "Unknown Code"),
    ("wrong_number", "Code of Another Number"),
    ("not_yet_valid", "Not Valid Yet"),
    ("expired", "Expired"),
    ("used_up", "Used Up"),
    ("revoked", "Revoked"),
    ("provider_refused", "Refused by Intellipush"),
    ("provider_error", "Intellipush Unreachable"),
]
# Guesses, which count towards a lock-out. A known code that is expired,
# used up, revoked or early is its holder's, not a guess: counting it would
# lock out the person who is about to get a new code.
FAILURE_REASONS = frozenset({"unknown_code", "wrong_number", "provider_refused"})
RETENTION = timedelta(days=90)


class IntellipushAccessAttempt(models.Model):
    """Append-only log of every code presented at an access resource, with
    the reason for each refusal: the door itself only hears granted or denied."""

    _name = "intellipush.access.attempt"
    _description = "SMS Access Attempt"
    _order = "date DESC, id DESC"
    _rec_name = "resource_id"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    resource_id = fields.Many2one(
        "intellipush.access.resource", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="resource_id.company_id", store=True, index=True)
    grant_id = fields.Many2one(
        "intellipush.access.grant", string="Code", readonly=True, index="btree_not_null", ondelete="set null"
    )
    partner_id = fields.Many2one(related="grant_id.partner_id", string="Contact")
    number = fields.Char(readonly=True)
    number_display = fields.Char("Mobile Number", compute="_compute_number_display")
    reason = fields.Selection(ATTEMPT_REASONS, required=True, readonly=True)
    result = fields.Selection(
        [("granted", "Access Granted"), ("denied", "Access Denied")],
        compute="_compute_result",
        store=True,
        precompute=True,
    )
    is_failure = fields.Boolean("Counts Towards Lock-out", compute="_compute_result", store=True, precompute=True)
    locked_until = fields.Datetime("Locks Until", readonly=True)
    lock_scope = fields.Selection([("resource", "Whole Resource"), ("number", "This Number")], readonly=True)
    remote_addr = fields.Char("IP Address", readonly=True)

    def init(self):
        # The lock-out queries: a resource's recent attempts.
        create_index(self.env.cr, "intellipush_access_attempt_resource_date_idx", self._table, ["resource_id", "date"])

    @api.depends("number")
    def _compute_number_display(self):
        for attempt in self:
            attempt.number_display = display_number(attempt.number)

    @api.depends("reason")
    def _compute_result(self):
        for attempt in self:
            attempt.result = "granted" if attempt.reason == "granted" else "denied"
            attempt.is_failure = attempt.reason in FAILURE_REASONS

    def write(self, vals):
        raise UserError(_("The access attempt log is append-only: entries cannot be changed."))

    @api.autovacuum
    def _gc_old_attempts(self):
        """Keep the door log for 90 days: long enough to look into an incident,
        not a record of everyone's comings and goings for ever."""
        self.sudo().search([("date", "<", fields.Datetime.now() - RETENTION)], limit=10000).unlink()
