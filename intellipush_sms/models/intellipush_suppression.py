import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.personal_data import number_hash

SECRET_PARAM = "intellipush_sms.suppression_secret"
# "all": the number had opted out (blacklisted) when it was erased; it gets
# nothing but access codes, as on the blacklist. "marketing": no marketing
# SMS until a contact with that number consents again after the erasure.
SUPPRESSION_SCOPES = [
    ("all", "Opted Out: All SMS"),
    ("marketing", "Marketing SMS"),
]


class IntellipushSuppression(models.Model):
    """What remains of a phone number erased at its owner's request (GDPR
    art. 17): a keyed hash, so that the opt-out still holds after erasure.

    Global, like ``phone.blacklist``: an opt-out binds every company of the
    database. The hash is HMAC-SHA256 under a secret of this database
    (``ir.config_parameter`` ``intellipush_sms.suppression_secret``): the list
    tells nobody whose numbers it holds, and a guess cannot be tested without
    the secret. A restored copy of the database keeps the secret, and with it
    the opt-outs.
    """

    _name = "intellipush.suppression"
    _description = "Erased Number Kept Suppressed"
    _order = "erased_at DESC, id DESC"
    _rec_name = "number_hash"

    number_hash = fields.Char(required=True, readonly=True, copy=False)
    scope = fields.Selection(SUPPRESSION_SCOPES, required=True, readonly=True)
    # When the erasure took effect, as consents are dated (not the transaction's start).
    erased_at = fields.Datetime("Erased On", required=True, readonly=True, default=fields.Datetime.now)
    reason = fields.Char("Request", readonly=True, help="The erasure request, as the manager recorded it.")
    user_id = fields.Many2one("res.users", string="Erased By", readonly=True, default=lambda self: self.env.user)

    _sql_constraints = [
        ("number_hash_unique", "unique(number_hash)", "An erased number is suppressed once."),
    ]

    def write(self, vals):
        raise UserError(
            self.env._("A suppressed number cannot be changed: it is lifted when the number opts in again.")
        )

    @api.model
    def _secret(self):
        """The database's suppression secret, made on first use."""
        params = self.env["ir.config_parameter"].sudo()
        secret = params.get_param(SECRET_PARAM)
        if not secret:
            secret = secrets.token_hex(32)
            params.set_param(SECRET_PARAM, secret)
        return secret

    @api.model
    def _any(self):
        """Whether any number was ever erased: most databases never erase one,
        and their sends and opt-ins then hash nothing."""
        self.flush_model()
        self.env.cr.execute("SELECT EXISTS (SELECT 1 FROM intellipush_suppression)")
        return self.env.cr.fetchone()[0]

    @api.model
    def _hashes(self, numbers):
        """``{hash: number}`` of E.164 ``numbers``."""
        secret = self._secret()
        return {number_hash(secret, number): number for number in numbers}

    @api.model
    def _suppressed(self, numbers):
        """``{number: (scope, erased_at)}`` of those of E.164 ``numbers`` that
        were erased, in one query (none at all while nothing was erased)."""
        # Not even a query for Odoo's own SMS (IAP), which come with no numbers.
        if not numbers or not self._any():
            return {}
        by_hash = self._hashes(numbers)
        self.env.cr.execute(
            "SELECT number_hash, scope, erased_at FROM intellipush_suppression WHERE number_hash = ANY(%s)",
            [list(by_hash)],
        )
        return {by_hash[digest]: (scope, erased_at) for digest, scope, erased_at in self.env.cr.fetchall()}

    @api.model
    def _of_numbers(self, numbers):
        """The suppressions of E.164 ``numbers`` (superuser)."""
        if not numbers or not self._any():
            return self.sudo().browse()
        return self.sudo().search([("number_hash", "in", list(self._hashes(numbers)))])

    @api.model
    def _suppress(self, number, scope, reason):
        """Keep ``number`` (E.164) suppressed in ``scope``; a wider scope wins."""
        existing = self._of_numbers({number})
        if existing.scope in ("all", scope):
            return existing
        existing.unlink()  # kept rows are never written: the wider one replaces it
        return self.sudo().create(
            {"number_hash": number_hash(self._secret(), number), "scope": scope, "reason": reason}
        )

    @api.model
    def _lift(self, numbers):
        """The numbers opted in again: their erasure no longer holds them back."""
        self._of_numbers(numbers).unlink()
