"""Stage settle of the gateway: the one state transition of an Intellipush
SMS. Every path (claim, Intellipush's answer, retry, reconciliation, delivery
report, policy, a person's decision) moves an SMS with
:meth:`_intellipush_set_state`, which writes the state and its reason,
updates the trackers (chatter notification, campaign trace) and settles the
credits with the wallet:

    outgoing   queued: credits reserved (or waiting) by stage reserve
    process    being handed over, or outcome unknown (uncertain)
    pending    accepted by Intellipush ("Sent"): reservation debited (by the
               dispatch just after it recorded the answer)
    sent       delivered
    error      failed: reservation released, or debit refunded
    canceled   not sent: reservation released, or debit refunded

A one-time code in the text is masked as soon as the SMS leaves the queue,
whoever moves it (Odoo's IAP writes its states directly): see ``write``.
"""

from odoo import api, models

from .intellipush_credit_wallet import Charge

# The state Odoo's trackers (notifications, campaign traces) show for ours.
# None leaves them as they are: an SMS claimed by the dispatch shows
# Processing once Intellipush may hold it without an answer (see
# ``_intellipush_handle_batch_error``), not for the moment its call takes.
TRACKER_STATE = {"process": None, "uncertain": "process"}


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _intellipush_set_state(self, state, failure_type=False, reason=None, values=None, values_per_sms=None):
        """Move these Intellipush SMS to ``state``: one write, their trackers, their credits.

        :param failure_type: Odoo's failure type for ``error`` and ``canceled``
        :param reason: the failure reason shown to people; None keeps the current one
        :param values: other fields written with the state (same for all)
        :param values_per_sms: ``{field: [value of each SMS, in order]}``,
            written with the state in the same UPDATE (Intellipush's id of each)
        """
        if not self:
            return
        vals = {"state": state, "failure_type": failure_type, **(values or {})}
        if reason is not None:
            vals["failure_reason"] = reason
        if state not in ("outgoing", "process"):
            vals.setdefault("intellipush_next_attempt_at", False)
        if state in ("error", "canceled", "sent"):
            vals.setdefault("intellipush_next_status_check_at", False)
        self.write(vals)
        if values_per_sms:
            self._intellipush_write_per_sms(values_per_sms)
        if state == "error" and failure_type == "sms_not_delivered":
            self._intellipush_trackers()._action_update_from_provider_error("not_delivered")
        elif tracker_state := TRACKER_STATE.get(state, state):
            self._intellipush_trackers()._action_update_from_sms_state(tracker_state, failure_type=failure_type)
        self._intellipush_settle_credits(state)

    def _intellipush_trackers(self):
        """These SMS's trackers (chatter notification, campaign trace), told
        apart from Odoo's IAP moves: the SMS Marketing bridge keeps a campaign
        sent in batches "Sending" until its last batch went."""
        return self.sms_tracker_id.with_context(intellipush_gateway=True)

    def _intellipush_write_per_sms(self, values_per_sms):
        """Write a value of its own to each SMS, as ``write`` writes one value
        to all: into the cache, marked for the flush, which sends it with the
        state in one UPDATE per 100 SMS. ``write`` would take the SMS one by one.
        For technical fields of the gateway, without constraints."""
        fnames = list(values_per_sms)
        self.modified(fnames, before=True)
        for fname, values in values_per_sms.items():
            field = self._fields[fname]
            cache_values = [field.convert_to_cache(value, record) for record, value in zip(self, values, strict=True)]
            self.env.cache.update(self, field, cache_values, dirty=True)
        self.modified(fnames)

    def _intellipush_set_failed(self, failure_type, reason):
        self._intellipush_set_state("error", failure_type=failure_type, reason=reason)

    # ------------------------------------------------------------
    # Credits, as the new state settles them
    # ------------------------------------------------------------

    def _intellipush_settle_credits(self, state):
        """Debit what Intellipush accepted; give back what will not go, or did not arrive.

        With ``intellipush_debit_later`` in the context (the dispatch applying
        Intellipush's answer), an accepted SMS keeps its reservation: the
        dispatch debits it right after, in a short transaction of its own
        (:meth:`_intellipush_debit_accepted`), so that the answer is recorded
        without waiting on the wallet's lock."""
        if state in ("pending", "sent"):
            if self.env.context.get("intellipush_debit_later"):
                return
            self._intellipush_debit_accepted()
        elif state in ("error", "canceled"):
            self._intellipush_release_credits()
            self.filtered(lambda sms: sms.credit_state == "debited")._intellipush_move_credits("_refund", "refunded")

    def _intellipush_debit_accepted(self):
        """Debit the reservations of those of these SMS that Intellipush accepted."""
        accepted = self.filtered(lambda sms: sms.state in ("pending", "sent") and sms.credit_state == "reserved")
        accepted._intellipush_move_credits("_debit", "debited")

    @api.model
    def _intellipush_debit_left_accepted(self):
        """The dispatch run's catch-up: accepted SMS whose debit did not
        follow their answer (a worker stopped in between) are debited now."""
        self.sudo().search(
            [("state", "in", ("pending", "sent")), ("credit_state", "=", "reserved")], order="id"
        )._intellipush_debit_accepted()

    def _intellipush_release_credits(self):
        """Give back the reservation of these SMS (or stop their wait for credits)."""
        waiting = self.filtered(lambda sms: sms.credit_state == "waiting")
        waiting.write({"credit_state": "released"})
        self.filtered(lambda sms: sms.credit_state == "reserved")._intellipush_move_credits("_release", "released")

    def _intellipush_move_credits(self, movement, credit_state):
        """Call the wallet ``movement`` for these SMS, company by company, then record their ``credit_state``."""
        for company, company_sms in self.sudo().grouped("company_id").items():
            wallet = self.env["intellipush.credit.wallet"]._for_company(company)
            if movement == "_refund":
                wallet._refund(company_sms.ids)
            else:
                getattr(wallet, movement)(company_sms._intellipush_charges())
        self.write({"credit_state": credit_state})

    def _intellipush_charges(self):
        return [Charge(sms.id, sms.credit_cost, sms.destination_country_id.id, sms.sms_segments) for sms in self]

    # ------------------------------------------------------------
    # One-time codes
    # ------------------------------------------------------------

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
