from odoo import fields, models

from odoo.addons.intellipush_sms.models.intellipush_consent_log import SMS_BASES


class MailingTrace(models.Model):
    _name = "mailing.trace"
    # A campaign's traces are created with its SMS, thousands at a time.
    _inherit = ["mailing.trace", "intellipush.batch.create.mixin"]

    # A campaign SMS the marketing frequency cap skipped, or Intellipush
    # refused (sms.sms's failure types of the gateway): its trace says so.
    failure_type = fields.Selection(
        selection_add=[
            ("sms_frequency_cap", "Frequency Cap Reached"),
            ("sms_invalid_message", "Message Refused"),
        ]
    )

    # Precomputed (see _add_precomputed_values): in the INSERT, not in an
    # UPDATE of every trace after it.
    campaign_id = fields.Many2one(related="mass_mailing_id.campaign_id", store=True, precompute=True)
    # Kept on the trace: the campaign's SMS are deleted once sent, its results stay.
    intellipush_legal_basis = fields.Selection(
        SMS_BASES,
        string="Legal Basis",
        readonly=True,
        help="On which basis the campaign's SMS went to this recipient.",
    )

    def _add_precomputed_values(self, vals_list):
        # The campaign of each trace's mailing, read once per mailing: Odoo
        # would compute it through a new record per trace.
        mailings = (
            self.env["mailing.mailing"]
            .sudo()
            .browse({vals["mass_mailing_id"] for vals in vals_list if vals.get("mass_mailing_id")})
        )
        campaign_by_mailing = {mailing.id: mailing.campaign_id.id for mailing in mailings}
        for vals in vals_list:
            vals["campaign_id"] = campaign_by_mailing.get(vals.get("mass_mailing_id"), False)
        super()._add_precomputed_values(vals_list)
