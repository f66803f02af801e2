from odoo import fields, models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    # The SMS failure types the gateway sets, so that the chatter envelope of
    # a skipped or refused SMS says why.
    failure_type = fields.Selection(
        selection_add=[
            ("sms_blacklist", "Blacklisted"),
            ("sms_optout", "Opted Out"),
            ("sms_duplicate", "Duplicate"),
            ("sms_invalid_message", "Message Refused"),
            ("sms_frequency_cap", "Frequency Cap Reached"),
        ]
    )
