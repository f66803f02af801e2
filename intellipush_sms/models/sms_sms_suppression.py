"""Part of the policy stage: numbers erased at their owner's request (GDPR).

Their opt-out outlives the erasure through the keyed hash kept in
``intellipush.suppression``: a number erased while opted out receives nothing
but access codes, as on the blacklist; any other erased number receives no
marketing until a contact with it consents again after the erasure.
"""

from odoo import api, fields, models

from .sms_sms_policy import POLICED_PURPOSES, Verdict


class SmsSms(models.Model):
    _inherit = "sms.sms"

    intellipush_skip_reason = fields.Selection(
        selection_add=[("erased", "Erased on request, no new consent")],
        ondelete={"erased": "set null"},
    )

    @api.model
    def _intellipush_apply_suppression(self, entries, numbers, verdicts):
        """``verdicts`` of the ``(number, partner, purpose, company)`` entries
        (E.164 ``numbers``), with the erased numbers refused. One query."""
        candidates = {
            number
            for (_n, _p, purpose, _c), number, verdict in zip(entries, numbers, verdicts, strict=True)
            if number and purpose in POLICED_PURPOSES and not verdict
        }
        suppressed = self.env["intellipush.suppression"]._suppressed(candidates)
        if not suppressed:
            return verdicts
        verdicts = list(verdicts)
        for index, ((_number, partner, purpose, _company), number) in enumerate(zip(entries, numbers, strict=True)):
            if verdicts[index] or number not in suppressed:
                continue
            scope, erased_at = suppressed[number]
            if scope == "all":
                verdicts[index] = Verdict(
                    "sms_blacklist",
                    self.env._("This number opted out before it was erased: it receives nothing but access codes."),
                    "blacklisted",
                )
            elif purpose == "marketing" and not _consented_since(partner, erased_at):
                verdicts[index] = Verdict(
                    "sms_optout",
                    self.env._("This number was erased on request: no marketing SMS without a new consent."),
                    "erased",
                )
        return verdicts


def _consented_since(partner, moment):
    return bool(
        partner
        and partner.sms_consent_state == "granted"
        and partner.sms_consent_date
        and partner.sms_consent_date > moment
    )
