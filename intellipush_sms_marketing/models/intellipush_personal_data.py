from odoo import api, models


class IntellipushPersonalData(models.AbstractModel):
    _inherit = "intellipush.personal.data"

    @api.model
    def _intellipush_personal_data_kinds(self):
        return {
            **super()._intellipush_personal_data_kinds(),
            "campaigns": (
                self.env._("Campaigns"),
                ["mass_mailing_id", "sms_number", "sent_datetime", "trace_status", "links_click_datetime"],
            ),
            "clicks": (self.env._("Link clicks"), ["create_date", "mass_mailing_id", "link_id", "ip", "country_id"]),
            "mailing_contacts": (self.env._("Mailing list contacts"), ["name", "mobile", "email", "list_ids"]),
        }

    @api.model
    def _intellipush_personal_data_records(self, subject):
        records = super()._intellipush_personal_data_records(subject)
        # A campaign's trace by the number it holds, or by its SMS.
        traces = self._with_number("mailing.trace", "sms_number", subject) | (
            self.env["mailing.trace"].sudo().search([("sms_id_int", "in", records["sms"].ids)])
        )
        return {
            **records,
            "campaigns": traces,
            "clicks": traces.links_click_ids,
            "mailing_contacts": self._with_number("mailing.contact", "mobile", subject),
        }

    @api.model
    def _intellipush_erase_records(self, subject, records, remove_from_contacts):
        erased = super()._intellipush_erase_records(subject, records, remove_from_contacts)
        # The campaign's figures stay: the trace and its clicks, without whom and from where.
        records["campaigns"].write({"sms_number": False})
        records["clicks"].write({"ip": False})
        # A list contact is the number itself (and maybe an e-mail address for e-mail campaigns).
        contacts = records["mailing_contacts"]
        contacts.filtered("email").write({"mobile": False})
        contacts.filtered(lambda contact: not contact.email).unlink()
        erased.update({kind: len(records[kind]) for kind in ("campaigns", "clicks", "mailing_contacts")})
        return erased
