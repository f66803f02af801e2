"""The Intellipush gateway: every outgoing ``sms.sms`` of a company whose SMS
provider is Intellipush goes through here instead of Odoo's IAP.

Life of a message::

    outgoing --claim (row lock, intent committed)--> process --provider accepted--> pending (Sent)
        ^                                              |                             |
        |  not at the provider (reconciled) /          |  per-message refusal         |  sms/status polling
        |  retryable error, with back-off              v                             v
        +------------------------------------------ error (reason)          sent (Delivered) / error

A message is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and its intent
(``process`` + dispatch token) is committed before the provider call, so two
workers never send the same row and a process that dies after handing a batch
to Intellipush leaves traces: :meth:`_intellipush_reconcile` later looks the
message up among the provider's sent messages and either adopts its id or puts
it back in the queue. Nothing is sent twice, nothing is lost.
"""

import logging
import threading
import uuid
from collections import Counter
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tools import SQL

from ..tools import intellipush_api
from ..tools.credits import to_credits
from ..tools.phone_numbers import InvalidPhoneNumber, normalize
from ..tools.sms_encoding import analyze, replace_invisible_lookalikes

_logger = logging.getLogger(__name__)

BATCH_SIZE_PARAM = "intellipush_sms.batch_size"
DEFAULT_BATCH_SIZE = 200
MAX_ATTEMPTS = 5
STATUS_FIRST_CHECK = timedelta(minutes=1)
SCHEDULE_MIN_AHEAD = timedelta(minutes=1)
STATUS_MAX_DELAY = timedelta(hours=6)
STATUS_GIVE_UP_AFTER = timedelta(days=3)
# The longest a queued SMS waits for its next attempt, whatever delay an error asks for.
RETRY_MAX_DELAY = timedelta(hours=1)
SMS_PURPOSES = [
    ("transactional", "Transactional"),
    ("marketing", "Marketing"),
    ("access_code", "Access Code"),
    ("confirmation", "Opt-out Confirmation"),
]
# Purposes held to the consent and blacklist rules; access codes and opt-out
# confirmations were asked for by the recipient.
POLICED_PURPOSES = ("transactional", "marketing")
# An SMS in these states has not (surely) left yet: a one-time code in its text
# is still needed. In any other state the text is masked (intellipush_redacted_body).
UNSENT_STATES = ("outgoing", "process", "uncertain")

# Queued Intellipush SMS that are due: not waiting for credits nor for a retry.
_DUE_QUEUE_SQL = """
      FROM sms_sms sms
      JOIN res_company company ON company.id = sms.company_id
     WHERE sms.state = 'outgoing'
       AND sms.to_delete IS NOT TRUE
       AND company.sms_provider = 'intellipush'
       AND sms.credit_state IS DISTINCT FROM 'waiting'
       AND (sms.intellipush_next_attempt_at IS NULL OR sms.intellipush_next_attempt_at <= %(now)s)
"""

# The client's failure codes (intellipush_api.FAILURE_CODES) that say more
# than "the provider failed"; Intellipush's own errorcode and words travel in
# the failure reason.
FAILURE_TYPE_BY_ERROR_CODE = {
    "refused": "sms_invalid_message",
    "authentication": "sms_acc",
}


