from odoo import fields, models

from odoo.addons.intellipush_sms.models.intellipush_consent_log import SMS_BASES


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    # A campaign SMS the marketing frequency cap skipped, or Intellipush
    # refused (sms.sms's failure types of the gateway): its trace says so.
    failure_type = fields.Selection(
        selection_add=[
            ("sms_frequency_cap", "Frequency Cap Reached"),
            ("sms_invalid_message", "Message Refused"),
        ]
    )

    # Kept on the trace: the campaign's SMS are deleted once sent, its results stay.
    intellipush_legal_basis = fields.Selection(
        SMS_BASES,
        string="Legal Basis",
        readonly=True,
        help="On which basis the campaign's SMS went to this recipient.",
    )
