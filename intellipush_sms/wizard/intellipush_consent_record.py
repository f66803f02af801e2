from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.intellipush_consent_log import CONSENT_CHANNELS

# What a person records by hand: consent that came in by SMS keyword is the
# gateway's to record, with the message as its proof.
RECORDABLE_CHANNELS = [channel for channel in CONSENT_CHANNELS if channel[0] != "inbound_keyword"]


class IntellipushConsentRecord(models.TransientModel):
    """Record documented marketing consent for many contacts at once, e.g. a
    customer club collected on paper or in another system before the switch
    to Intellipush. Each contact gets its consent log entry with the proof."""

    _name = "intellipush.consent.record"
    _description = "Record SMS Marketing Consent"

    partner_ids = fields.Many2many("res.partner", string="Contacts", required=True)
    channel = fields.Selection(RECORDABLE_CHANNELS, string="Given Through", required=True, default="manual")
    proof = fields.Text(
        "Proof",
        required=True,
        help="When and how these contacts agreed, as you would show it if asked: the form's wording, "
        "the list they signed up for, the date.",
    )
    already_count = fields.Integer(compute="_compute_counts")
    withdrawn_count = fields.Integer(compute="_compute_counts")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and "partner_ids" in fields_list:
            values["partner_ids"] = [(6, 0, self.env.context.get("active_ids", []))]
        return values

    @api.depends("partner_ids")
    def _compute_counts(self):
        for wizard in self:
            states = wizard.partner_ids.mapped("sms_consent_state")
            wizard.already_count = states.count("granted")
            wizard.withdrawn_count = states.count("withdrawn")

    def action_record(self):
        self.ensure_one()
        proof = (self.proof or "").strip()
        if not proof:
            raise UserError(_("Write down how these contacts gave their consent."))
        # A withdrawal stands until the contact opts in again themselves; a
        # join awaiting its SMS confirmation may be documented another way.
        to_grant = self.partner_ids.filtered(lambda partner: partner.sms_consent_state in ("none", "pending"))
        to_grant._sms_set_consent("granted", self.channel, proof=proof)
        skipped = len(self.partner_ids) - len(to_grant)
        message = _("Consent recorded for %(count)s contacts.", count=len(to_grant))
        if skipped:
            message += " " + _(
                "%(count)s skipped: they had consented already or withdrew their consent.", count=skipped
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("SMS marketing consent"),
                "message": message,
                "type": "success" if not skipped else "warning",
                "sticky": bool(skipped),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
