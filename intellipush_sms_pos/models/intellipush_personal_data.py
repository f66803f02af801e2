from odoo import api, models


class IntellipushPersonalData(models.AbstractModel):
    _inherit = "intellipush.personal.data"

    @api.model
    def _register_sms(self, subject):
        """What the registers sent to the number: by its SMS or its contacts."""
        return (
            self.env["intellipush.pos.sms"]
            .sudo()
            .search(["|", ("sms_id", "in", self._sms_ids(subject)), ("partner_id", "in", subject.partners.ids)])
        )

    @api.model
    def _intellipush_personal_data_sections(self, subject):
        sections = super()._intellipush_personal_data_sections(subject)
        sections["register_sms"] = (
            self.env._("SMS from the point of sale"),
            self._rows(
                self._register_sms(subject),
                ["requested_at", "config_id", "partner_id", "body", "employee_name", "failure_reason"],
            ),
        )
        return sections

    @api.model
    def _intellipush_erase_personal_data(self, subject, reason, remove_from_contacts=True):
        register_sms = self._register_sms(subject)
        erased = super()._intellipush_erase_personal_data(subject, reason, remove_from_contacts)
        register_sms.write({"body": False})
        erased["register_sms"] = len(register_sms)
        return +erased
