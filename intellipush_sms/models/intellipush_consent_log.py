from odoo import _, api, fields, models
from odoo.exceptions import UserError

# "pending": a join keyword asked for consent that the contact has not
# confirmed yet (double opt-in). It is no consent: marketing skips it.
CONSENT_STATES = [
    ("none", "No Consent"),
    ("pending", "Awaiting Confirmation"),
    ("granted", "Granted"),
    ("withdrawn", "Withdrawn"),
]
# Double opt-in: how long a join keyword's request waits for the confirmation.
# A confirmation received later is no consent; the request lapses and the
# contact goes back to the state it had before the join.
PENDING_CONSENT_DAYS = 7
CONSENT_CHANNELS = [
    ("web_form", "Web Form"),
    ("pos", "Point of Sale"),
    ("import", "Import"),
    ("inbound_keyword", "SMS Keyword"),
    ("manual", "Manual"),
    ("api", "API"),
    ("sale", "Sales Order"),
]
# The legal basis of marketing SMS to a contact (markedsføringsloven § 15):
# consent, or the existing-customer exception of § 15(3).
LEGAL_BASES = [
    ("consent", "Consent"),
    ("existing_customer", "Existing Customer (§15(3))"),
    ("none", "No Basis"),
]
# The bases an SMS goes on (one without a basis does not go).
SMS_BASES = LEGAL_BASES[:2]


class IntellipushConsentLog(models.Model):
    """Append-only record of every change of a contact's SMS marketing consent:
    the proof a business shows when asked how it got (or lost) the consent."""

    _name = "intellipush.consent.log"
    _description = "SMS Marketing Consent Log"
    _order = "date DESC, id DESC"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="partner_id.company_id", store=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", readonly=True, default=lambda self: self.env.user)
    channel = fields.Selection(CONSENT_CHANNELS, required=True, readonly=True)
    previous_state = fields.Selection(CONSENT_STATES, readonly=True)
    new_state = fields.Selection(CONSENT_STATES, required=True, readonly=True)
    proof = fields.Text(readonly=True)
    basis = fields.Selection(
        LEGAL_BASES,
        string="Marketing Basis",
        readonly=True,
        help="The contact's legal basis for marketing SMS once this entry was recorded.",
    )
    order_ref = fields.Char(
        "Order Reference",
        readonly=True,
        help="The sale in which the number was collected, for the existing-customer basis (§15(3)).",
    )
    # A copy, not a link: the log keeps the proof as it was when recorded.
    proof_file = fields.Binary("Proof Document", attachment=True, readonly=True)
    proof_filename = fields.Char(readonly=True)
    inbound_sms_id = fields.Many2one("intellipush.inbound.sms", string="Source SMS", readonly=True)
    # A consent confirmed by SMS has two proofs: the join it confirms, and the confirmation (the source SMS).
    join_inbound_sms_id = fields.Many2one(
        "intellipush.inbound.sms",
        string="Join SMS",
        readonly=True,
        help="The join keyword this confirmation answered (double opt-in).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("intellipush_consent_entry"):
            raise UserError(_("Consent log entries are written when the consent changes, never by hand."))
        # The basis each entry leaves the contact with, as it is now.
        partners = self.env["res.partner"].browse([vals["partner_id"] for vals in vals_list])
        for vals, partner in zip(vals_list, partners, strict=True):
            vals.setdefault("basis", partner.sms_marketing_basis)
        return super().create(vals_list)

    def write(self, vals):
        raise UserError(_("The consent log is append-only: entries cannot be changed."))

    def unlink(self):
        # Only the erasure of a number at its owner's request removes entries
        # (intellipush.personal.data); its suppression keeps the opt-out.
        if self.env.context.get("intellipush_personal_data_erasure"):
            return super().unlink()
        raise UserError(_("The consent log is append-only: entries cannot be deleted."))
