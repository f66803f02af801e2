"""The wallet's running balances held to the ledger: the daily check that
compares them with the ledger's sums, tells the SMS managers of a
difference, and rebuilds them from the ledger (also what the upgrade to
18.0.1.3.0 starts from).
"""

import logging
from collections import namedtuple
from functools import partial

from odoo import api, models

from ..tools.credits import to_credits
from .intellipush_credit_wallet import FIGURES

# A running balance that is not the ledger's sum: ``figure`` is "balance",
# "reserved" (the wallet's) or "remaining" (the lot's of ``lot_id``).
RunningMismatch = namedtuple("RunningMismatch", "wallet_id lot_id figure running ledger")

_logger = logging.getLogger(__name__)


class IntellipushCreditWallet(models.Model):
    _inherit = "intellipush.credit.wallet"

    def _ledger_sums(self):
        """(credits, reserved) summed over the whole ledger: the truth the
        running balances are checked against, never read by a movement."""
        self.ensure_one()
        self.env["intellipush.credit.ledger"].flush_model()
        self.env.cr.execute(
            "SELECT COALESCE(SUM(amount), 0), COALESCE(SUM(reserved_amount), 0)"
            "  FROM intellipush_credit_ledger WHERE wallet_id = %s",
            [self.id],
        )
        balance, reserved = self.env.cr.fetchone()
        return to_credits(balance), to_credits(reserved)

    # ------------------------------------------------------------
    # The running balances against the ledger
    # ------------------------------------------------------------

    def _running_balance_mismatches(self):
        """[:class:`RunningMismatch`] of these wallets and their lots: where a
        running balance is not the sum of the ledger. Empty when all is well."""
        if not self.ids:
            return []
        self.env["intellipush.credit.ledger"].flush_model()
        self.env.cr.execute(
            """
            SELECT wallet.id, wallet.running_balance, wallet.running_reserved,
                   COALESCE(SUM(entry.amount), 0), COALESCE(SUM(entry.reserved_amount), 0)
              FROM intellipush_credit_wallet wallet
         LEFT JOIN intellipush_credit_ledger entry ON entry.wallet_id = wallet.id
             WHERE wallet.id IN %s
          GROUP BY wallet.id
            """,
            [tuple(self.ids)],
        )
        mismatches = []
        for wallet_id, running_balance, running_reserved, balance, reserved in self.env.cr.fetchall():
            for figure, running, ledger in (
                ("balance", running_balance, balance),
                ("reserved", running_reserved, reserved),
            ):
                if running is None or to_credits(running) != to_credits(ledger):
                    mismatches.append(RunningMismatch(wallet_id, None, figure, running, to_credits(ledger)))
        self.env.cr.execute(
            """
            SELECT lot.wallet_id, lot.id, lot.running_remaining, COALESCE(SUM(entry.amount), 0)
              FROM intellipush_credit_lot lot
         LEFT JOIN intellipush_credit_ledger entry ON entry.lot_id = lot.id
             WHERE lot.wallet_id IN %s
          GROUP BY lot.id
            HAVING lot.running_remaining IS DISTINCT FROM COALESCE(SUM(entry.amount), 0)
          ORDER BY lot.id
            """,
            [tuple(self.ids)],
        )
        mismatches += [
            RunningMismatch(wallet_id, lot_id, "remaining", running, to_credits(ledger))
            for wallet_id, lot_id, running, ledger in self.env.cr.fetchall()
        ]
        return [
            mismatch._replace(running=None if mismatch.running is None else to_credits(mismatch.running))
            for mismatch in mismatches
        ]

    def _check_running_balances(self, repair=False):
        """The running balances of these wallets against their ledger. A
        mismatch means credits moved outside ``_record``: it is logged and the
        wallet's SMS managers get an activity; with ``repair``, the wallet is
        then rebuilt from the ledger. Returns the mismatches."""
        mismatches = self._running_balance_mismatches()
        for wallet in self.browse(sorted({mismatch.wallet_id for mismatch in mismatches})):
            wallet._report_running_balance_mismatches(
                [mismatch for mismatch in mismatches if mismatch.wallet_id == wallet.id], repair
            )
            if repair:
                wallet._recompute_running_balances()
                wallet._check_low_balance()
        return mismatches

    def _report_running_balance_mismatches(self, mismatches, repaired):
        self.ensure_one()
        _logger.error(
            "SMS credit wallet %s (%s): running balances differ from the ledger%s: %s",
            self.id,
            self.company_id.name,
            ", rebuilt from it" if repaired else "",
            "; ".join(
                f"{m.figure} (lot {m.lot_id or '-'}): {m.running} kept, {m.ledger} in the ledger" for m in mismatches
            ),
        )
        labels = {"balance": self.env._("Credits"), "reserved": self.env._("Reserved")}
        Lot = self.env["intellipush.credit.lot"]
        differences = "; ".join(
            self.env._(
                "%(figure)s: %(running)s kept, %(ledger)s in the ledger",
                figure=labels.get(mismatch.figure) or Lot.browse(mismatch.lot_id).name,
                running=mismatch.running,
                ledger=mismatch.ledger,
            )
            for mismatch in mismatches
        )
        if repaired:
            note = self.env._(
                "The credit balances kept on this wallet differed from its ledger (%s). They have been "
                "rebuilt from the ledger, which is the truth. Please report this to your Odoo partner.",
                differences,
            )
        else:
            note = self.env._(
                "The credit balances kept on this wallet differ from its ledger (%s). The ledger is the "
                "truth: the daily check rebuilds them from it. Please report this to your Odoo partner.",
                differences,
            )
        summary = self.env._("SMS credits differ from the ledger")
        self._schedule_for_managers("intellipush_sms.mail_activity_type_credits_mismatch", summary, note)

    def _recompute_running_balances(self):
        """Set the running balances of these wallets and their lots to the
        ledger's sums: what an upgrade starts from and a mismatch is repaired with."""
        if not self.ids:
            return
        for wallet in self:
            wallet._lock()
        self.env["intellipush.credit.ledger"].flush_model()
        self.env["intellipush.credit.lot"].flush_model()
        self.env.cr.execute(
            """
            UPDATE intellipush_credit_wallet wallet
               SET running_balance = sums.balance, running_reserved = sums.reserved
              FROM (SELECT inner_wallet.id,
                           COALESCE(SUM(entry.amount), 0) AS balance,
                           COALESCE(SUM(entry.reserved_amount), 0) AS reserved
                      FROM intellipush_credit_wallet inner_wallet
                 LEFT JOIN intellipush_credit_ledger entry ON entry.wallet_id = inner_wallet.id
                     WHERE inner_wallet.id IN %(ids)s
                  GROUP BY inner_wallet.id) AS sums
             WHERE wallet.id = sums.id
            """,
            {"ids": tuple(self.ids)},
        )
        self.env.cr.execute(
            """
            UPDATE intellipush_credit_lot lot
               SET running_remaining = sums.remaining
              FROM (SELECT inner_lot.id, COALESCE(SUM(entry.amount), 0) AS remaining
                      FROM intellipush_credit_lot inner_lot
                 LEFT JOIN intellipush_credit_ledger entry ON entry.lot_id = inner_lot.id
                     WHERE inner_lot.wallet_id IN %(ids)s
                  GROUP BY inner_lot.id) AS sums
             WHERE lot.id = sums.id
            """,
            {"ids": tuple(self.ids)},
        )
        self.invalidate_recordset(["running_balance", "running_reserved", *FIGURES])
        self.env["intellipush.credit.lot"].invalidate_model(["running_remaining", "remaining", "state"])

    @api.model
    def _cron_intellipush_check_running_balances(self):
        """Daily: each wallet's running balances against its ledger. One that
        differs is reported and rebuilt, under its lock, in a batch of its own."""
        runner = self.env["intellipush.cron.runner"]
        for wallet in self.sudo().search([]):
            runner._run_batch(partial(wallet._check_running_balances, repair=True))
