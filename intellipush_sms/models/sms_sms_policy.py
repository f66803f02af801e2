"""Stage 1 of the gateway, policy: the consent and blacklist rules every way
of sending calls (chatter, composer, send form, campaigns, POS), the text
cleaning and the opt-out footer of marketing SMS. Only for Intellipush companies.
"""

from collections import Counter, namedtuple

from odoo import _, api, models

from ..tools.phone_numbers import InvalidPhoneNumber
from ..tools.sms_encoding import replace_invisible_lookalikes
from .intellipush_credit_rate import normalize_cached
from .sms_sms import UNSENT_STATES

# Purposes held to the consent and blacklist rules; access codes and opt-out
# confirmations were asked for by the recipient.
POLICED_PURPOSES = ("transactional", "marketing")

# Why the policy refuses an SMS: Odoo's failure type, the reason for people,
# and which of our skip reasons it is (``sms.sms.intellipush_skip_reason``):
# Odoo's one "opted out" would count contacts who never consented as opt-outs.
Verdict = namedtuple("Verdict", "failure_type reason skip")


# What SmsSms._intellipush_reachable finds: the numbers let through, the text
# as it goes, a Counter of the skip reasons of those left out, and the legal
# basis of each marketing SMS let through (consent or existing customer).
Reachable = namedtuple("Reachable", "numbers body skipped bases")


