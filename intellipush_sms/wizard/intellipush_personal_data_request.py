import base64

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.intellipush_credit_rate import normalize_cached
from ..tools.phone_numbers import InvalidPhoneNumber, format_international


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

    def _check_manager(self):
        if not self.env.user.has_group("intellipush_sms.group_intellipush_manager"):
            raise AccessError(self.env._("Only SMS managers handle requests about personal data."))

    def _parsed(self):
        self.ensure_one()
        try:
            return normalize_cached(self.number or "", self.env.company._intellipush_phone_region(), mobile_only=False)
        except InvalidPhoneNumber as error:
            raise UserError(
                self.env._("%(number)s is no phone number we can look up.", number=self.number or "")
            ) from error

    def _subject(self):
        self._check_manager()
        parsed = self._parsed()
        data = self.env["intellipush.personal.data"]
        return data._subject(parsed, data._contacts_with_number(parsed.e164))

    @api.depends("number")
    def _compute_found(self):
        for request in self:
            request.number_display = request.partner_ids = request.found_summary = False
            if not request.number or not self.env.user.has_group("intellipush_sms.group_intellipush_manager"):
                continue
            try:
                subject = request._subject()
            except UserError:
                request.found_summary = self.env._("%(number)s is no phone number.", number=request.number)
                continue
            request.number_display = format_international(subject.e164)
            request.partner_ids = subject.partners
            sections = self.env["intellipush.personal.data"]._intellipush_personal_data_sections(subject)
            lines = [f"{label}: {len(rows)}" for label, rows in sections.values() if rows]
            request.found_summary = "\n".join(lines) or self.env._("Nothing is held on this number.")

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
        data = self.env["intellipush.personal.data"]
        erased = data._intellipush_erase_personal_data(subject, self.reason.strip(), self.remove_from_contacts)
        labels = {kind: label for kind, (label, _rows) in data._intellipush_personal_data_sections(subject).items()}
        labels["sms_notifications"] = self.env._("SMS in the chatter")
        lines = [f"{labels.get(kind, kind)}: {count}" for kind, count in erased.items()]
        self.erased_summary = "\n".join(
            [
                self.env._(
                    "%(number)s is erased. Kept: a keyed hash, so that its opt-out holds.",
                    number=format_international(subject.e164),
                ),
                *lines,
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
