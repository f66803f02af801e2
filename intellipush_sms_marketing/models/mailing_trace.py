from odoo import fields, models

from odoo.addons.intellipush_sms.models.intellipush_consent_log import SMS_BASES


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    # Kept on the trace: the campaign's SMS are deleted once sent, its results stay.
    intellipush_legal_basis = fields.Selection(
        SMS_BASES,
        string="Legal Basis",
        readonly=True,
        help="On which basis the campaign's SMS went to this recipient.",
    )
