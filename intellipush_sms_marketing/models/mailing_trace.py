from odoo import fields, models


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    # A campaign SMS the marketing frequency cap skipped: its trace says so.
    failure_type = fields.Selection(selection_add=[("sms_frequency_cap", "Frequency Cap Reached")])
