import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..tools import intellipush_api
from ..tools.access_codes import (
    MAX_LENGTH,
    MIN_LENGTH,
    generate_api_key,
    generate_code,
    split_around,
)
from ..tools.phone_display import number_problem
from ..tools.phone_numbers import InvalidPhoneNumber, normalize

VALIDATION_PATH = "/intellipush/access/%s/validate"
API_KEY_SCOPE = "api-key:%s"
# Codes drawn before giving up on one that no live code of the resource has.
MAX_DRAWS = 20


class IntellipushAccessResource(models.Model):
    """Something opened with a one-time code sent by SMS: a hotel room, a gym,
    a sauna, a locker. Its door controller or kiosk checks codes over HTTP
    with the resource's API key (see ``controllers/access.py``)."""

    _name = "intellipush.access.resource"
    _description = "SMS Access Resource"
    _order = "name, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    location = fields.Char(help="Where it is, e.g. building, floor and room.")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        required=True,
        default=lambda self: self.env.user.tz or "Europe/Oslo",
        help="The times written in the SMS are in this time zone.",
    )
    backend = fields.Selection(
        [("local", "Odoo"), ("intellipush", "Intellipush Two-Factor")],
        string="Codes Made By",
        required=True,
        default="local",
        help="Odoo: Odoo draws the code, keeps only a keyed hash of it and checks it. "
        "Intellipush Two-Factor: Intellipush draws, texts and checks the code; the door must send the "
        "holder's number with it.",
    )
    code_length = fields.Integer(default=6, required=True)
    code_alphabet = fields.Selection(
        [("digits", "Digits"), ("alphanumeric", "Letters and Digits")],
        required=True,
        default="digits",
        help="Letters and digits leave out the look-alikes (0 and O, 1 and I).",
    )
    validity_hours = fields.Integer("Default Validity (Hours)", required=True, default=24)
    max_uses = fields.Integer("Uses per Code", default=1, help="How often a code opens; 0: unlimited while valid.")
    issuer_user_ids = fields.Many2many(
        "res.users",
        string="Allowed Issuers",
        domain=[("share", "=", False)],
        help="Who may send codes for this resource. Empty: every SMS user.",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        required=True,
        ondelete="restrict",
        domain=[("model", "=", "intellipush.access.grant")],
        default=lambda self: self.env.ref("intellipush_sms.sms_template_access_code", raise_if_not_found=False),
        help="Must show {{ object.access_code }}. For Intellipush Two-Factor, the texts before and after "
        "the code are sent and Intellipush puts its code between them.",
    )
    api_key_hash = fields.Char("API Key Hash", groups="base.group_system", copy=False, readonly=True)
    api_key_date = fields.Datetime("API Key Created", copy=False, readonly=True)
    validation_url = fields.Char("Validation URL", compute="_compute_validation_url")
    lockout_number_failures = fields.Integer(
        "Failures per Number",
        default=5,
        help="Wrong codes from one number within the window that lock that number out. 0: never.",
    )
    lockout_resource_failures = fields.Integer(
        "Failures at the Door",
        default=20,
        help="Wrong codes from anyone within the window that lock the whole resource out. 0: never.",
    )
    lockout_window_minutes = fields.Integer("Failure Window (Minutes)", default=15)
    lockout_minutes = fields.Integer("Lock-out (Minutes)", default=15)
    lock_cleared_at = fields.Datetime("Lock-out Lifted At", readonly=True, copy=False)
    last_attempt_at = fields.Datetime("Last Code Checked", readonly=True, copy=False)
    locked_until = fields.Datetime("Locked Out Until", compute="_compute_locked_until")
    locked_number_count = fields.Integer("Numbers Locked Out", compute="_compute_locked_until")
    grant_ids = fields.One2many("intellipush.access.grant", "resource_id", string="Codes")
    active_grant_count = fields.Integer("Active Codes", compute="_compute_active_grant_count")

    _sql_constraints = [
        ("validity_hours_positive", "CHECK(validity_hours > 0)", "A code is valid for at least one hour."),
        ("max_uses_not_negative", "CHECK(max_uses >= 0)", "The uses per code cannot be negative."),
        (
            "lockout_not_negative",
            "CHECK(lockout_number_failures >= 0 AND lockout_resource_failures >= 0 "
            "AND lockout_window_minutes >= 0 AND lockout_minutes >= 0)",
            "The lock-out settings cannot be negative.",
        ),
    ]

    @api.constrains("code_length", "backend")
    def _check_code_length(self):
        for resource in self:
            if resource.backend == "local" and not MIN_LENGTH <= resource.code_length <= MAX_LENGTH:
                raise ValidationError(_("A code has %(min)s to %(max)s characters.", min=MIN_LENGTH, max=MAX_LENGTH))

    def _compute_validation_url(self):
        for resource in self:
            resource.validation_url = resource.id and resource.get_base_url() + VALIDATION_PATH % resource.id

    def _compute_active_grant_count(self):
        counts = self.env["intellipush.access.grant"]._active_count_by("resource_id", self)
        for resource in self:
            resource.active_grant_count = counts.get(resource, 0)

    @api.depends("lock_cleared_at")
    def _compute_locked_until(self):
        now = fields.Datetime.now()
        for resource in self:
            resource.locked_until = resource.id and resource._access_locked_until(False, now)
            resource.locked_number_count = resource.id and resource._access_locked_number_count(now)

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_new_api_key(self):
        """Give the door controller a new key; the old one stops working at once.
        The key is shown this once and only its hash is kept."""
        self.ensure_one()
        self.check_access("write")  # SMS managers
        key = generate_api_key()
        resource_sudo = self.sudo()
        resource_sudo.write({"api_key_hash": self._access_key_hash(key), "api_key_date": fields.Datetime.now()})
        return {
            "type": "ir.actions.act_window",
            "res_model": "intellipush.access.key.show",
            "name": _("New API Key"),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_key": key, "default_validation_url": self.validation_url},
        }

    def action_lift_lockout(self):
        """Let codes in again before a lock-out ends (the attempts stay in the log)."""
        self.write({"lock_cleared_at": fields.Datetime.now()})

    def action_view_grants(self):
        self.ensure_one()
        return self.env["intellipush.access.grant"]._action_view(
            [("resource_id", "=", self.id)], default_resource_id=self.id
        )

    # ------------------------------------------------------------
    # Issuing codes
    # ------------------------------------------------------------

    def _check_may_issue(self):
        # Archived issuers count: a list of archived users is not "everyone".
        for resource in self.with_context(active_test=False):
            if resource.issuer_user_ids and self.env.user not in resource.issuer_user_ids:
                raise AccessError(_("You may not send access codes for %s.", resource.display_name))

    def _issue_grant(self, number, partner=None, valid_from=None, valid_to=None, max_uses=None):
        """Send a new code for this resource to ``number`` and return its grant.

        The number's live codes for this resource are revoked: one person, one
        valid code. Raises UserError when the code cannot be sent.
        """
        self.ensure_one()
        self.check_access("read")
        self._check_may_issue()
        if not self.active:
            raise UserError(_("%s is archived: no codes can be sent for it.", self.display_name))
        try:
            phone = normalize(
                number,
                self.company_id._intellipush_phone_region(),
                mobile_only=self.company_id._intellipush_mobile_only(),
            )
        except InvalidPhoneNumber as error:
            raise UserError(_("This number cannot receive SMS: %s.", number_problem(self.env, error))) from error
        valid_from = valid_from or fields.Datetime.now()
        grant_sudo = (
            self.env["intellipush.access.grant"]
            .sudo()
            .create(
                {
                    "resource_id": self.id,
                    "partner_id": partner.id if partner else False,
                    "number": phone.e164,
                    "valid_from": valid_from,
                    "valid_to": valid_to or valid_from + timedelta(hours=self.validity_hours),
                    "max_uses": self.max_uses if max_uses is None else max_uses,
                    "channel": "sms" if self.backend == "local" else "intellipush",
                    "issued_by_id": self.env.user.id,
                }
            )
        )
        replaced = grant_sudo.search(
            [
                ("resource_id", "=", self.id),
                ("number", "=", phone.e164),
                ("state", "=", "active"),
                ("id", "!=", grant_sudo.id),
            ]
        )
        replaced._revoke(replaced_by=grant_sudo)
        if self.backend == "local":
            code = self._access_draw_code()
            grant_sudo.code_hash = self._access_code_hash(code)
            grant_sudo._send_code(code)
        else:
            grant_sudo._send_twofactor(phone)
        if partner:
            partner._message_log(
                body=_(
                    "Access code for %(resource)s sent by SMS to %(number)s, valid until %(valid_to)s.",
                    resource=self.display_name,
                    number=phone.e164,
                    valid_to=grant_sudo.valid_to_text,
                )
            )
        return grant_sudo.with_env(self.env)

    def _access_draw_code(self):
        """A new code that no live code of this resource has (their hashes would collide)."""
        grants_sudo = self.env["intellipush.access.grant"].sudo()
        for _draw in range(MAX_DRAWS):
            code = generate_code(self.code_length, self.code_alphabet)
            taken = grants_sudo.search_count(
                [
                    ("resource_id", "=", self.id),
                    ("state", "=", "active"),
                    ("code_hash", "=", self._access_code_hash(code)),
                ],
                limit=1,
            )
            if not taken:
                return code
        raise UserError(_("%s has too many live codes for its code length: make the codes longer.", self.display_name))

    def _render_access_sms(self, grant):
        """``(text, marker)``: the template's text for ``grant``, rendered once,
        with ``marker`` where the code goes (the code, its mask, or
        Intellipush's code take its place)."""
        marker = uuid.uuid4().hex
        template_sudo = self.sms_template_id.sudo()
        text = template_sudo.with_context(intellipush_access_code=marker)._render_field(
            "body", grant.ids, compute_lang=True
        )[grant.id]
        return text, marker

    def _twofactor_texts(self, grant):
        """``(before, after)``: the template's text around the code, for Intellipush."""
        texts = split_around(*self._render_access_sms(grant))
        if texts is None:
            raise UserError(_("The SMS template of %s must show the code exactly once.", self.display_name))
        return texts

    def _twofactor_generate(self, phone, before, after):
        """Ask Intellipush to text a code; UserError when it did not."""
        if self.company_id.sms_provider != "intellipush":
            raise UserError(
                _("%s sends SMS through Odoo IAP: Intellipush two-factor codes need Intellipush.", self.company_id.name)
            )
        client = self.company_id._intellipush_get_client()
        try:
            return client.twofactor_generate(phone.intellipush_countrycode, phone.national_number, before, after)
        except intellipush_api.IntellipushError as error:
            if error.maybe_delivered:
                raise UserError(
                    _(
                        "Intellipush did not confirm the code (%s): a code it may have sent will not open. "
                        "Send a new one.",
                        error.message,
                    )
                ) from error
            raise UserError(_("Intellipush did not send the code: %s", error.message)) from error
