import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_datetime

from ..tools import intellipush_api
from ..tools.access_codes import MASK_CHAR, mask, normalize_code, redact_between
from ..tools.phone_display import display_number

_logger = logging.getLogger(__name__)

GRANT_STATES = [("active", "Active"), ("used", "Used Up"), ("expired", "Expired"), ("revoked", "Revoked")]
# Set once, when a grant is made: changing them would make it another grant.
PROTECTED_FIELDS = frozenset({"resource_id", "partner_id", "number", "channel", "code_hash", "issued_by_id", "sms_id"})
# All a user may change by hand: the validity of a live code, for the issuers
# of its resource. State, uses, limit and code change only through the door
# and the issuing flow (Send Access Code, Send New Code, Revoke), in sudo.
USER_WRITABLE_FIELDS = frozenset({"valid_from", "valid_to"})
EXPIRE_BATCH = 1000
TWOFACTOR_CODE_LENGTH = 6  # what Intellipush's codes are assumed to be before its answer tells


class IntellipushAccessGrant(models.Model):
    """A one-time code sent by SMS that opens a resource: who holds it, when
    and how often it opens. The code itself is never stored, only its keyed
    hash (or, for Intellipush two-factor codes, nothing: Intellipush checks)."""

    _name = "intellipush.access.grant"
    _description = "SMS Access Code"
    _order = "id DESC"

    resource_id = fields.Many2one(
        "intellipush.access.resource", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="resource_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True, index="btree_not_null")
    number = fields.Char(required=True, readonly=True, index=True, help="The holder's mobile number, E.164.")
    number_display = fields.Char("Mobile Number", compute="_compute_number_display")
    valid_from = fields.Datetime(required=True, default=fields.Datetime.now)
    valid_to = fields.Datetime("Valid Until", required=True)
    valid_to_text = fields.Char("Valid Until (Text)", compute="_compute_valid_to_text")
    max_uses = fields.Integer("Uses", readonly=True, help="0: unlimited while valid.")
    use_count = fields.Integer("Times Used", readonly=True, copy=False)
    uses_left = fields.Integer(compute="_compute_uses_left", help="-1: unlimited.")
    last_used_at = fields.Datetime("Last Used", readonly=True, copy=False)
    state = fields.Selection(GRANT_STATES, required=True, readonly=True, default="active", index=True, copy=False)
    channel = fields.Selection(
        [("sms", "SMS Code"), ("intellipush", "Intellipush Two-Factor")],
        required=True,
        readonly=True,
        help="SMS Code: Odoo drew the code and checks its hash. Intellipush Two-Factor: Intellipush drew "
        "and checks it.",
    )
    issued_by_id = fields.Many2one("res.users", readonly=True, default=lambda self: self.env.user)
    code_hash = fields.Char(groups="base.group_system", readonly=True, copy=False, index="btree_not_null")
    sms_id = fields.Many2one("sms.sms", string="SMS", readonly=True, copy=False, ondelete="set null")
    sms_state = fields.Selection(related="sms_id.state", string="SMS Status")
    sms_failure_reason = fields.Text(related="sms_id.failure_reason", string="SMS Failure")
    revoked_at = fields.Datetime(readonly=True, copy=False)
    replaced_by_id = fields.Many2one("intellipush.access.grant", readonly=True, copy=False)
    attempt_ids = fields.One2many("intellipush.access.attempt", "grant_id", string="Attempts")
    # Fed by the context while the SMS is rendered, never stored: what the
    # template's {{ object.access_code }} shows (the code, or its mask).
    access_code = fields.Char(compute="_compute_access_code")

    _sql_constraints = [
        ("validity_order", "CHECK(valid_to > valid_from)", "A code must end after it starts."),
        ("max_uses_not_negative", "CHECK(max_uses >= 0)", "The uses of a code cannot be negative."),
    ]

    def init(self):
        # Two live codes of one resource never share a hash: a code says
        # whose it is.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS intellipush_access_grant_live_code_uniq
                ON intellipush_access_grant (resource_id, code_hash)
             WHERE state = 'active' AND code_hash IS NOT NULL
            """
        )

    @api.depends("resource_id", "number", "partner_id")
    def _compute_display_name(self):
        for grant in self:
            holder = grant.partner_id.name or display_number(grant.number)
            grant.display_name = f"{grant.resource_id.name} – {holder}" if grant.resource_id else holder

    @api.depends("number")
    def _compute_number_display(self):
        for grant in self:
            grant.number_display = display_number(grant.number)

    @api.depends("valid_to", "resource_id.tz")
    @api.depends_context("lang")
    def _compute_valid_to_text(self):
        for grant in self:
            grant.valid_to_text = grant.valid_to and format_datetime(
                self.env, grant.valid_to, tz=grant.resource_id.tz, dt_format="short"
            )

    @api.depends("max_uses", "use_count")
    def _compute_uses_left(self):
        for grant in self:
            grant.uses_left = max(grant.max_uses - grant.use_count, 0) if grant.max_uses else -1

    @api.depends("resource_id.code_length")
    @api.depends_context("intellipush_access_code")
    def _compute_access_code(self):
        code = self.env.context.get("intellipush_access_code")
        for grant in self:
            grant.access_code = code or MASK_CHAR * (grant.resource_id.code_length or TWOFACTOR_CODE_LENGTH)

    @api.model_create_multi
    def create(self, vals_list):
        # The issuing flow checks the resource's issuers, then creates in sudo.
        if not self.env.su:
            raise AccessError(_("Access codes are made by sending one (Send Access Code on the contact)."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_user_write(vals)
        protected = PROTECTED_FIELDS & set(vals)
        if protected and any(grant_sudo[name] for grant_sudo in self.sudo() for name in protected):
            raise UserError(_("An access code keeps its resource, holder and code: send a new code instead."))
        return super().write(vals)

    def _check_user_write(self, vals):
        """Refuse what a user may not change by hand (``env.su`` is out of an
        RPC caller's reach, unlike a context key)."""
        if set(vals) - USER_WRITABLE_FIELDS:
            raise AccessError(_("An access code changes only by sending a new code or revoking it."))
        self.check_access("write")
        self.resource_id._check_may_issue()
        now = fields.Datetime.now()
        if any(grant.state != "active" or grant.valid_to <= now for grant in self):
            raise UserError(_("Only the validity of a live code can be changed: send a new code instead."))

    @api.model
    def _active_count_by(self, field_name, records):
        """``{record: how many active codes it has}`` for ``records`` of the many2one ``field_name``."""
        return dict(
            self._read_group([(field_name, "in", records.ids), ("state", "=", "active")], [field_name], ["__count"])
        )

    @api.model
    def _action_view(self, domain, **context):
        """The list of the codes in ``domain``, filtered on the active ones."""
        action = self.env["ir.actions.act_window"]._for_xml_id("intellipush_sms.intellipush_access_grant_action")
        action["domain"] = domain
        action["context"] = {"search_default_filter_active": 1, **context}
        return action

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_revoke(self):
        """Stop the codes at once: for the issuers of their resources."""
        self.check_access("write")
        self.resource_id._check_may_issue()
        grants_sudo = self.sudo().filtered(lambda grant: grant.state == "active")
        grants_sudo._revoke()

    def action_send_new_code(self):
        """A new code for the same holder and resource; the old one stops working."""
        grants = self.env["intellipush.access.grant"]
        now = fields.Datetime.now()
        for grant in self:
            valid_to = grant.valid_to if grant.valid_to > now else None
            grants |= grant.resource_id._issue_grant(
                grant.number,
                partner=grant.partner_id,
                valid_from=max(grant.valid_from, now) if valid_to else None,
                valid_to=valid_to,
                max_uses=grant.max_uses,
            )
        if len(grants) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": self._name,
                "res_id": grants.id,
                "views": [(False, "form")],
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": _("Access Codes"),
            "domain": [("id", "in", grants.ids)],
            "views": [(False, "list"), (False, "form")],
        }

    def _revoke(self, replaced_by=None):
        if self:
            self.write(
                {
                    "state": "revoked",
                    "revoked_at": fields.Datetime.now(),
                    "replaced_by_id": replaced_by.id if replaced_by else False,
                }
            )

    @api.model
    def _cron_intellipush_expire_grants(self):
        """Cron: mark codes past their validity as expired (the door refuses them anyway)."""
        expired = self.search([("state", "=", "active"), ("valid_to", "<=", fields.Datetime.now())], limit=EXPIRE_BATCH)
        expired.write({"state": "expired"})
        if len(expired) == EXPIRE_BATCH:
            self.env.ref("intellipush_sms.ir_cron_intellipush_access_expire")._trigger()
        return expired

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------

    def _send_code(self, code):
        """Queue the SMS with ``code``. Its text keeps the code only until the
        gateway has handed it over (or given up): then it is masked."""
        self.ensure_one()
        text, marker = self.resource_id._render_access_sms(self)
        if marker not in text:
            raise UserError(_("The SMS template of %s does not show the code.", self.resource_id.display_name))
        self._queue_sms(text.replace(marker, code), text.replace(marker, mask(code))).send()

    def _send_twofactor(self, phone):
        """Have Intellipush draw and text the code, and keep its SMS (masked) for
        the history, the delivery report and the credits."""
        self.ensure_one()
        resource = self.resource_id
        before, after = resource._twofactor_texts(self)
        # Queued (and its credits reserved) like any SMS, but handed over by
        # the two-factor call below instead of the dispatch, in this transaction.
        placeholder = redact_between("", before, after, TWOFACTOR_CODE_LENGTH)
        sms = self._queue_sms(placeholder, placeholder)
        sent = resource._twofactor_generate(phone, before, after)
        redacted = redact_between(sent.message, before, after, TWOFACTOR_CODE_LENGTH)
        sms.write({"body": redacted, "intellipush_redacted_body": redacted})
        sms._intellipush_mark_accepted([(sms.id, sent.provider_id, 0, phone.e164)])

    def _queue_sms(self, body, redacted_body):
        """The access-code SMS of this grant, queued with its credits reserved.

        A code that would wait for credits arrives too late to open anything
        (and would wait in clear): it is refused instead.
        """
        self.ensure_one()
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                {
                    "number": self.number,
                    "partner_id": self.partner_id.id,
                    "body": body,
                    "intellipush_redacted_body": redacted_body,
                    "company_id": self.company_id.id,
                    "sms_purpose": "access_code",
                }
            )
        )
        sms._intellipush_reserve_credits()
        if sms.state != "outgoing" or sms.credit_state == "waiting":
            raise UserError(
                sms.failure_reason or _("The SMS credits do not cover this code: buy credits, then send it again.")
            )
        self.sms_id = sms
        return sms

    # ------------------------------------------------------------
    # Use at the door (called from the resource's validation, in sudo)
    # ------------------------------------------------------------

    def _lock_for_use(self):
        """Take the grant's row lock until the end of the transaction: a check
        racing with a revocation or a new code waits for it and sees it (the
        checks at one resource are already served one after the other)."""
        self.ensure_one()
        self.env.cr.execute(SQL("SELECT id FROM intellipush_access_grant WHERE id = %s FOR UPDATE", self.id))
        self.invalidate_recordset()

    def _refusal(self, now):
        """Why this grant does not open now, else None."""
        self.ensure_one()
        if self.state == "revoked":
            return "revoked"
        if self.state == "used" or (self.max_uses and self.use_count >= self.max_uses):
            return "used_up"
        if self.state == "expired" or self.valid_to <= now:
            return "expired"
        if self.valid_from > now:
            return "not_yet_valid"
        return None

    def _twofactor_refusal(self, phone, code):
        """Ask Intellipush whether ``code`` is the one it texted: None when it is."""
        self.ensure_one()
        try:
            client = self.company_id._intellipush_get_client()
            valid = client.twofactor_validate(
                phone.intellipush_countrycode, phone.national_number, normalize_code(code) or code.strip()
            )
        except (UserError, intellipush_api.IntellipushError) as error:
            _logger.warning("Access resource %s: Intellipush could not check a code: %s", self.resource_id.id, error)
            return "provider_error"
        return None if valid else "provider_refused"

    def _use(self, now):
        self.ensure_one()
        use_count = self.use_count + 1
        values = {"use_count": use_count, "last_used_at": now}
        if self.max_uses and use_count >= self.max_uses:
            values["state"] = "used"
        self.write(values)
