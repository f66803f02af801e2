import base64
from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.phone_numbers import format_international


class IntellipushPersonalDataRequest(models.TransientModel):
    """A person's request about their phone number (GDPR art. 15 and 17):
    what is held on it, as a file to hand over, and its erasure. For SMS
    managers; reads and erases across companies, as the number's owner is
    one person whichever shop they dealt with."""

    _name = "intellipush.personal.data.request"
    _description = "Personal Data by Phone Number"

    number = fields.Char("Mobile Number", required=True, help="As the person gives it: +47 412 34 567, 41234567…")
    number_display = fields.Char("Number", compute="_compute_found")
    partner_ids = fields.Many2many("res.partner", string="Contacts With This Number", compute="_compute_found")
    found_summary = fields.Text("Held on This Number", compute="_compute_found")
    reason = fields.Char("Request", help="Who asked and how, e.g. 'E-mail from the customer 02.12.2026'.")
    remove_from_contacts = fields.Boolean(
        "Remove the Number From the Contacts",
        default=True,
        help="Clears the number and the SMS consent with its log on the contacts above. Untick it when the "
        "contact must be kept as it is, e.g. for the bookkeeping.",
    )
    confirm_erasure = fields.Boolean("I Understand That This Cannot Be Undone")
    erased_summary = fields.Text("Erased", readonly=True)
    export_file = fields.Binary("Export", readonly=True, attachment=False)
    export_filename = fields.Char(readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        # Opened from a contact: the request is about its number.
        if self.env.context.get("active_model") == "res.partner" and "number" in fields_list:
            partner = self.env["res.partner"].browse(self.env.context.get("active_id"))
            values.setdefault("number", partner.mobile or partner.phone or False)
        return values

    def _check_manager(self):
        if not self.env.user.has_group("intellipush_sms.group_intellipush_manager"):
            raise AccessError(self.env._("Only SMS managers handle requests about personal data."))

    def _subject(self):
        self.ensure_one()
        self._check_manager()
        return self.env["intellipush.personal.data"]._intellipush_subject(self.number, self.env.company)

    @api.depends("number")
    def _compute_found(self):
        data = self.env["intellipush.personal.data"]
        is_manager = self.env.user.has_group("intellipush_sms.group_intellipush_manager")
        for request in self:
            request.number_display = request.partner_ids = request.found_summary = False
            if not request.number or not is_manager:
                continue
            try:
                subject = request._subject()
            except UserError as error:
                request.found_summary = error.args[0]
                continue
            request.number_display = format_international(subject.e164)
            request.partner_ids = subject.partners
            records = data._intellipush_personal_data_records(subject)
            counts = Counter({kind: len(found) for kind, found in records.items()})
            request.found_summary = request._count_lines(counts) or self.env._("Nothing is held on this number.")

    def _count_lines(self, counts):
        """A line "label: count" per kind that has any, in the export's order."""
        kinds = self.env["intellipush.personal.data"]._intellipush_personal_data_kinds()
        return "\n".join(f"{label}: {counts[kind]}" for kind, (label, _fields) in kinds.items() if counts[kind])

    def action_export(self):
        """Download what is held on the number, as a JSON file."""
        self.ensure_one()
        subject = self._subject()
        document = self.env["intellipush.personal.data"]._intellipush_export(subject)
        self.write(
            {
                "export_file": base64.b64encode(document),
                "export_filename": f"personopplysninger-{subject.e164.lstrip('+')}.json",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": f"/web/content/{self._name}/{self.id}/export_file/{self.export_filename}?download=true",
        }

    def action_erase(self):
        """Erase the number and what was said to and by it; its opt-out holds."""
        self.ensure_one()
        if not self.confirm_erasure:
            raise UserError(self.env._("Tick that you understand the erasure cannot be undone first."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("Say who asked for the erasure and how: it is kept with the suppression."))
        subject = self._subject()
        erased = self.env["intellipush.personal.data"]._intellipush_erase_personal_data(
            subject, self.reason.strip(), self.remove_from_contacts
        )
        self.erased_summary = "\n".join(
            [
                self.env._(
                    "%(number)s is erased. Kept: a keyed hash, so that its opt-out holds.",
                    number=format_international(subject.e164),
                ),
                self._count_lines(erased),
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Personal Data by Phone Number"),
        }
