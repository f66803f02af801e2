from odoo import api, fields, models

from ..tools.phone_display import display_number, number_problem
from ..tools.phone_numbers import InvalidPhoneNumber, normalize
from .intellipush_credit_rate import normalize_cached


class IntellipushSmsListContact(models.Model):
    """A number on an SMS contact list; importable from CSV or Excel."""

    _name = "intellipush.sms.list.contact"
    _description = "SMS Contact List Entry"
    _order = "list_id, name, id"

    list_id = fields.Many2one("intellipush.sms.list", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="list_id.company_id", store=True, index=True)
    name = fields.Char()
    number = fields.Char("Mobile", required=True)
    number_e164 = fields.Char("Normalised Number", compute="_compute_number_e164", store=True, index=True)
    number_display = fields.Char("International Number", compute="_compute_number_display")
    number_problem = fields.Char("Cannot Receive SMS", compute="_compute_number_display")
    partner_id = fields.Many2one("res.partner", "Contact", index="btree_not_null")
    sms_first_name = fields.Char("First Name (SMS)", compute="_compute_sms_first_name")

    _sql_constraints = [
        ("list_number_unique", "unique(list_id, number_e164)", "This number is already on the list."),
    ]

    @api.depends("number", "list_id.company_id")
    def _compute_number_e164(self):
        for contact in self:
            region = (contact.list_id.company_id or self.env.company)._intellipush_phone_region()
            try:
                # A landline too: the list holds it once, and a company may allow SMS to it.
                contact.number_e164 = normalize(contact.number, region, mobile_only=False).e164
            except InvalidPhoneNumber:
                contact.number_e164 = False

    @api.depends(
        "number", "number_e164", "list_id.company_id.sms_provider", "list_id.company_id.intellipush_allow_fixed_line"
    )
    def _compute_number_display(self):
        for contact in self:
            contact.number_display = display_number(contact.number_e164) if contact.number_e164 else False
            # Said as soon as it is typed, not first when a send skips it; a
            # landline as long as the company refuses them. A send reads it for
            # every entry: the cache parses each number once.
            contact.number_problem = False
            company = contact.list_id.company_id or self.env.company
            try:
                normalize_cached(
                    contact.number_e164 or contact.number or "",
                    company._intellipush_phone_region(),
                    mobile_only=company._intellipush_mobile_only(),
                )
            except InvalidPhoneNumber as error:
                contact.number_problem = number_problem(self.env, error)

    @api.depends("name", "partner_id.sms_first_name")
    def _compute_sms_first_name(self):
        for contact in self:
            contact.sms_first_name = contact.partner_id.sms_first_name or (contact.name or "").split(" ")[0]

    @api.model_create_multi
    def create(self, vals_list):
        contacts = super().create(vals_list)
        contacts._intellipush_link_partners()
        return contacts

    def write(self, vals):
        res = super().write(vals)
        if "number" in vals and "partner_id" not in vals:
            self._intellipush_link_partners()
        return res

    def _intellipush_link_partners(self):
        """Link entries to the contact who has their number, so that an SMS
        greets Kari by name and follows her consent: one search for all."""
        unlinked = self.filtered(lambda contact: not contact.partner_id and contact.number_e164)
        if not unlinked:
            return
        partners = self.env["res.partner"].search(
            [
                ("phone_sanitized", "in", unlinked.mapped("number_e164")),
                ("company_id", "in", [False, *self.env.companies.ids]),
            ]
        )
        by_number = {}
        for partner in partners:
            by_number.setdefault(partner.phone_sanitized, partner)
        for contact in unlinked:
            if partner := by_number.get(contact.number_e164):
                contact.partner_id = partner
