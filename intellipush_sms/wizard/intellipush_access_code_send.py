from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class IntellipushAccessCodeSend(models.TransientModel):
    """Send a contact a one-time code for an access resource (contact form)."""

    _name = "intellipush.access.code.send"
    _description = "Send an Access Code"

    partner_id = fields.Many2one("res.partner", string="Contact")
    number = fields.Char(
        "Mobile Number", compute="_compute_number", store=True, precompute=True, readonly=False, required=True
    )
    resource_id = fields.Many2one(
        "intellipush.access.resource",
        required=True,
        domain="[('company_id', 'in', allowed_company_ids), '|', ('issuer_user_ids', '=', False), "
        "('issuer_user_ids', 'in', [uid])]",
        default=lambda self: self._default_resource(),
    )
    backend = fields.Selection(related="resource_id.backend")
    valid_from = fields.Datetime(required=True, default=fields.Datetime.now)
    valid_to = fields.Datetime(
        "Valid Until", compute="_compute_valid_to", store=True, precompute=True, readonly=False, required=True
    )
    max_uses = fields.Integer(
        "Uses", compute="_compute_max_uses", store=True, precompute=True, readonly=False, help="0: unlimited."
    )

    @api.model
    def _default_resource(self):
        resources = self.env["intellipush.access.resource"].search(
            [("company_id", "in", self.env.companies.ids)], limit=2
        )
        return resources if len(resources) == 1 else False

    @api.depends("partner_id")
    def _compute_number(self):
        for wizard in self:
            wizard.number = wizard.partner_id.mobile or wizard.partner_id.phone or wizard.number

    @api.depends("resource_id", "valid_from")
    def _compute_valid_to(self):
        for wizard in self:
            if wizard.resource_id and wizard.valid_from:
                wizard.valid_to = wizard.valid_from + timedelta(hours=wizard.resource_id.validity_hours)

    @api.depends("resource_id")
    def _compute_max_uses(self):
        for wizard in self:
            wizard.max_uses = wizard.resource_id.max_uses

    @api.constrains("valid_from", "valid_to", "max_uses")
    def _check_validity(self):
        for wizard in self:
            if wizard.valid_to <= wizard.valid_from:
                raise ValidationError(_("A code must end after it starts."))
            if wizard.max_uses < 0:
                raise ValidationError(_("The uses of a code cannot be negative."))

    def action_send(self):
        self.ensure_one()
        grant = self.resource_id._issue_grant(
            self.number,
            partner=self.partner_id,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            max_uses=self.max_uses,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Access code sent"),
                "message": _(
                    "%(holder)s gets a code for %(resource)s, valid until %(valid_to)s.",
                    holder=self.partner_id.name or grant.number_display,
                    resource=self.resource_id.display_name,
                    valid_to=grant.valid_to_text,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
