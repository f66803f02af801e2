"""The legal basis for marketing SMS to a contact (markedsføringsloven § 15):
prior consent, or the existing-customer exception of § 15(3): the number was
collected in a sale, where a free and simple opt-out was offered (and every
marketing SMS offers it again, in its opt-out instruction). An opt-out always
wins: a contact who withdrew or is blacklisted has neither basis.
"""

from odoo import api, fields, models

from .intellipush_consent_log import LEGAL_BASES

CUSTOMER_BASIS_FIELDS = (
    "sms_customer_basis_date",
    "sms_customer_basis_channel",
    "sms_customer_basis_order",
    "sms_customer_basis_optout",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    sms_marketing_basis = fields.Selection(
        LEGAL_BASES,
        string="Marketing Basis",
        compute="_compute_sms_marketing_basis",
        store=True,
        index=True,
        help="Why this contact may receive marketing SMS: the consent, or as an existing customer under "
        "§15(3) of the Norwegian Marketing Control Act (number collected in a sale, opt-out offered). "
        "Campaigns reach existing customers only when they allow it.",
    )
    sms_customer_basis_date = fields.Datetime(
        "Existing Customer Since", readonly=True, copy=False, help="When the number was collected in a sale."
    )
    sms_customer_basis_channel = fields.Selection(
        [("sale", "Sales Order"), ("pos", "Point of Sale")], string="Collected Through", readonly=True, copy=False
    )
    sms_customer_basis_order = fields.Char("Collected With Order", readonly=True, copy=False)
    sms_customer_basis_optout = fields.Text(
        "Opt-out Offered",
        readonly=True,
        copy=False,
        help="The opt-out the customer was offered when the number was collected, as shown or printed.",
    )

    @api.depends("sms_consent_state", "sms_customer_basis_date")
    def _compute_sms_marketing_basis(self):
        for partner in self:
            if partner.sms_consent_state == "granted":
                partner.sms_marketing_basis = "consent"
            elif partner.sms_customer_basis_date and partner.sms_consent_state != "withdrawn":
                partner.sms_marketing_basis = "existing_customer"
            else:
                partner.sms_marketing_basis = "none"

    def write(self, vals):
        # A withdrawal is an opt-out: it ends the existing-customer basis too,
        # and a later sale does not bring it back (see _sms_record_existing_customer).
        if vals.get("sms_consent_state") == "withdrawn":
            vals = {**vals, **dict.fromkeys(CUSTOMER_BASIS_FIELDS, False)}
        return super().write(vals)

    def _sms_record_existing_customer(self, channel, order_ref, optout_text):
        """Record the § 15(3) basis of these contacts, whose mobile number was
        collected in the sale ``order_ref`` (``channel``: sale or pos) where
        ``optout_text`` was offered; one consent log entry each, as its proof.

        Only contacts with a mobile number and no basis of that kind yet;
        never one who opted out (withdrawn consent, blacklisted number).
        Returns the contacts recorded."""
        candidates = self.filtered(
            lambda partner: (
                partner.mobile
                and partner.phone_sanitized
                and not partner.sms_customer_basis_date
                and partner.sms_consent_state != "withdrawn"
            )
        )
        blacklisted = self.env["sms.sms"]._intellipush_blacklisted(set(candidates.mapped("phone_sanitized")))
        recorded = candidates.filtered(lambda partner: partner.phone_sanitized not in blacklisted)
        if not recorded:
            return recorded
        recorded.sudo().write(
            {
                "sms_customer_basis_date": fields.Datetime.now(),
                "sms_customer_basis_channel": channel,
                "sms_customer_basis_order": order_ref,
                "sms_customer_basis_optout": optout_text,
            }
        )
        proof = self.env._(
            "Mobile number collected in the sale %(order)s. Opt-out offered: “%(optout)s”",
            order=order_ref,
            optout=optout_text,
        )
        self.env["intellipush.consent.log"].sudo().with_context(intellipush_consent_entry=True).create(
            [
                {
                    "partner_id": partner.id,
                    "channel": channel,
                    "previous_state": partner.sms_consent_state,
                    "new_state": partner.sms_consent_state,
                    "proof": proof,
                    "order_ref": order_ref,
                }
                for partner in recorded
            ]
        )
        return recorded
