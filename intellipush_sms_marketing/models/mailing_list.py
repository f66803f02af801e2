from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class MailingList(models.Model):
    _inherit = "mailing.list"

    intellipush_consent_list = fields.Boolean(
        "Subscribing Is SMS Consent",
        help="Whoever subscribed to this list agreed to receive marketing SMS: a subscription that is not "
        "opted out counts as documented consent, from its date, with the proof below. For lists collected "
        "before the switch to Intellipush whose sign-up said so.",
    )
    intellipush_consent_proof = fields.Text(
        "How Subscribers Agreed",
        help="The wording of the sign-up (form, counter, paper), as you would show it if asked.",
    )

    @api.constrains("intellipush_consent_list", "intellipush_consent_proof")
    def _check_intellipush_consent_proof(self):
        for mailing_list in self:
            if mailing_list.intellipush_consent_list and not (mailing_list.intellipush_consent_proof or "").strip():
                raise ValidationError(
                    _(
                        "Say how the subscribers of %s agreed to receive SMS before counting them as consent.",
                        mailing_list.name,
                    )
                )