def _auto_commit_allowed():
    """Commit between batches, except inside Odoo's test runner."""
    return not getattr(threading.current_thread(), "testing", False)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        readonly=True,
    )
    failure_type = fields.Selection(
        selection_add=[
            ("sms_not_delivered", "Not Delivered"),
            ("sms_invalid_message", "Message Refused"),
        ]
    )
    failure_reason = fields.Text(readonly=True, copy=False)
    sms_encoding = fields.Selection(
        [("GSM-7", "GSM-7"), ("UCS-2", "UCS-2 (Unicode)")],
        string="Encoding",
        compute="_compute_sms_encoding",
        store=True,
        precompute=True,
    )
    # Precomputed: written by the INSERT itself, not by an UPDATE after it.
    sms_segments = fields.Integer("Segments", compute="_compute_sms_encoding", store=True, precompute=True)
    sms_length = fields.Integer("Characters", compute="_compute_sms_encoding", store=True, precompute=True)
    number_e164 = fields.Char("Normalised Number", readonly=True, copy=False)
    intellipush_id = fields.Char("Intellipush ID", readonly=True, copy=False, index="btree_not_null")
    intellipush_credits = fields.Float("Provider Credits", digits=(16, 4), readonly=True, copy=False)
    intellipush_dispatch_token = fields.Char(readonly=True, copy=False, index="btree_not_null")
    intellipush_dispatched_at = fields.Datetime("Handed Over At", readonly=True, copy=False)
    intellipush_attempts = fields.Integer("Attempts", readonly=True, copy=False)
    intellipush_next_attempt_at = fields.Datetime("Next Attempt", readonly=True, copy=False)
    intellipush_send_at = fields.Datetime(
        "Scheduled For",
        readonly=True,
        copy=False,
        help="Intellipush holds this SMS and sends it at this time; until then it can be withdrawn there.",
    )
    intellipush_status_checks = fields.Integer(readonly=True, copy=False)
    intellipush_next_status_check_at = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    credit_cost = fields.Float(
        "Credits",
        digits=(16, 4),
        readonly=True,
        copy=False,
        help="What this SMS costs from the prepaid wallet: its segments divided by the SMS per credit "
        "of its destination.",
    )
    credit_state = fields.Selection(
        [
            ("none", "Free"),
            ("waiting", "Waiting for Credits"),
            ("reserved", "Reserved"),
            ("debited", "Debited"),
            ("released", "Released"),
            ("refunded", "Refunded"),
        ],
        string="Credit Status",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    destination_country_id = fields.Many2one("res.country", string="Destination", readonly=True, copy=False)
    sms_purpose = fields.Selection(
        SMS_PURPOSES,
        string="Purpose",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.context.get("intellipush_sms_purpose", "transactional"),
        help="Marketing SMS go only to contacts who gave their consent and carry the opt-out instruction; "
        "nothing but access codes and opt-out confirmations reaches a blacklisted number.",
    )
    intellipush_send_run_id = fields.Many2one(
        "intellipush.sms.send.run", "Sent By", readonly=True, copy=False, index="btree_not_null", ondelete="set null"
    )
    sent_at = fields.Datetime(readonly=True, copy=False)
    delivered_at = fields.Datetime(readonly=True, copy=False)
    intellipush_redacted_body = fields.Text(
        "Masked Text",
        readonly=True,
        copy=False,
        help="For an SMS that carries a one-time code: its text with the code masked, which replaces the "
        "text once the SMS is sent, has failed or is cancelled. The code is stored only while the SMS waits.",
    )

    _sql_constraints = [
        (
            "intellipush_id_company_unique",
            "unique(company_id, intellipush_id)",
            "An Intellipush message id belongs to one SMS only.",
        ),
    ]

    def init(self):
        # The dispatch takes the queue's oldest rows again and again: with
        # only the queued rows in the index, each claim reads its batch and
        # not the whole table of sent messages.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS sms_sms_intellipush_queue_index
                ON sms_sms (id)
             WHERE state = 'outgoing' AND to_delete IS NOT TRUE
            """
        )

    @api.depends("body")
    def _compute_sms_encoding(self):
        for sms in self:
            analysis = analyze(sms.body or "")
            sms.sms_encoding = analysis.encoding
            sms.sms_segments = analysis.segments
            sms.sms_length = analysis.characters

    # ------------------------------------------------------------
    # Entry points used by Odoo's SMS machinery
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(self._intellipush_prepare_vals(vals_list))
        if not self.env.context.get("intellipush_queue_later"):
            records._intellipush_reserve_credits()
        return records

    def _intellipush_queue(self):
        """Reserve credits and wake the dispatch for SMS created with
        ``intellipush_queue_later`` (a batch posted record by record), once."""
        sms = self.with_context(intellipush_queue_later=False)._intellipush_split()[0]
        sms._intellipush_reserve_credits()
        sms.send()

    def write(self, vals):
        if vals.get("state") == "outgoing" and self._intellipush_masked():
            raise UserError(
                _("An SMS whose one-time code is masked cannot be sent again: send a new code from its access code.")
            )
        # Odoo's SMS Marketing rewrites each campaign SMS's links one record at
        # a time: a new text with as many segments to the same number costs
        # the same, and is not priced again.
        text_only = "body" in vals and "number" not in vals
        segments_before = {sms.id: sms.sms_segments for sms in self} if text_only else {}
        res = super().write(vals)
        if {"body", "number"} & set(vals):
            # The price depends on both: set aside what the new text costs.
            priced = self.filtered(lambda sms: sms.state == "outgoing" and sms.credit_state in ("reserved", "waiting"))
            if text_only:
                priced = priced.filtered(
                    lambda sms: sms.credit_state == "waiting" or sms.sms_segments != segments_before[sms.id]
                )
            repriced = priced._intellipush_with_changed_cost()
            repriced._intellipush_release_credits()
            repriced._intellipush_reserve_credits()
        if vals.get("state") and vals["state"] not in UNSENT_STATES:
            self._intellipush_mask_secrets()
        return res

    def _intellipush_with_changed_cost(self):
        """Those whose text or number now costs something else than what is
        set aside (a longer link that stays within its segment does not),
        so that a rewrite of many bodies does not churn the ledger."""
        changed = self.browse()
        for company, company_sms in self.grouped("company_id").items():
            wallet_model = self.env["intellipush.credit.wallet"]
            quotes = wallet_model._quote(company, [(sms.number, sms.body) for sms in company_sms])
            for sms, quote in zip(company_sms, quotes, strict=True):
                if (
                    sms.credit_state == "waiting"
                    or quote.cost is None
                    or to_credits(sms.credit_cost) != quote.cost
                    or quote.country != sms.destination_country_id
                ):
                    changed |= sms
        return changed

    def _intellipush_result_action(self):
        """A notification telling the sender what became of these new SMS:
        how many were queued and what they cost, how many were skipped and why."""
        queued = self.filtered(lambda sms: sms.state in ("outgoing", "process", "pending", "sent"))
        skipped = {}
        for sms in self - queued:
            skipped[sms.failure_type] = skipped.get(sms.failure_type, 0) + 1
        labels = self._intellipush_failure_labels()
        lines = [
            _(
                "%(count)s SMS queued, about %(cost)s credits.",
                count=len(queued),
                cost=round(sum(queued.mapped("credit_cost")), 2),
            )
        ]
        lines += [
            self.env._("%(count)s skipped: %(reason)s", count=count, reason=labels.get(failure) or failure)
            for failure, count in sorted(skipped.items(), key=lambda item: -item[1])
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("SMS sent") if not skipped else _("SMS sent, some recipients skipped"),
                "message": "\n".join(lines),
                "type": "warning" if skipped else "success",
                "sticky": bool(skipped),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

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
        verdicts = self._intellipush_policy_verdicts(
            [
                (
                    vals.get("number"),
                    partner_by_id.get(vals.get("partner_id"), empty_partner),
                    vals["sms_purpose"],
                    company,
                )
                for vals, company in zip(checked, companies, strict=True)
            ]
        )
        for vals, company, verdict in zip(checked, companies, verdicts, strict=True):
            if vals.get("state", "outgoing") != "outgoing":
                if verdict:
                    vals["failure_reason"] = verdict[1]
            elif verdict:
                vals.update(state="canceled", failure_type=verdict[0], failure_reason=verdict[1])
            elif vals["sms_purpose"] == "marketing":
                vals["body"] = company._intellipush_with_optout_footer(vals.get("body") or "")
        for vals in vals_list:
            if vals.get("intellipush_redacted_body") and vals.get("state", "outgoing") not in UNSENT_STATES:
                vals["body"] = vals["intellipush_redacted_body"]
        return vals_list

    @api.model
    def _intellipush_policy_verdicts(self, entries):
        """For each ``(number, partner, purpose, company)``: ``None`` when the
        SMS may go, else ``(failure_type, reason)``.

        A blacklisted number receives nothing but access codes and opt-out
        confirmations (it asked for those); marketing also needs the
        contact's granted consent. One blacklist query for all entries.
        """
        policed = [purpose in POLICED_PURPOSES for _number, _partner, purpose, _company in entries]
        numbers = [
            _e164_or_raw(number, company) if checked else None
            for (number, _partner, _purpose, company), checked in zip(entries, policed, strict=True)
        ]
        blacklisted = set(
            self.env["phone.blacklist"].sudo().search([("number", "in", [n for n in numbers if n])]).mapped("number")
        )
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
                verdicts.append(("sms_blacklist", _("This number opted out: it receives nothing but access codes.")))
            elif purpose == "marketing" and consent == "withdrawn":
                verdicts.append(("sms_optout", _("The contact withdrew the marketing consent.")))
            elif purpose == "marketing" and consent != "granted":
                verdicts.append(("sms_optout", _("No marketing consent from this contact.")))
            else:
                verdicts.append(None)
        return verdicts

    @api.model
    def _intellipush_consenting_numbers(self, numbers):
        """Those of ``numbers`` (E.164) whose marketing consent is documented
        although the SMS names no contact: the contacts with that number who
        consented. Bridges add their own sources (mailing lists)."""
        return set(
            self.env["res.partner"]
            .sudo()
            .search([("phone_sanitized", "in", list(numbers)), ("sms_consent_state", "=", "granted")])
            .mapped("phone_sanitized")
        )

    @api.model
    def _intellipush_reachable(self, recipients, body, purpose, company):
        """What sending ``body`` to ``[(number, partner)]`` would queue:
        ``(numbers the consent and blacklist rules let through, the text as
        it will go, with the opt-out instruction marketing carries,
        Counter of the failure types of those skipped)``."""
        verdicts = self._intellipush_policy_verdicts(
            [(number, partner, purpose, company) for number, partner in recipients]
        )
        numbers = [number for (number, _partner), verdict in zip(recipients, verdicts, strict=True) if not verdict]
        if purpose == "marketing":
            body = company._intellipush_with_optout_footer(body)
        return numbers, body, Counter(verdict[0] for verdict in verdicts if verdict)

    @api.model
    def _intellipush_estimate(self, recipients, body, purpose, company):
        """The cost line shown before sending ``body`` to ``[(number, partner)]``
        (see :meth:`_intellipush_reachable`)."""
        numbers, body, skipped = self._intellipush_reachable(recipients, body, purpose, company)
        summary = self.env["intellipush.credit.wallet"].with_company(company)._cost_summary(numbers, body)
        # When the rules let nobody through, say so rather than show nothing.
        if skipped and (summary or (not numbers and company.sms_provider == "intellipush")):
            labels = self._intellipush_failure_labels()
            summary = "; ".join(
                [summary or self.env._("No SMS to send")]
                + [
                    self.env._("%(count)s skipped: %(reason)s", count=count, reason=labels[failure])
                    for failure, count in skipped.most_common()
                ]
            )
        return summary

    def _intellipush_failure_labels(self):
        """Failure type labels for people; the consent ones in our own words
        (Odoo's Norwegian for "Opted Out" reads "Valgt ut", "selected")."""
        return {
            **dict(self._fields["failure_type"]._description_selection(self.env)),
            "sms_optout": self.env._("Opted Out"),
            "sms_blacklist": self.env._("Blacklisted"),
        }

    def _intellipush_recheck_policy(self):
        """Cancel the messages that the policy refuses now (used on retry)."""
        verdicts = self._intellipush_policy_verdicts(
            [(sms.number, sms.partner_id, sms.sms_purpose, sms.company_id or self.env.company) for sms in self]
        )
        verdict_by_sms = dict(zip(self, verdicts, strict=True))
        refused = self.filtered(verdict_by_sms.get)
        for (failure_type, reason), records in refused.grouped(verdict_by_sms.get).items():
            records.write({"failure_reason": reason, "intellipush_next_attempt_at": False})
            records._update_sms_state_and_trackers("canceled", failure_type=failure_type)
        return refused

    def _intellipush_reserve_credits(self):
        """Reserve wallet credits for queued Intellipush SMS (see intellipush.credit.wallet)."""
        to_price = self._intellipush_split()[0].filtered(
            lambda sms: (
                sms.state == "outgoing" and not sms.to_delete and sms.credit_state not in ("reserved", "waiting")
            )
        )
        for company, company_sms in to_price.grouped("company_id").items():
            self.env["intellipush.credit.wallet"]._for_company(company)._reserve(company_sms.sudo())

    def _intellipush_release_credits(self):
        for company, company_sms in self.grouped("company_id").items():
            self.env["intellipush.credit.wallet"]._for_company(company)._release(company_sms.sudo())

    def _intellipush_split(self):
        """Split into (Intellipush messages, the others) by their company's provider."""
        intellipush = self.filtered(lambda sms: (sms.company_id or self.env.company)._intellipush_active())
        return intellipush, self - intellipush

    def send(self, unlink_failed=False, unlink_sent=True, auto_commit=False, raise_exception=False):
        """Queue Intellipush messages for the dispatch cron; others go to IAP.

        Odoo calls ``send`` inside the user's transaction (chatter, composer).
        Calling the provider there would tie a remote, irreversible send to a
        transaction that may still roll back; the cron, triggered to run right
        after this commit, sends with its own committed intent instead.
        """
        intellipush, others = self._intellipush_split()
        queue_later = self.env.context.get("intellipush_queue_later")
        if not queue_later and intellipush.filtered(lambda sms: sms.state == "outgoing" and not sms.to_delete):
            self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch")._trigger()
        return super(SmsSms, others).send(
            unlink_failed=unlink_failed,
            unlink_sent=unlink_sent,
            auto_commit=auto_commit,
            raise_exception=raise_exception,
        )

    def _split_by_api(self):
        """Newer 18.0 releases route ``send`` and the queue by provider through
        this generator of ``(api, sms)``; Odoo's IAP and Twilio get theirs from
        ``super()``. Intellipush SMS are never handed to an API here: the
        dispatch cron sends them (see ``send``). Earlier 18.0 builds have no
        such hook and never call it."""
        intellipush, others = self._intellipush_split()
        if intellipush.filtered(lambda sms: sms.state == "outgoing" and not sms.to_delete):
            self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch")._trigger()
        parent = getattr(super(SmsSms, others), "_split_by_api", None)
        if parent and others:
            yield from parent()

    def resend_failed(self):
        intellipush, others = self._intellipush_split()
        intellipush = intellipush.filtered(lambda sms: sms.state == "error" and not sms.to_delete)
        if not intellipush:
            return super(SmsSms, others).resend_failed()
        intellipush.action_set_outgoing()
        super(SmsSms, others).resend_failed()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Queued again"),
                "message": _("%(count)s SMS are back in the queue and will be sent shortly.", count=len(intellipush)),
                "type": "success",
            },
        }

    def _intellipush_masked(self):
        """Those whose one-time code is masked already: their text opens nothing."""
        return self.filtered(lambda sms: sms.intellipush_redacted_body and sms.body == sms.intellipush_redacted_body)

    def _intellipush_mask_secrets(self):
        """Replace the text of SMS that carried a one-time code by its masked
        version once they left the queue (sent, failed, cancelled, by
        Intellipush or by IAP): from here on no one needs the code in the
        database. Same length and characters, so encoding, segments and cost
        stay true."""
        to_mask = self.filtered("intellipush_redacted_body") - self._intellipush_masked()
        for redacted, records in to_mask.grouped("intellipush_redacted_body").items():
            records.write({"body": redacted})

    def action_set_outgoing(self):
        self.write(
            {
                "failure_reason": False,
                "intellipush_attempts": 0,
                "intellipush_next_attempt_at": False,
                "intellipush_dispatch_token": False,
            }
        )
        res = super().action_set_outgoing()
        self.filtered(lambda sms: sms.state == "outgoing")._intellipush_recheck_policy()
        if self._intellipush_split()[0]:
            self._intellipush_reserve_credits()
            self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch")._trigger()
        return res

    def action_set_canceled(self):
        res = super().action_set_canceled()
        self._intellipush_release_credits()
        return res

    # ------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------

    @api.model
    def _intellipush_process_queue(self, max_batches=None):
        """Cron: claim and send queued messages batch by batch.

        Safe to run on several workers at once: each batch is claimed with
        ``SKIP LOCKED`` and leaves the ``outgoing`` state before it is sent.
        """
        auto_commit = _auto_commit_allowed()
        batch_size = int(self.env["ir.config_parameter"].sudo().get_param(BATCH_SIZE_PARAM, DEFAULT_BATCH_SIZE))
        self._intellipush_reconcile()
        # Counted once: the progress shown need not count what comes in meanwhile.
        queued = self._intellipush_queue_size()
        done = batches = 0
        while max_batches is None or batches < max_batches:
            if auto_commit:
                # Claim in a transaction of its own, in READ COMMITTED: a row
                # another worker claimed meanwhile is then skipped instead of
                # failing this one with a serialization error.
                # A cron's own transactions: committing is the point here.
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            batch = self._intellipush_claim(batch_size)
            if not batch:
                break
            if auto_commit:
                # The intent must survive a crash during the call.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            batch._intellipush_dispatch()
            done += len(batch)
            batches += 1
            self.env["ir.cron"]._notify_progress(done=done, remaining=max(queued - done, 0))
        return done

    @api.model
    def _intellipush_queue_size(self):
        self.env.cr.execute(SQL("SELECT COUNT(*) %s", SQL(_DUE_QUEUE_SQL, now=fields.Datetime.now())))
        return self.env.cr.fetchone()[0]

    @api.model
    def _intellipush_claim(self, limit):
        """Lock up to ``limit`` due messages and mark them as being dispatched."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT sms.id %s ORDER BY sms.id LIMIT %s FOR UPDATE OF sms SKIP LOCKED",
                SQL(_DUE_QUEUE_SQL, now=fields.Datetime.now()),
                limit,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not ids:
            return self.browse()
        batch = self.sudo().browse(ids)
        batch.invalidate_recordset()
        self.env.cr.execute(
            """
            UPDATE sms_sms
               SET state = 'process',
                   intellipush_dispatch_token = %s,
                   intellipush_dispatched_at = %s,
                   intellipush_attempts = COALESCE(intellipush_attempts, 0) + 1,
                   write_date = %s
             WHERE id IN %s
            """,
            [uuid.uuid4().hex, fields.Datetime.now(), fields.Datetime.now(), tuple(ids)],
        )
        batch.invalidate_recordset()
        batch.sms_tracker_id._action_update_from_sms_state("process")
        return batch

    def _intellipush_prepare(self):
        """Normalise numbers; return (valid records, OutgoingSms list, {invalid record: reason})."""
        valid = self.browse()
        outgoing = []
        invalid = {}
        region_by_company = {}
        for sms in self:
            company = sms.company_id
            if company not in region_by_company:
                region_by_company[company] = company._intellipush_phone_region()
            try:
                number = normalize(sms.number, region_by_company[company])
            except InvalidPhoneNumber as error:
                invalid[sms] = error.reason
                continue
            valid |= sms
            outgoing.append(
                intellipush_api.OutgoingSms(
                    countrycode=number.intellipush_countrycode,
                    phonenumber=number.national_number,
                    message=sms.body or "",
                    send_at=sms._intellipush_provider_send_at(),
                )
            )
        return valid, outgoing, invalid

    def _intellipush_provider_send_at(self):
        """When Intellipush is to send it, in the account's time (CONTRACT §4.1), or None for now.

        A time less than a minute away goes now: Intellipush takes whole minutes.
        """
        if not self.intellipush_send_at or self.intellipush_send_at <= fields.Datetime.now() + SCHEDULE_MIN_AHEAD:
            return None
        return self.company_id._intellipush_account_time(self.intellipush_send_at)

    def _intellipush_dispatch(self):
        """Send claimed messages (state ``process``) to Intellipush, per company."""
        for company, company_sms in self.grouped("company_id").items():
            company_sms._intellipush_dispatch_company(company)
        self.mail_message_id._notify_message_notification_update()

    def _intellipush_dispatch_company(self, company):
        valid, outgoing, invalid = self._intellipush_prepare()
        results = error = None
        if valid:
            try:
                results = company._intellipush_get_client().send_batch(outgoing)
            except (UserError, intellipush_api.IntellipushError) as exc:
                error = exc
        self._intellipush_record_outcome(
            lambda: self._intellipush_apply_dispatch(valid, outgoing, invalid, results, error)
        )

    def _intellipush_record_outcome(self, apply):
        """Write what Intellipush answered. In a worker's own transactions,
        retried on a serialization failure (two workers debiting one wallet):
        the answer is in hand and must not be lost to a concurrent update."""
        if _auto_commit_allowed():
            retrying(apply, self.env)
            self.env.cr.commit()  # pylint: disable=invalid-commit
        else:
            apply()

    def _intellipush_fail_invalid_numbers(self, reason_by_sms):
        """Fail the messages of ``{sms: reason}`` whose number cannot receive SMS, one write per reason."""
        invalid = self.browse([sms.id for sms in reason_by_sms])
        for reason, records in invalid.grouped(reason_by_sms.get).items():
            records._intellipush_set_failed("sms_number_format", _("This number cannot receive SMS: %s.", reason))

    def _intellipush_apply_dispatch(self, valid, outgoing, invalid, results, error):
        self._intellipush_fail_invalid_numbers(invalid)
        if not valid:
            return
        if isinstance(error, UserError):
            valid._intellipush_set_failed("sms_acc", str(error))
        elif error:
            valid._intellipush_handle_batch_error(error)
        else:
            valid._intellipush_apply_results(outgoing, results)

    def _intellipush_apply_results(self, outgoing, results):
        accepted_values = []
        refusal_by_sms = {}
        for sms, message, result in zip(self, outgoing, results, strict=True):
            if result.ok:
                accepted_values.append((sms.id, result.provider_id, result.credits or 0, message.e164))
            else:
                refusal_by_sms[sms] = (_failure_type(result.error), result.error.message)
        if accepted_values:
            self._intellipush_mark_accepted(accepted_values)
        refused = self.filtered(refusal_by_sms.get)
        for (failure_type, reason), records in refused.grouped(refusal_by_sms.get).items():
            records._intellipush_set_failed(failure_type, reason)

    def _intellipush_mark_accepted(self, accepted_values):
        """Record (id, provider id, credits, E.164 number) rows in one statement; move to Sent."""
        self.env.flush_all()
        now = fields.Datetime.now()
        rows = SQL(", ").join(SQL("(%s, %s, %s::numeric, %s)", *row) for row in accepted_values)
        self.env.cr.execute(
            SQL(
                """
                UPDATE sms_sms
                   SET intellipush_id = v.provider_id,
                       intellipush_credits = v.credits,
                       number_e164 = v.e164,
                       failure_reason = NULL,
                       failure_type = NULL,
                       sent_at = %s,
                       intellipush_status_checks = 0,
                       -- GREATEST skips NULL: a scheduled SMS is first asked about once its time has come.
                       intellipush_next_status_check_at = GREATEST(%s, sms_sms.intellipush_send_at + %s)
                  FROM (VALUES %s) AS v(id, provider_id, credits, e164)
                 WHERE sms_sms.id = v.id
                """,
                now,
                now + STATUS_FIRST_CHECK,
                STATUS_FIRST_CHECK,
                rows,
            )
        )
        accepted = self.browse([row[0] for row in accepted_values])
        accepted.invalidate_recordset()
        accepted._update_sms_state_and_trackers("pending")
        for company, company_sms in accepted.grouped("company_id").items():
            self.env["intellipush.credit.wallet"]._for_company(company)._debit(company_sms)

    def _intellipush_handle_batch_error(self, error):
        """A whole-batch failure: wait for reconciliation, retry later, or fail."""
        if error.maybe_delivered:
            # Intellipush may hold these messages: resending could duplicate
            # them. Reconciliation decides once the outcome can be known.
            _logger.warning("Intellipush outcome unknown for %s SMS (%s); reconciling later", len(self), error.code)
            self.write({"failure_reason": _("Waiting for Intellipush to confirm: %s", error.message)})
            return
        if error.retryable:
            # Refused before anything was done (a rate limit, a renewed token refused as well): try again.
            self._intellipush_retry_later(error)
            return
        if error.code == "authentication":
            self._intellipush_set_failed("sms_acc", _("Intellipush refused the API credentials: %s", error.message))
            return
        self._intellipush_set_failed(_failure_type(error), error.message)

    def _intellipush_retry_later(self, error):
        exhausted = self.filtered(lambda sms: sms.intellipush_attempts >= MAX_ATTEMPTS)
        if exhausted:
            exhausted._intellipush_set_failed(
                "sms_server",
                _(
                    "Intellipush did not accept the message after %(count)s attempts: %(error)s",
                    count=MAX_ATTEMPTS,
                    error=error.message,
                ),
            )
        retry = self - exhausted
        if not retry:
            return
        delay = getattr(error, "retry_after", None) or 30 * 2 ** (max(retry.mapped("intellipush_attempts")) - 1)
        retry.write(
            {
                "state": "outgoing",
                "intellipush_dispatch_token": False,
                "intellipush_next_attempt_at": fields.Datetime.now() + _bounded_delay(delay, RETRY_MAX_DELAY),
                "failure_reason": _("Will retry: %s", error.message),
            }
        )
        retry.sms_tracker_id._action_update_from_sms_state("outgoing")

    def _intellipush_set_failed(self, failure_type, reason):
        self.write({"failure_reason": reason, "intellipush_next_attempt_at": False})
        self._update_sms_state_and_trackers("error", failure_type=failure_type)
        self._intellipush_release_credits()

    # ------------------------------------------------------------
    # Delivery reports
    # ------------------------------------------------------------

    @api.model
    def _intellipush_poll_status(self, limit=2000):
        """Cron: ask Intellipush about sent messages that have no final state yet.

        Each message is asked about less and less often as it ages, and left
        alone (still "Sent") after a few days without a final answer.
        """
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT id
              FROM sms_sms
             WHERE state = 'pending'
               AND intellipush_id IS NOT NULL
               AND intellipush_next_status_check_at <= %s
          ORDER BY intellipush_next_status_check_at
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [fields.Datetime.now(), limit],
        )
        due = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        for company, company_sms in due.grouped("company_id").items():
            try:
                statuses = company._intellipush_get_client().get_status(company_sms.mapped("intellipush_id"))
            except (UserError, intellipush_api.IntellipushError) as error:
                _logger.warning("Intellipush status poll failed for %s: %s", company.name, error)
                continue
            company_sms._intellipush_apply_statuses(statuses)
        due.mail_message_id._notify_message_notification_update()
        return due

    def _intellipush_apply_statuses(self, statuses):
        now = fields.Datetime.now()
        delivered = failed = canceled = self.browse()
        for sms in self:
            status = statuses.get(sms.intellipush_id)
            state = status.state if status else "pending"
            if status and status.deleted:
                canceled |= sms
            elif state == "delivered":
                delivered |= sms
            elif state == "failed":
                failed |= sms
        if delivered:
            delivered.write({"delivered_at": now, "intellipush_next_status_check_at": False})
            delivered._update_sms_state_and_trackers("sent")
        if failed:
            failed.write(
                {
                    "state": "error",
                    "failure_type": "sms_not_delivered",
                    "failure_reason": _("Intellipush could not deliver the message to the handset."),
                    "intellipush_next_status_check_at": False,
                }
            )
            failed.sms_tracker_id._action_update_from_provider_error("not_delivered")
            for company, company_sms in failed.grouped("company_id").items():
                self.env["intellipush.credit.wallet"]._for_company(company)._refund(company_sms)
        if canceled:
            canceled._intellipush_settle_withdrawn(_("Deleted at Intellipush before it was sent."))
        still_pending = self - delivered - failed - canceled
        for checks, records in still_pending.grouped("intellipush_status_checks").items():
            give_up = records.filtered(lambda sms: sms.sent_at and sms.sent_at < now - STATUS_GIVE_UP_AFTER)
            give_up.intellipush_next_status_check_at = False
            (records - give_up).write(
                {
                    "intellipush_status_checks": checks + 1,
                    # The exponent is capped so that the doubling never overflows, however long it is polled.
                    "intellipush_next_status_check_at": now
                    + min(STATUS_FIRST_CHECK * 2 ** min(checks + 1, 32), STATUS_MAX_DELAY),
                }
            )


def _e164_or_raw(number, company):
    """The number as the blacklist stores it (E.164), or as typed if unparsable."""
    try:
        return normalize(number or "", company._intellipush_phone_region()).e164
    except InvalidPhoneNumber:
        return number


def _failure_type(error):
    return FAILURE_TYPE_BY_ERROR_CODE.get(error.code, "sms_server")


def _bounded_delay(seconds, longest):
    """``seconds`` as a timedelta between none and ``longest``: a huge, infinite or
    garbled delay must neither overflow the date nor stall the queue for ever."""
    seconds = float(seconds)
    if seconds != seconds:  # NaN
        return longest
    return timedelta(seconds=min(max(seconds, 0.0), longest.total_seconds()))
