"""Reconciliation: what became of SMS whose hand-over to Intellipush has no
known outcome (CONTRACT §9 in ``intellipush_sandbox/CONTRACT.md``).

Nothing public offers an idempotency key, so such an SMS is never sent again
blind. It is looked up among Intellipush's sent and unsent SMS by number,
text and time::

    process, no Intellipush id, older than the grace period
      |-- found in sms/getSent or sms/getUnsent ----------> pending (Sent), Intellipush's id, debited
      |-- absent from both complete lists ----------------> outgoing (queued again)
      '-- lists unreadable: wait, and past the limit -----> uncertain (a person resends or marks as sent)

An uncertain SMS keeps its reserved credits: resending it debits them when
Intellipush accepts it, marking it as sent debits them at once.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import intellipush_api
from .sms_sms import FRESH_ATTEMPTS

_logger = logging.getLogger(__name__)

# Longer than the client's read timeout: a row younger than this may still be
# in the hands of a live worker waiting for Intellipush's answer.
RECONCILE_GRACE = timedelta(minutes=5)
# How long an unreadable list is waited for before a person is asked.
RECONCILE_GIVE_UP = timedelta(hours=1)
RECONCILE_MAX_PAGES = 20
RECONCILE_PAGE_SIZE = 100
# Our clock and Intellipush's need not agree to the second.
RECONCILE_CLOCK_SLACK = timedelta(minutes=10)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    state = fields.Selection(
        selection_add=[("uncertain", "Uncertain: check at Intellipush")],
        ondelete={"uncertain": lambda records: records.write({"state": "error", "failure_type": "sms_server"})},
    )

    @api.model
    def _intellipush_reconcile(self, grace=RECONCILE_GRACE, give_up_after=RECONCILE_GIVE_UP):
        """Settle messages left in ``process`` without an Intellipush id."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT id
              FROM sms_sms
             WHERE state = 'process'
               AND intellipush_id IS NULL
               AND intellipush_dispatched_at <= %s
          ORDER BY id
               FOR UPDATE SKIP LOCKED
            """,
            [fields.Datetime.now() - grace],
        )
        unsettled = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        for company, company_sms in unsettled.grouped("company_id").items():
            company_sms._intellipush_reconcile_company(company, give_up_after)
        return unsettled

    def _intellipush_reconcile_company(self, company, give_up_after):
        valid, outgoing, invalid = self._intellipush_prepare()
        self._intellipush_fail_invalid_numbers(invalid)
        if not valid:
            return
        horizon = company._intellipush_account_time(
            min(valid.mapped("intellipush_dispatched_at")) - RECONCILE_CLOCK_SLACK
        )
        try:
            records, complete = self._intellipush_provider_records_since(company, horizon)
        except (UserError, intellipush_api.IntellipushError) as error:
            _logger.warning("Intellipush reconciliation: lists unreadable for %s SMS: %s", len(valid), error)
            valid._intellipush_wait_or_give_up(str(getattr(error, "message", error)), give_up_after)
            return
        known_ids = set(
            self.search(
                [("company_id", "=", company.id), ("intellipush_id", "in", [rec.provider_id for rec in records])]
            ).mapped("intellipush_id")
        )
        # Per number, oldest first on both sides, so that equal texts pair in sending order.
        candidates_by_number = defaultdict(list)
        for rec in sorted(records, key=lambda rec: (rec.time_to_send or datetime.min, _numeric(rec.provider_id))):
            if rec.provider_id not in known_ids:
                candidates_by_number[rec.countrycode, rec.phonenumber].append(rec)
        adopted = []
        missing = self.browse()
        for sms, message in zip(valid, outgoing, strict=True):
            not_before = company._intellipush_account_time(sms.intellipush_dispatched_at - RECONCILE_CLOCK_SLACK)
            candidates = candidates_by_number[message.countrycode, message.phonenumber]
            match = next(
                (
                    rec
                    for rec in candidates
                    if rec.matches(message.countrycode, message.phonenumber, message.message)
                    and (rec.time_to_send is None or rec.time_to_send >= not_before)
                ),
                None,
            )
            if match:
                candidates.remove(match)
                adopted.append((sms.id, match.provider_id, 0, message.e164))
            else:
                missing |= sms
        if adopted:
            _logger.info("Intellipush reconciliation: %s SMS were sent, ids adopted", len(adopted))
            self._intellipush_mark_accepted(adopted)
        if not missing:
            return
        if not complete:
            missing._intellipush_wait_or_give_up(_("Intellipush's lists are longer than what was read."), give_up_after)
            return
        _logger.info("Intellipush reconciliation: %s SMS never reached Intellipush, queued again", len(missing))
        missing._intellipush_set_state(
            "outgoing",
            reason=_("Not received by Intellipush during an interrupted send; queued again."),
            values={"intellipush_dispatch_token": False},
        )

    @api.model
    def _intellipush_provider_records_since(self, company, horizon):
        """Intellipush's sent and unsent SMS back to ``horizon`` (account time).

        Returns (records, complete): ``complete`` is False when a list went on
        past the pages read, so that absence proves nothing.
        """
        client = company._intellipush_get_client()
        records = []
        complete = True
        for list_page in (client.get_sent, client.get_unsent):
            for page in range(1, RECONCILE_MAX_PAGES + 1):
                page_records = list_page(page=page, items=RECONCILE_PAGE_SIZE)
                records.extend(page_records)
                # CONTRACT §4.4: newest first is assumed; a page wholly older than the horizon ends the list.
                if len(page_records) < RECONCILE_PAGE_SIZE or all(
                    rec.time_to_send and rec.time_to_send < horizon for rec in page_records
                ):
                    break
            else:
                complete = False
        return records, complete

    def _intellipush_wait_or_give_up(self, reason, give_up_after):
        """Leave these in ``process`` to be looked up again; those waiting
        longer than ``give_up_after`` become uncertain, for a person."""
        limit = fields.Datetime.now() - give_up_after
        expired = self.filtered(lambda sms: sms.intellipush_dispatched_at <= limit)
        (self - expired).write({"failure_reason": _("Waiting for Intellipush to confirm the send: %s", reason)})
        expired._intellipush_set_uncertain(reason)

    def _intellipush_set_uncertain(self, reason):
        if not self:
            return
        # It may have left: notifications and campaign traces keep "processing".
        self._intellipush_set_state(
            "uncertain",
            reason=_(
                "Intellipush could not tell whether this SMS was sent (%s). Check the account's sent "
                "messages at Intellipush, then resend it or mark it as sent.",
                reason,
            ),
        )
        _logger.warning("Intellipush reconciliation: %s SMS are uncertain and wait for a person", len(self))

    # ------------------------------------------------------------
    # What a person decides for an uncertain SMS
    # ------------------------------------------------------------

    def _intellipush_uncertain_only(self):
        uncertain = self.filtered(lambda sms: sms.state == "uncertain")
        if not uncertain:
            raise UserError(_("Only SMS whose sending is uncertain can be resent or marked as sent here."))
        return uncertain

    def action_intellipush_resend_uncertain(self):
        """Queue again: the person checked that Intellipush does not have it."""
        uncertain = self._intellipush_uncertain_only()
        uncertain._intellipush_set_state(
            "outgoing",
            reason=_("Queued again by %s after an uncertain send.", self.env.user.name),
            values=FRESH_ATTEMPTS,
        )
        self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch")._trigger()
        return True

    def action_intellipush_mark_sent(self):
        """The person found it at Intellipush: it was sent; its credits are debited."""
        uncertain = self._intellipush_uncertain_only()
        uncertain._intellipush_set_state(
            "pending",
            reason=_("Marked as sent by %s after checking at Intellipush.", self.env.user.name),
            values={"sent_at": fields.Datetime.now()},
        )
        return True

    def _intellipush_cancel_waiting(self):
        """Cancel those not sent yet: queued here, or held by Intellipush for a later time."""
        self.filtered(lambda sms: sms.state == "outgoing").action_set_canceled()
        self.filtered(
            lambda sms: sms.state == "pending"
            and sms.intellipush_send_at
            and sms.intellipush_send_at > fields.Datetime.now()
        ).action_intellipush_withdraw()

    def action_intellipush_withdraw(self):
        """Delete at Intellipush SMS it accepted but has not sent yet (CONTRACT §4.5);
        each one withdrawn is cancelled and its credits are refunded."""
        at_intellipush = self.filtered(lambda sms: sms.state == "pending" and sms.intellipush_id)
        withdrawn = self.browse()
        refusals = []
        for company, company_sms in at_intellipush.grouped("company_id").items():
            client = company._intellipush_get_client()
            for sms in company_sms:
                try:
                    client.delete(sms.intellipush_id)
                except intellipush_api.IntellipushError as error:
                    refusals.append(f"{sms.number}: {error.message}")
                else:
                    withdrawn |= sms
        withdrawn._intellipush_settle_withdrawn(_("Withdrawn at Intellipush by %s.", self.env.user.name))
        if refusals:
            raise UserError(_("Intellipush did not withdraw these SMS (already sent?):\n%s", "\n".join(refusals)))
        return True

    def _intellipush_settle_withdrawn(self, reason):
        """Intellipush deleted these before sending: cancelled, credits back."""
        if not self:
            return
        self._intellipush_set_state("canceled", reason=reason)


def _numeric(provider_id):
    return int(provider_id) if str(provider_id).isdigit() else 0
