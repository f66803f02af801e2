"""Stages claim and dispatch of the gateway: queued SMS claimed batch by
batch (``SKIP LOCKED``, intent committed) and handed to Intellipush; its
answer moves each to Sent, to a retry or to a failure with its reason.
"""

import logging
import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import intellipush_api
from ..tools.phone_display import number_problem
from ..tools.phone_numbers import InvalidPhoneNumber
from .intellipush_credit_rate import normalize_cached
from .sms_sms_status import STATUS_FIRST_CHECK

_logger = logging.getLogger(__name__)

# SMS claimed, recorded and debited per dispatch transaction.
BATCH_SIZE_PARAM = "intellipush_sms.batch_size"
DEFAULT_BATCH_SIZE = 1000
# SMS per Intellipush call (CONTRACT §4.2: no limit is public, 200 assumed);
# a batch goes in calls of this size.
CALL_SIZE_PARAM = "intellipush_sms.call_size"
DEFAULT_CALL_SIZE = 200
# The dispatch run gives SMS waiting for credits another try this many at a
# time, a transaction each.
RESERVE_SLICE = 5000
MAX_ATTEMPTS = 5
SCHEDULE_MIN_AHEAD = timedelta(minutes=1)
# The longest a queued SMS waits for its next attempt, whatever delay an error asks for.
RETRY_MAX_DELAY = timedelta(hours=1)

# Queued Intellipush SMS that are due: priced (reserved, or free: an invalid
# number fails at dispatch) or not priced yet (the claim reserves them), not
# waiting for credits nor for a retry, nor marketing of a company in its quiet
# hours (sms_sms_quiet_hours.py).
_DUE_QUEUE_SQL = """
      FROM sms_sms sms
      JOIN res_company company ON company.id = sms.company_id
     WHERE sms.state = 'outgoing'
       AND sms.to_delete IS NOT TRUE
       AND company.sms_provider = 'intellipush'
       AND (sms.credit_state IN ('reserved', 'none') OR sms.credit_state IS NULL)
       AND (sms.intellipush_next_attempt_at IS NULL OR sms.intellipush_next_attempt_at <= %(now)s)
       AND (sms.sms_purpose IS DISTINCT FROM 'marketing' OR sms.company_id <> ALL(%(quiet_company_ids)s))
"""

# The client's failure codes (intellipush_api.FAILURE_CODES) that say more
# than "the provider failed"; Intellipush's own errorcode and words travel in
# the failure reason.
FAILURE_TYPE_BY_ERROR_CODE = {
    "refused": "sms_invalid_message",
    "authentication": "sms_acc",
}


