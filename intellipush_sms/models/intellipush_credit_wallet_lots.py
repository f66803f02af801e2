"""Credits coming in and going out by lot: a purchase (a new lot), a manual
adjustment of a lot, and the daily expiry of what is left on lots past their
date. Each moves credits through the wallet's one boundary (``_record``,
under ``_lock``).
"""

from functools import partial

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.credits import ZERO, to_credits


class IntellipushCreditWallet(models.Model):
    _inherit = "intellipush.credit.wallet"

    def _credits_added(self):
        """Credits came in: the dispatch reserves them for the SMS waiting, oldest first."""
        self._check_low_balance()
        self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch")._trigger()

    def _purchase(self, quantity, price_total, currency, purchase_date=None):
        """Record bought credits as a new lot, then let waiting SMS go."""
        self.ensure_one()
        quantity = to_credits(quantity)
        if quantity <= 0:
            raise UserError(_("Buy a positive number of credits."))
        self._lock()
        lot = (
            self.env["intellipush.credit.lot"]
            .sudo()
            .create(
                {
                    "company_id": self.company_id.id,
                    "wallet_id": self.id,
                    "quantity": float(quantity),
                    "price_total": price_total,
                    "currency_id": currency.id,
                    "purchase_date": purchase_date or fields.Date.context_today(self),
                }
            )
        )
        self._record([{"entry_type": "purchase", "amount": float(quantity), "lot_id": lot.id}])
        self._credits_added()
        return lot

    def _adjust(self, lot, amount, reason):
        """Manual correction of a lot, with a reason; never below what is free to take."""
        self.ensure_one()
        amount = to_credits(amount)
        if not reason:
            raise UserError(_("A credit adjustment needs a reason."))
        self._lock()
        if amount < 0:
            lot_remaining = dict(self._lots_with_credits()).get(lot.id, ZERO)
            if -amount > min(lot_remaining, self._available()):
                raise UserError(_("This adjustment would take more credits than are free in this lot."))
        self._record([{"entry_type": "adjustment", "amount": float(amount), "lot_id": lot.id, "reason": reason}])
        if amount > 0:
            self._credits_added()
        else:
            self._check_low_balance()

    @api.model
    def _cron_intellipush_expire_credits(self):
        """Daily: expire what is left on lots past their date.

        Credits already reserved for queued SMS when their lot expires are
        kept for those SMS: only what is free expires. Each wallet in a batch
        of its own, retried when the dispatch moved its credits meanwhile.
        """
        today = fields.Date.context_today(self)
        runner = self.env["intellipush.cron.runner"]
        for wallet in self.sudo().search([]):
            runner._run_batch(partial(wallet._expire_free_credits, today))

    def _expire_free_credits(self, today):
        """Expire what is free on this wallet's lots whose date has come (``today``)."""
        for wallet in self:
            wallet._lock()
            free = wallet._available()
            remaining = dict(wallet._lots_with_credits())
            lots = self.env["intellipush.credit.lot"].browse(list(remaining))
            entries = []
            for lot in lots.filtered(lambda lot: lot.expiry_date <= today):
                expiring = min(remaining[lot.id], free)
                if expiring <= 0:
                    continue
                free -= expiring
                entries.append(
                    {
                        "entry_type": "expiry",
                        "amount": -float(expiring),
                        "lot_id": lot.id,
                        "reason": _("Credits valid until %s", lot.expiry_date),
                    }
                )
            if entries:
                wallet._record(entries)
                wallet._check_low_balance()
