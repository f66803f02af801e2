"""Stages price and reserve of the gateway: a new Intellipush SMS is priced
(its segments, its destination's rate) and its credits are set aside in the
wallet before the dispatch may claim it.

Creating an SMS does not queue it. It is queued by :meth:`_intellipush_queue`,
once for a whole batch: from ``send`` (Odoo's entry point), from
``mail.thread._intellipush_post_sms``, from the composer, and, for any SMS
left unpriced (created for Odoo's own queue), by the dispatch run itself.
A queued text changes only through :meth:`_intellipush_change_text`, which
prices it again.
"""

from odoo import api, models
from odoo.tools import SQL

from ..tools.credits import to_credits


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _intellipush_queue(self):
        """Price and reserve these new SMS (the Intellipush ones), then wake the dispatch.

        With ``intellipush_reserve_in_dispatch`` in the context (a campaign
        committed chunk by chunk while the dispatch sends), the dispatch run
        reserves them: the worker that debits the wallet, instead of each
        chunk's long transaction competing with it for the wallet's lock.
        They are not due before they are reserved."""
        intellipush = self._intellipush_split()[0].filtered(lambda sms: sms.state == "outgoing" and not sms.to_delete)
        if not self.env.context.get("intellipush_reserve_in_dispatch"):
            intellipush._intellipush_reserve_credits()
        if intellipush:
            self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch")._trigger()
        return self

    def _intellipush_reserve_credits(self):
        """Ask the wallet to set credits aside for those queued and not reserved
        yet (new, waiting for credits, queued again), and record its verdicts."""
        to_price = self.sudo().filtered(
            lambda sms: sms.state == "outgoing" and not sms.to_delete and sms.credit_state != "reserved"
        )
        for company, company_sms in to_price.grouped("company_id").items():
            wallet = self.env["intellipush.credit.wallet"]._for_company(company)
            verdicts = wallet._reserve([(sms.id, sms.number, sms.sms_segments) for sms in company_sms])
            company_sms._intellipush_apply_reservations(verdicts)

    def _intellipush_apply_reservations(self, verdicts):
        """Record the wallet's :class:`Reservation` verdicts, one write per distinct verdict."""
        was_waiting = self.filtered(lambda sms: sms.credit_state == "waiting")
        verdict_by_sms = dict(zip(self, verdicts, strict=True))
        for verdict, records in self.grouped(verdict_by_sms.get).items():
            if verdict.credit_state == "blocked":
                records.write({"credit_cost": 0.0, "credit_state": "none"})
                records._intellipush_set_failed("sms_country_not_supported", verdict.problem)
                continue
            vals = {
                "credit_cost": float(verdict.cost),
                "credit_state": verdict.credit_state,
                "destination_country_id": verdict.country.id if verdict.country else False,
            }
            if verdict.credit_state == "waiting":
                vals["failure_reason"] = verdict.problem
            records.write(vals)
            if verdict.credit_state == "reserved" and records & was_waiting:
                (records & was_waiting).write({"failure_reason": False})

    @api.model
    def _intellipush_reserve_unpriced(self, companies=None):
        """Stage reserve after a purchase: SMS created without being queued
        (left for Odoo's queue) and SMS waiting for credits, oldest first.
        Returns those reserved now."""
        unpriced = self.sudo().browse(self._intellipush_unpriced_ids(companies))
        return unpriced._intellipush_reserve_selected()

    @api.model
    def _intellipush_reserve_unpriced_in_slices(self, slice_size, waiting_only=False):
        """What ``_intellipush_reserve_unpriced`` reserves, ``slice_size`` SMS
        at a time, each slice committed and then dropped from the cache, so
        that a 100,000-SMS campaign is never held in memory at once nor in one
        long transaction on the wallet's lock. The dispatch run passes
        ``waiting_only``: those not priced yet are reserved by the claim that
        takes them. Returns how many were reserved."""
        runner = self.env["intellipush.cron.runner"]
        reserved = after_id = 0
        while ids := self._intellipush_unpriced_ids(after_id=after_id, limit=slice_size, waiting_only=waiting_only):
            reserved += len(runner._run_batch(lambda ids=ids: self.sudo().browse(ids)._intellipush_reserve_selected()))
            after_id = ids[-1]
            if runner._commits():
                self.env.invalidate_all()
        return reserved

    @api.model
    def _intellipush_unpriced_ids(self, companies=None, after_id=0, limit=None, waiting_only=False):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT sms.id
                  FROM sms_sms sms
                  JOIN res_company company ON company.id = sms.company_id
                 WHERE sms.state = 'outgoing'
                   AND sms.to_delete IS NOT TRUE
                   AND company.sms_provider = 'intellipush'
                   AND (sms.credit_state = 'waiting' OR (sms.credit_state IS NULL AND NOT %s))
                   AND sms.id > %s
                   AND %s
              ORDER BY sms.id
                 LIMIT %s
                """,
                waiting_only,
                after_id,
                SQL("company.id IN %s", tuple(companies.ids)) if companies else SQL("TRUE"),
                limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _intellipush_reserve_selected(self):
        """Reserve these unpriced SMS; tell the wallets whose waiting SMS all went."""
        self._intellipush_reserve_credits()
        reserved = self.filtered(lambda sms: sms.credit_state == "reserved")
        still_waiting = self.filtered(lambda sms: sms.credit_state == "waiting").company_id
        for company in self.company_id - still_waiting:
            self.env["intellipush.credit.wallet"]._for_company(company)._waiting_resolved()
        return reserved

    # ------------------------------------------------------------
    # Text changes
    # ------------------------------------------------------------

    def _intellipush_change_text(self, body_by_sms):
        """Give these SMS new texts (``{sms: text}``); those queued are priced
        again where the new text or number costs something else than what is
        set aside (a longer link that stays within its segments does not), so
        that a rewrite of many texts does not churn the ledger."""
        for body, records in self.grouped(body_by_sms.get).items():
            records.write({"body": body})
        priced = self.filtered(lambda sms: sms.state == "outgoing" and sms.credit_state in ("reserved", "waiting"))
        repriced = priced._intellipush_with_changed_cost()
        repriced._intellipush_release_credits()
        repriced._intellipush_reserve_credits()

    def _intellipush_with_changed_cost(self):
        """Those whose text or number now costs something else than what is set aside."""
        changed = self.browse()
        rate_model = self.env["intellipush.credit.rate"]
        for company, company_sms in self.grouped("company_id").items():
            quotes = rate_model._quote(company, [(sms.number, sms.sms_segments) for sms in company_sms])
            for sms, quote in zip(company_sms, quotes, strict=True):
                if (
                    sms.credit_state == "waiting"
                    or quote.cost is None
                    or to_credits(sms.credit_cost) != quote.cost
                    or quote.country != sms.destination_country_id
                ):
                    changed |= sms
        return changed