class SmsSms(models.Model):
    _inherit = "sms.sms"

    # ------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------

    @api.model
    def _cron_intellipush_dispatch(self, max_batches=None):
        """Cron: reconcile, debit what was accepted, retry what waits for
        credits, then claim (and reserve) and send queued messages batch by batch.

        Safe to run on several workers at once: each batch is claimed with
        ``SKIP LOCKED`` and leaves the ``outgoing`` state before it is sent.
        """
        runner = self.env["intellipush.cron.runner"]
        batch_size = int(self.env["ir.config_parameter"].sudo().get_param(BATCH_SIZE_PARAM, DEFAULT_BATCH_SIZE))
        self._intellipush_reconcile()
        runner._run_batch(self._intellipush_debit_left_accepted)
        self._intellipush_reserve_unpriced_in_slices(RESERVE_SLICE, waiting_only=True)
        # Counted once: the progress shown need not count what comes in meanwhile.
        queued = self._intellipush_queue_size()
        done = batches = 0
        while max_batches is None or batches < max_batches:
            self._intellipush_before_claim(batch_size)
            runner._commit()
            if runner._commits():
                # Claim in READ COMMITTED: a row another worker claimed
                # meanwhile is then skipped instead of failing this one with
                # a serialization error.
                self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            batch = self._intellipush_claim(batch_size)
            if not batch:
                break
            # The intent must survive a crash during the call.
            runner._commit()
            batch._intellipush_dispatch()
            if runner._commits():
                # What a batch read (its SMS, traces, partners) is not needed
                # again: the cache stays one batch large however long the run.
                self.env.invalidate_all()
            done += len(batch)
            batches += 1
            self.env["ir.cron"]._notify_progress(done=done, remaining=max(queued - done, 0))
        return done

    @api.model
    def _intellipush_before_claim(self, limit):
        """What the next ``limit`` due messages need just before they are
        claimed; nothing here (the SMS Marketing bridge shortens their
        campaign links)."""

    @api.model
    def _intellipush_due_sql(self):
        """``FROM ... WHERE`` of the due messages (alias ``sms``): what the claim takes, oldest first."""
        return SQL(_DUE_QUEUE_SQL, now=fields.Datetime.now(), quiet_company_ids=self._intellipush_quiet_company_ids())

    @api.model
    def _intellipush_queue_size(self):
        self.env.cr.execute(SQL("SELECT COUNT(*) %s", self._intellipush_due_sql()))
        return self.env.cr.fetchone()[0]

    @api.model
    def _intellipush_claim(self, limit):
        """Lock up to ``limit`` due messages and mark them as being dispatched.

        Those not priced yet (a campaign committed chunk by chunk leaves its
        SMS to the dispatch) are reserved here, in the claim's transaction:
        their credits and their state go in one UPDATE. Those the wallet does
        not cover are left waiting for credits, not claimed: the claim looks
        further, so that what is reserved behind them still goes."""
        while True:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "SELECT sms.id %s ORDER BY sms.id LIMIT %s FOR UPDATE OF sms SKIP LOCKED",
                    self._intellipush_due_sql(),
                    limit,
                )
            )
            batch = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
            unpriced = batch.filtered(lambda sms: not sms.credit_state)
            if not unpriced:
                break
            unpriced._intellipush_reserve_credits()
            # Those left waiting or refused are no longer due: the next look skips them.
            batch = batch.filtered(lambda sms: sms.state == "outgoing" and sms.credit_state in ("reserved", "none"))
            if batch:
                break
        token, now = uuid.uuid4().hex, fields.Datetime.now()
        for attempts, records in batch.grouped("intellipush_attempts").items():
            records._intellipush_set_state(
                "process",
                values={
                    "intellipush_dispatch_token": token,
                    "intellipush_dispatched_at": now,
                    "intellipush_attempts": attempts + 1,
                },
            )
        return batch

    def _intellipush_prepare(self):
        """Normalise numbers; return (valid records, OutgoingSms list, {invalid record: reason})."""
        valid_ids = []
        outgoing = []
        invalid = {}
        rules_by_company = {}
        for sms in self:
            company = sms.company_id
            if company not in rules_by_company:
                rules_by_company[company] = (company._intellipush_phone_region(), company._intellipush_mobile_only())
            region, mobile_only = rules_by_company[company]
            try:
                number = normalize_cached(sms.number, region, mobile_only=mobile_only)
            except InvalidPhoneNumber as error:
                # Stored for people: in the company's language, the cron has none.
                invalid[sms] = number_problem(self.with_context(lang=company.partner_id.lang).env, error)
                continue
            valid_ids.append(sms.id)
            outgoing.append(
                intellipush_api.OutgoingSms(
                    countrycode=number.intellipush_countrycode,
                    phonenumber=number.national_number,
                    message=sms.body or "",
                    send_at=sms._intellipush_provider_send_at(),
                )
            )
        return self.browse(valid_ids), outgoing, invalid

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
        calls, unsent, stopped_by = self._intellipush_send_calls(company, valid, outgoing)
        # The answers are recorded first, without touching the wallet: they are
        # in hand and must not be lost to a serialization failure against the
        # reservations and debits of other workers. The debit follows in a
        # transaction of its own, short enough for its retries to succeed.
        runner = self.env["intellipush.cron.runner"]
        runner._run_batch(
            lambda: self.with_context(intellipush_debit_later=True)._intellipush_apply_dispatch(
                invalid, calls, unsent, stopped_by
            )
        )
        runner._run_batch(self._intellipush_debit_accepted)

    def _intellipush_send_calls(self, company, valid, outgoing):
        """Hand ``valid`` (with their ``outgoing`` messages) to Intellipush in
        calls of the call size.

        Returns ``(calls, unsent, error)``: ``[(records, messages, results,
        error)]`` for each call made; after a call that failed, the records
        not sent and that call's error (the service is in trouble: they wait
        their turn again).
        """
        call_size = int(self.env["ir.config_parameter"].sudo().get_param(CALL_SIZE_PARAM, DEFAULT_CALL_SIZE))
        calls = []
        client = None
        for start in range(0, len(valid), call_size):
            records, messages = valid[start : start + call_size], outgoing[start : start + call_size]
            try:
                client = client or company._intellipush_get_client()
                calls.append((records, messages, client.send_batch(messages), None))
            except (UserError, intellipush_api.IntellipushError) as error:
                calls.append((records, messages, None, error))
                return calls, valid[start + call_size :], error
        return calls, valid.browse(), None

    def _intellipush_fail_invalid_numbers(self, reason_by_sms):
        """Fail the messages of ``{sms: reason}`` whose number cannot receive SMS, one write per reason."""
        invalid = self.browse([sms.id for sms in reason_by_sms])
        for reason, records in invalid.grouped(reason_by_sms.get).items():
            records._intellipush_set_failed("sms_number_format", _("This number cannot receive SMS: %s.", reason))

    def _intellipush_apply_dispatch(self, invalid, calls, unsent, stopped_by):
        """Record what the calls of :meth:`_intellipush_send_calls` came back
        with, and what was not sent after ``stopped_by``."""
        self._intellipush_fail_invalid_numbers(invalid)
        # In this transaction's context (``intellipush_debit_later``): the
        # records were read before it was set.
        for records, messages, results, error in calls:
            records.with_env(self.env)._intellipush_apply_call(messages, results, error)
        unsent = unsent.with_env(self.env)
        if isinstance(stopped_by, UserError):
            # A configuration the client refused fails them all, as it would.
            unsent._intellipush_set_failed("sms_acc", str(stopped_by))
        elif unsent:
            # Nothing was done with them: back to the queue, this attempt not counted.
            unsent._intellipush_retry_later(stopped_by, counted=False)

    def _intellipush_apply_call(self, messages, results, error):
        if isinstance(error, UserError):
            self._intellipush_set_failed("sms_acc", str(error))
        elif error:
            self._intellipush_handle_batch_error(error)
        else:
            self._intellipush_apply_results(messages, results)

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
        """Record (id, provider id, credits, E.164 number) rows; move to Sent.

        What differs per SMS goes with the state in one transition, one
        UPDATE per 100 SMS.
        """
        now = fields.Datetime.now()
        sms_ids, provider_ids, credits, numbers = zip(*accepted_values, strict=True)
        accepted = self.browse(sms_ids)
        first_check = now + STATUS_FIRST_CHECK
        accepted._intellipush_set_state(
            "pending",
            reason=False,
            values={"sent_at": now, "intellipush_status_checks": 0},
            values_per_sms={
                "intellipush_id": provider_ids,
                "intellipush_credits": credits,
                "number_e164": numbers,
                # A scheduled SMS is first asked about once its time has come.
                "intellipush_next_status_check_at": [
                    max(first_check, sms.intellipush_send_at + STATUS_FIRST_CHECK)
                    if sms.intellipush_send_at
                    else first_check
                    for sms in accepted
                ],
            },
        )

    def _intellipush_handle_batch_error(self, error):
        """A whole-batch failure: wait for reconciliation, retry later, or fail."""
        if error.maybe_delivered:
            # Intellipush may hold these messages: resending could duplicate
            # them. Reconciliation decides once the outcome can be known.
            _logger.warning("Intellipush outcome unknown for %s SMS (%s); reconciling later", len(self), error.code)
            self.write({"failure_reason": _("Waiting for Intellipush to confirm: %s", error.message)})
            # Intellipush may hold them: their traces say Processing.
            self._intellipush_trackers()._action_update_from_sms_state("process")
            return
        if error.retryable:
            # Refused before anything was done (a rate limit, a renewed token refused as well): try again.
            self._intellipush_retry_later(error)
            return
        if error.code == "authentication":
            self._intellipush_set_failed("sms_acc", _("Intellipush refused the API credentials: %s", error.message))
            return
        self._intellipush_set_failed(_failure_type(error), error.message)

    def _intellipush_retry_later(self, error, counted=True):
        """Back to the queue after ``error``, after a delay growing with the attempts.

        :param counted: False for messages that were not sent at all (a call
            before theirs failed): this attempt does not count.
        """
        if not counted:
            for attempts, records in self.grouped("intellipush_attempts").items():
                records.intellipush_attempts = max(attempts - 1, 0)
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
        longest = RETRY_MAX_DELAY.total_seconds()
        seconds = intellipush_api.bounded_seconds(delay, longest)
        retry._intellipush_set_state(
            "outgoing",
            reason=_("Will retry: %s", error.message),
            values={
                "intellipush_dispatch_token": False,
                "intellipush_next_attempt_at": fields.Datetime.now()
                + timedelta(seconds=longest if seconds is None else seconds),
            },
        )


def _failure_type(error):
    return FAILURE_TYPE_BY_ERROR_CODE.get(error.code, "sms_server")
