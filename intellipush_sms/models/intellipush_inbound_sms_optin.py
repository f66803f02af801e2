"""Double opt-in by keyword: a join asks for a confirmation, and the consent
is documented only when the contact confirms, with both SMS as its proof.
The keywords themselves are read in ``intellipush_inbound_sms.py``.
"""

from odoo import _, fields, models

from ..tools import sms_keywords
from ..tools.phone_display import display_number
from .intellipush_inbound_sms import OPT_IN_REQUESTED

# A confirmation request in these states has left for the phone: Intellipush has it or delivered it.
REQUEST_LEFT_STATES = ("pending", "sent")


class IntellipushInboundSms(models.Model):
    _inherit = "intellipush.inbound.sms"

    def _intellipush_request_opt_in(self):
        """A join keyword under double opt-in: the contacts of the number who
        have not consented await the confirmation, and the number gets the
        confirmation request, once per window.

        As with a single opt-in, the join lifts the blacklist: the contact
        asked to hear from the business again, and the request (transactional:
        the number has no consent yet) must reach them. A number without a
        contact gets one, with just the number: the pending consent and its
        proof need a contact to be kept on. Returns the ``action``."""
        self.ensure_one()
        self.env["phone.blacklist"].sudo()._remove([self.number], message=_("Joined by SMS: %s", self.body))
        partners = self._intellipush_partners_of_number()
        if not partners:
            partners = self._intellipush_create_partner()
        partners._sms_lapse_pending()
        to_ask = partners.filtered(
            lambda partner: partner.sms_consent_state in ("none", "withdrawn")
            # A request that never reached the phone cannot be answered: ask again.
            or (
                partner.sms_consent_state == "pending"
                and partner._sms_pending_entry().inbound_sms_id.optin_request_sms_id.state in ("error", "canceled")
            )
        )
        if not to_ask:
            # Consenting already, or a request sent within the window waits: nothing to send again.
            return OPT_IN_REQUESTED if "pending" in partners.mapped("sms_consent_state") else sms_keywords.OPT_IN
        # Asked again: the failed request is closed in the log, and a new window starts.
        for partner in to_ask.filtered(lambda partner: partner.sms_consent_state == "pending"):
            partner._sms_set_consent(
                partner._sms_pending_entry().previous_state or "none",
                "inbound_keyword",
                proof=_("The confirmation request did not reach the phone: asked again."),
            )
        to_ask._sms_set_consent("pending", "inbound_keyword", proof=self._intellipush_consent_proof(), inbound_sms=self)
        self.optin_request_sms_id = (
            self.env["sms.sms"]
            .sudo()
            .create(
                {
                    "number": self.number,
                    "partner_id": (self.partner_id & to_ask or to_ask[:1]).id,
                    "body": self.company_id._intellipush_optin_request_text(),
                    "company_id": self.company_id.id,
                    "sms_purpose": "transactional",
                }
            )
        )
        self.optin_request_sms_id.send()
        return OPT_IN_REQUESTED

    def _intellipush_create_partner(self):
        """A contact of this message's company with just the sender's number."""
        self.ensure_one()
        partner = (
            self.env["res.partner"]
            .sudo()
            .create({"name": display_number(self.number), "mobile": self.number, "company_id": self.company_id.id})
        )
        self.partner_id = partner
        return partner

    def _intellipush_confirm_opt_in(self):
        """Grant the consent this message confirms: that of the number's
        contacts awaiting confirmation, when it came within the window and
        their request has left for the phone. A join repeated before the
        request went (read in the same poll as the first) confirms nothing:
        Intellipush gives received times to the minute only, so the request's
        state, not a time, tells what came after it. The consent's proof is
        both SMS, the join and this confirmation. Returns whether one was granted."""
        self.ensure_one()
        confirmed = self.env["res.partner"]
        for partner in self._intellipush_partners_of_number():
            if partner.sms_consent_state != "pending" or self.received_at > partner._sms_pending_deadline():
                continue
            join_sms = partner._sms_pending_entry().inbound_sms_id
            if join_sms.optin_request_sms_id.state not in REQUEST_LEFT_STATES:
                continue
            partner._sms_set_consent(
                "granted",
                "inbound_keyword",
                proof=self._intellipush_confirmation_proof(join_sms),
                inbound_sms=self,
                join_sms=join_sms,
            )
            confirmed |= partner
        if confirmed:
            # A blacklisting since the join (by hand) gives way to the contact's own confirmation.
            self.env["phone.blacklist"].sudo()._remove(
                [self.number], message=_("Opt-in confirmed by SMS: %s", self.body)
            )
        return bool(confirmed)

    def _intellipush_confirmation_proof(self, join_sms):
        """Both SMS, each with when it came: the join and this confirmation."""
        return _(
            "Double opt-in: joined by %(join)s, confirmed after the request by %(confirmation)s.",
            join=join_sms._intellipush_received_proof() if join_sms else _("an SMS keyword"),
            confirmation=self._intellipush_received_proof(),
        )

    def _intellipush_received_proof(self):
        return _(
            "%(proof)s (received %(received_at)s UTC)",
            proof=self._intellipush_consent_proof(),
            received_at=fields.Datetime.to_string(self.received_at),
        )
