from odoo import api, models


class IntellipushPersonalData(models.AbstractModel):
    _inherit = "intellipush.personal.data"

    @api.model
    def _intellipush_personal_data_kinds(self):
        return {
            **super()._intellipush_personal_data_kinds(),
            "register_sms": (
                self.env._("SMS from the point of sale"),
                ["requested_at", "config_id", "partner_id", "body", "employee_name", "failure_reason"],
            ),
        }

    @api.model
    def _intellipush_personal_data_records(self, subject):
        records = super()._intellipush_personal_data_records(subject)
        # What the registers sent to the number: by its SMS or its contacts.
        register_sms = (
            self.env["intellipush.pos.sms"]
            .sudo()
            .search(["|", ("sms_id", "in", records["sms"].ids), ("partner_id", "in", subject.partners.ids)])
        )
        return {**records, "register_sms": register_sms}

    @api.model
    def _intellipush_erase_records(self, subject, records, remove_from_contacts):
        erased = super()._intellipush_erase_records(subject, records, remove_from_contacts)
        records["register_sms"].write({"body": False})
        erased["register_sms"] = len(records["register_sms"])
        return erased
