from odoo import api, models


class IntellipushPersonalData(models.AbstractModel):
    _inherit = "intellipush.personal.data"

    @api.model
    def _campaign_traces(self, subject):
        """The campaign traces of the number: by the number they hold, or
        by their SMS (whose number may already be gone)."""
        self.env["mailing.trace"].flush_model(["sms_number", "sms_id_int"])
        sms_ids = self._sms_ids(subject)
        self.env.cr.execute(
            """SELECT id FROM mailing_trace
                WHERE trace_type = 'sms'
                  AND (regexp_replace(sms_number, '\\D', '', 'g') = ANY(%s) OR sms_id_int = ANY(%s))""",
            [list(subject.forms), sms_ids],
        )
        return self.env["mailing.trace"].sudo().browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _mailing_contacts(self, subject):
        return self.env["mailing.contact"].sudo().browse(self._ids_with_number("mailing_contact", "mobile", subject))

    @api.model
    def _intellipush_personal_data_sections(self, subject):
        sections = super()._intellipush_personal_data_sections(subject)
        traces = self._campaign_traces(subject)
        contacts = self._mailing_contacts(subject)
        sections.update(
            campaigns=(
                self.env._("Campaigns"),
                self._rows(
                    traces, ["mass_mailing_id", "sms_number", "sent_datetime", "trace_status", "links_click_datetime"]
                ),
            ),
            clicks=(
                self.env._("Link clicks"),
                self._rows(traces.links_click_ids, ["create_date", "mass_mailing_id", "link_id", "ip", "country_id"]),
            ),
            mailing_contacts=(
                self.env._("Mailing list contacts"),
                self._rows(contacts, ["name", "mobile", "email", "list_ids"]),
            ),
        )
        return sections

    @api.model
    def _intellipush_erase_personal_data(self, subject, reason, remove_from_contacts=True):
        # Before the SMS lose their numbers: the traces are found through them.
        traces = self._campaign_traces(subject)
        clicks = traces.links_click_ids
        contacts = self._mailing_contacts(subject)
        erased = super()._intellipush_erase_personal_data(subject, reason, remove_from_contacts)
        # The campaign's figures stay: the trace and its clicks, without whom and from where.
        traces.write({"sms_number": False})
        clicks.write({"ip": False})
        # A list contact is the number itself (and maybe an e-mail address for e-mail campaigns).
        contacts.filtered("email").write({"mobile": False})
        contacts.filtered(lambda contact: not contact.email).unlink()
        erased.update(campaigns=len(traces), clicks=len(clicks), mailing_contacts=len(contacts))
        return +erased
