"""Part of the policy stage: the existing-customer basis of § 15(3). A marketing
SMS goes to a contact who consented; a send that allows it (a campaign for the
shop's own similar products, ``intellipush_existing_customers`` in the context)
also reaches the existing customers, who were offered the opt-out when their
number was collected and get it again in the SMS's opt-out instruction.
"""

from collections import Counter

from odoo import api, fields, models

from .intellipush_consent_log import SMS_BASES
from .sms_sms_policy import Verdict, _e164_numbers

# The verdicts the existing-customer basis can lift: no consent, or a join not confirmed yet.
LIFTED_SKIPS = ("no_consent", "pending")


class SmsSms(models.Model):
    _inherit = "sms.sms"

    intellipush_legal_basis = fields.Selection(
        SMS_BASES,
        string="Legal Basis",
        readonly=True,
        copy=False,
        help="On which basis this marketing SMS was let through: the recipient's consent, or as an existing "
        "customer under §15(3).",
    )

    intellipush_skip_reason = fields.Selection(
        selection_add=[("existing_customer", "Existing customer, send for consent only")],
        ondelete={"existing_customer": "set null"},
    )

    @api.model
    def _intellipush_existing_customers_allowed(self):
        return bool(self.env.context.get("intellipush_existing_customers"))

    @api.model
    def _intellipush_existing_customer_numbers(self, numbers):
        """Those of ``numbers`` (E.164) of contacts on the existing-customer basis, in one query."""
        return self._intellipush_contact_numbers(numbers, [("sms_marketing_basis", "=", "existing_customer")])

    @api.model
    def _intellipush_apply_legal_basis(self, entries, verdicts):
        """``verdicts`` of the ``(number, partner, purpose, company)`` entries,
        with the existing customers without consent let through when the send
        allows them, else skipped as such (they are not "without any basis")."""
        lifted = [
            index
            for index, ((_number, _partner, purpose, _company), verdict) in enumerate(
                zip(entries, verdicts, strict=True)
            )
            if purpose == "marketing" and verdict and verdict.skip in LIFTED_SKIPS
        ]
        if not lifted:
            return verdicts
        customers = self._intellipush_existing_customer_flags([entries[index] for index in lifted])
        allowed = self._intellipush_existing_customers_allowed()
        verdicts = list(verdicts)
        for index, customer in zip(lifted, customers, strict=True):
            if not customer:
                continue
            if allowed:
                verdicts[index] = None
            elif verdicts[index].skip == "no_consent":
                verdicts[index] = Verdict(
                    "sms_optout",
                    self.env._("Existing customer without consent: this send is for contacts who consented."),
                    "existing_customer",
                )
        return verdicts

    @api.model
    def _intellipush_existing_customer_flags(self, entries):
        """For each entry, whether its recipient is on the existing-customer
        basis: its contact's, or for a number typed in, that of the contacts
        who have that number."""
        numbers = _e164_numbers(entries, [not partner and number for number, partner, _purpose, _company in entries])
        customer_numbers = self._intellipush_existing_customer_numbers({number for number in numbers if number})
        return [
            partner.sms_marketing_basis == "existing_customer" if partner else number in customer_numbers
            for (_number, partner, _purpose, _company), number in zip(entries, numbers, strict=True)
        ]

    @api.model
    def _intellipush_reached_bases(self, entries, verdicts):
        """For each entry the legal basis it goes on (``consent``,
        ``existing_customer``), ``False`` when it is refused or no marketing."""
        reached = [
            not verdict and purpose == "marketing"
            for (_number, _partner, purpose, _company), verdict in zip(entries, verdicts, strict=True)
        ]
        bases = [("consent" if reach else False) for reach in reached]
        if not self._intellipush_existing_customers_allowed():
            return bases
        # Let through without consent: existing customers (see _intellipush_apply_legal_basis).
        wanted = [
            reach and not partner
            for (_number, partner, _purpose, _company), reach in zip(entries, reached, strict=True)
        ]
        unlinked = [
            (index, number)
            for index, (number, want) in enumerate(zip(_e164_numbers(entries, wanted), wanted, strict=True))
            if want
        ]
        consenting = (
            self._intellipush_consenting_numbers([number for _index, number in unlinked]) if unlinked else set()
        )
        for index, ((_number, partner, _purpose, _company), reach) in enumerate(zip(entries, reached, strict=True)):
            if reach and partner and partner.sms_consent_state != "granted":
                bases[index] = "existing_customer"
        for index, number in unlinked:
            if number not in consenting:
                bases[index] = "existing_customer"
        return bases

    @api.model
    def _intellipush_stamp_legal_basis(self, vals_list, entries, verdicts):
        """Write on each SMS about to be queued the basis it goes on."""
        for vals, basis in zip(vals_list, self._intellipush_reached_bases(entries, verdicts), strict=True):
            if basis and vals.get("state", "outgoing") == "outgoing":
                vals["intellipush_legal_basis"] = basis

    @api.model
    def _intellipush_describe_bases(self, bases):
        """The share of each basis in a cost line, when existing customers are among those reached."""
        bases = Counter(bases)
        if not bases.get("existing_customer"):
            return None
        return self.env._(
            "%(consent)s with consent, %(customers)s existing customer(s) (§15(3))",
            consent=bases.get("consent", 0),
            customers=bases["existing_customer"],
        )

    def _intellipush_recheck_policy(self):
        # On retry, an SMS that went to an existing customer is checked as the send that allowed it.
        customers = self.filtered(lambda sms: sms.intellipush_legal_basis == "existing_customer")
        refused = super(SmsSms, self - customers)._intellipush_recheck_policy()
        if customers:
            refused |= super(
                SmsSms, customers.with_context(intellipush_existing_customers=True)
            )._intellipush_recheck_policy()
        return refused