class SmsSms(models.Model):
    _inherit = "sms.sms"

    # ------------------------------------------------------------
    # Consent and blacklist policy
    # ------------------------------------------------------------

    @api.model
    def _intellipush_prepare_vals(self, vals_list):
        """Clean the text and apply the consent and blacklist rules to SMS
        about to be queued.

        Returns a copy of ``vals_list`` in which invisible characters that
        would force UCS-2 are gone (a no-break space from an amount), refused
        messages are created ``canceled`` with their reason (Odoo's mail
        notifications then show them as opted out) and marketing texts carry
        the company's opt-out instruction, so that segments and cost include it.
        """
        vals_list = [dict(vals) for vals in vals_list]
        default_purpose = self.env.context.get("intellipush_sms_purpose", "transactional")
        company_model = self.env["res.company"]
        # Only what Intellipush sends: a company on Odoo IAP keeps Odoo's behaviour.
        gateway_vals = []
        for vals in vals_list:
            vals.setdefault("sms_purpose", default_purpose)
            if company_model.browse(vals.get("company_id") or self.env.company.id)._intellipush_active():
                gateway_vals.append(vals)
        for vals in gateway_vals:
            for field_name in ("body", "intellipush_redacted_body"):
                if vals.get(field_name):
                    vals[field_name] = replace_invisible_lookalikes(vals[field_name])
        # Queued messages are checked; those a composer already skipped as
        # opted out or blacklisted get the reason the user will look for.
        checked = [
            vals
            for vals in gateway_vals
            if vals.get("state", "outgoing") == "outgoing"
            or (vals.get("failure_type") in ("sms_optout", "sms_blacklist") and not vals.get("failure_reason"))
        ]
        companies = company_model.browse([vals.get("company_id") or self.env.company.id for vals in checked])
        # Iterating one recordset keeps a single prefetch for all partners.
        partner_by_id = {
            partner.id: partner
            for partner in self.env["res.partner"].browse(
                {vals["partner_id"] for vals in checked if vals.get("partner_id")}
            )
        }
        empty_partner = self.env["res.partner"]
        entries = [
            (
                vals.get("number"),
                partner_by_id.get(vals.get("partner_id"), empty_partner),
                vals["sms_purpose"],
                company,
            )
            for vals, company in zip(checked, companies, strict=True)
        ]
        verdicts = self._intellipush_policy_verdicts(entries)
        self._intellipush_stamp_legal_basis(checked, entries, verdicts)
        for vals, company, verdict in zip(checked, companies, verdicts, strict=True):
            if vals.get("state", "outgoing") != "outgoing":
                if verdict:
                    vals.update(failure_reason=verdict.reason, intellipush_skip_reason=verdict.skip)
            elif not (vals.get("body") or "").strip():
                # Never queued: Intellipush would refuse it, and it would cost a request.
                vals.update(
                    state="canceled",
                    failure_type="sms_invalid_message",
                    failure_reason=_("The message is empty: there is nothing to send."),
                )
            elif verdict:
                vals.update(
                    state="canceled",
                    failure_type=verdict.failure_type,
                    failure_reason=verdict.reason,
                    intellipush_skip_reason=verdict.skip,
                )
            elif vals["sms_purpose"] == "marketing":
                vals["body"] = company._intellipush_with_optout_footer(vals.get("body") or "")
        for vals in vals_list:
            if vals.get("intellipush_redacted_body") and vals.get("state", "outgoing") not in UNSENT_STATES:
                vals["body"] = vals["intellipush_redacted_body"]
        return vals_list

    @api.model
    def _intellipush_policy_verdicts(self, entries):
        """For each ``(number, partner, purpose, company)``: ``None`` when the
        SMS may go, else a :class:`Verdict`.

        A blacklisted number receives nothing but access codes and opt-out
        confirmations (it asked for those); marketing also needs the
        contact's granted consent. One blacklist query for all entries.
        """
        policed = [purpose in POLICED_PURPOSES for _number, _partner, purpose, _company in entries]
        numbers = _e164_numbers(entries, policed)
        blacklisted = self._intellipush_blacklisted({number for number in numbers if number})
        # A number typed in without its contact takes the consent of the
        # contacts who have that number.
        unlinked_marketing = [
            number
            for (_n, partner, purpose, _c), number in zip(entries, numbers, strict=True)
            if purpose == "marketing" and not partner and number
        ]
        consenting_numbers = self._intellipush_consenting_numbers(unlinked_marketing) if unlinked_marketing else set()
        verdicts = []
        for (_number, partner, purpose, _company), number, checked in zip(entries, numbers, policed, strict=True):
            consent = partner.sms_consent_state if partner else ("granted" if number in consenting_numbers else "none")
            if not checked:
                verdicts.append(None)
            elif number in blacklisted:
                verdicts.append(
                    Verdict(
                        "sms_blacklist",
                        _("This number opted out: it receives nothing but access codes."),
                        "blacklisted",
                    )
                )
            elif purpose == "marketing" and consent == "withdrawn":
                verdicts.append(Verdict("sms_optout", _("The contact withdrew the marketing consent."), "withdrawn"))
            elif purpose == "marketing" and consent == "pending":
                verdicts.append(
                    Verdict("sms_optout", _("The contact has not confirmed the SMS opt-in yet."), "pending")
                )
            elif purpose == "marketing" and consent != "granted":
                verdicts.append(Verdict("sms_optout", _("No marketing consent from this contact."), "no_consent"))
            else:
                verdicts.append(None)
        verdicts = self._intellipush_apply_legal_basis(entries, verdicts)
        verdicts = self._intellipush_apply_suppression(entries, numbers, verdicts)
        return self._intellipush_apply_frequency_cap(entries, numbers, verdicts)

    @api.model
    def _intellipush_blacklisted(self, numbers):
        """Those of ``numbers`` (E.164, as the blacklist stores them) on the
        active blacklist, in one query. Not through the ORM's domain on
        ``phone.blacklist.number``: it parses each number again (a campaign
        chunk's verdicts would spend most of their time there)."""
        if not numbers:
            return set()
        self.env["phone.blacklist"].flush_model(["number", "active"])
        self.env.cr.execute(
            "SELECT number FROM phone_blacklist WHERE active AND number = ANY(%s)",
            [list(numbers)],
        )
        return {number for (number,) in self.env.cr.fetchall()}

    @api.model
    def _intellipush_consenting_numbers(self, numbers):
        """Those of ``numbers`` (E.164) whose marketing consent is documented
        although the SMS names no contact: the contacts with that number who
        consented. Bridges add their own sources (mailing lists)."""
        return self._intellipush_contact_numbers(numbers, [("sms_consent_state", "=", "granted")])

    @api.model
    def _intellipush_contact_numbers(self, numbers, domain):
        """Those of ``numbers`` (E.164) that contacts matching ``domain`` have, in one query."""
        if not numbers:
            return set()
        contacts = (
            self.env["res.partner"]
            .sudo()
            .search_fetch([("phone_sanitized", "in", list(numbers)), *domain], ["phone_sanitized"])
        )
        return set(contacts.mapped("phone_sanitized"))

    @api.model
    def _intellipush_reachable(self, recipients, body, purpose, company):
        """What sending ``body`` to ``[(number, partner)]`` would queue, as a
        :data:`Reachable`: the numbers the consent and blacklist rules let
        through, the text as it will go (with the opt-out instruction
        marketing carries), the skip reasons of those left out, the legal
        basis of each marketing SMS let through. A recipient without a
        number is counted as such, so that every one is accounted for."""
        with_number = [(number, partner) for number, partner in recipients if number]
        entries = [(number, partner, purpose, company) for number, partner in with_number]
        verdicts = self._intellipush_policy_verdicts(entries)
        numbers = [number for (number, _partner), verdict in zip(with_number, verdicts, strict=True) if not verdict]
        if purpose == "marketing":
            body = company._intellipush_with_optout_footer(body)
        skipped = Counter(verdict.skip for verdict in verdicts if verdict)
        if without := len(recipients) - len(with_number):
            skipped["no_number"] = without
        bases = [basis for basis in self._intellipush_reached_bases(entries, verdicts) if basis]
        return Reachable(numbers, body, skipped, bases)

    @api.model
    def _intellipush_estimate(self, recipients, body, purpose, company):
        """The cost line shown before sending ``body`` to ``[(number, partner)]``
        (see :meth:`_intellipush_reachable`)."""
        return self._intellipush_describe_reachable(
            self._intellipush_reachable(recipients, body, purpose, company), company
        )

    @api.model
    def _intellipush_describe_reachable(self, reachable, company):
        """The cost line of what :meth:`_intellipush_reachable` found."""
        numbers, body, skipped, bases = reachable
        summary = self.env["intellipush.credit.rate"].with_company(company)._cost_summary(numbers, body)
        if summary and (bases := self._intellipush_describe_bases(bases)):
            summary = f"{summary}; {bases}"
        # When the rules let nobody through, say so rather than show nothing.
        if skipped and (summary or (not numbers and company.sms_provider == "intellipush")):
            summary = "; ".join([summary or self.env._("No SMS to send"), *self._intellipush_describe_skipped(skipped)])
        return summary

    def _intellipush_describe_skipped(self, skipped):
        """``["N skipped: reason", ...]`` of a Counter of skip reasons, most frequent first."""
        labels = self._intellipush_skip_labels()
        return [
            self.env._("%(count)s skipped: %(reason)s", count=count, reason=labels[skip])
            for skip, count in skipped.most_common()
        ]

    def _intellipush_failure_labels(self):
        """Failure type labels for people; the consent ones in our own words
        (Odoo's Norwegian for "Opted Out" reads "Valgt ut", "selected")."""
        return {
            **dict(self._fields["failure_type"]._description_selection(self.env)),
            "sms_optout": self.env._("Opted Out"),
            "sms_blacklist": self.env._("Blacklisted"),
            **self._intellipush_skip_labels(),
        }

    def _intellipush_skip_labels(self):
        return {
            **dict(self._fields["intellipush_skip_reason"]._description_selection(self.env)),
            "no_number": self.env._("No mobile number"),
        }

    def _intellipush_recheck_policy(self):
        """Cancel the messages that the policy refuses now (used on retry)."""
        verdicts = self._intellipush_policy_verdicts(
            [(sms.number, sms.partner_id, sms.sms_purpose, sms.company_id or self.env.company) for sms in self]
        )
        verdict_by_sms = dict(zip(self, verdicts, strict=True))
        refused = self.filtered(verdict_by_sms.get)
        for verdict, records in refused.grouped(verdict_by_sms.get).items():
            records._intellipush_set_state(
                "canceled",
                failure_type=verdict.failure_type,
                reason=verdict.reason,
                values={"intellipush_skip_reason": verdict.skip},
            )
        return refused


def _e164_numbers(entries, wanted):
    """``_e164_or_raw`` of each ``(number, partner, purpose, company)`` entry
    that is ``wanted``, else None; each company's region looked up once."""
    region_by_company = {company: company._intellipush_phone_region() for *_entry, company in entries}
    return [
        _e164_or_raw(number, region_by_company[company]) if want else None
        for (number, _partner, _purpose, company), want in zip(entries, wanted, strict=True)
    ]


def _e164_or_raw(number, region):
    """The number as the blacklist stores it (E.164), or as typed if unparsable.
    A landline too: whether it may receive is for the price stage to say."""
    try:
        return normalize_cached(number or "", region, mobile_only=False).e164
    except InvalidPhoneNumber:
        return number
