"""The prepaid credit wallet of a company.

Every movement is a row of the append-only ledger, and moves the running
balances of the wallet and of its lots by as much in the same transaction, so
that a movement costs what its batch costs, never what the ledger holds. The
wallet row is updated by each movement so that two transactions moving credits
of one wallet can never both commit (PostgreSQL refuses the second with a
serialization failure, which Odoo's request and cron runners retry). That is
what keeps the balance from ever going negative, and the running balances
equal to the ledger's sums, which a daily check confirms
(``intellipush_credit_wallet_check.py``).
"""

from collections import defaultdict, namedtuple
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from ..tools.credits import ZERO, allocate, to_credits
from .intellipush_credit_ledger import CREDIT_DIGITS, CREDIT_DISPLAY_DIGITS

# What a movement is about: one SMS, the credits at stake, where it goes.
Charge = namedtuple("Charge", "sms_id cost country_id segments")
# The wallet's verdict on one reservation request (see ``_reserve``).
Reservation = namedtuple("Reservation", "credit_state cost country problem")
# The computed figures that read the running balances: stale once they move.
FIGURES = ("balance", "reserved", "available", "expiring_30", "expiring_90")


class IntellipushCreditWallet(models.Model):
    _name = "intellipush.credit.wallet"
    _description = "SMS Credit Wallet"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _rec_name = "company_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    low_balance_threshold = fields.Float(
        "Low Balance Alert",
        digits=CREDIT_DIGITS,
        default=100.0,
        tracking=True,
        help="SMS managers get an activity when the available credits fall below this.",
    )
    low_balance_alerted = fields.Boolean(readonly=True, copy=False)
    # Kept by ``_record`` only, in SQL and under ``_lock``: never written through the ORM.
    running_balance = fields.Float(
        digits=CREDIT_DIGITS,
        readonly=True,
        default=0.0,
        copy=False,
        help="The sum of the ledger's credits, moved by each movement.",
    )
    running_reserved = fields.Float(
        digits=CREDIT_DIGITS,
        readonly=True,
        default=0.0,
        copy=False,
        help="The sum of the ledger's reservations, moved by each movement.",
    )
    balance = fields.Float("Credits", digits=CREDIT_DIGITS, compute="_compute_figures")
    reserved = fields.Float(digits=CREDIT_DIGITS, compute="_compute_figures")
    available = fields.Float(digits=CREDIT_DIGITS, compute="_compute_figures")
    expiring_30 = fields.Float("Expiring in 30 Days", digits=CREDIT_DIGITS, compute="_compute_figures")
    expiring_90 = fields.Float("Expiring in 90 Days", digits=CREDIT_DIGITS, compute="_compute_figures")
    waiting_sms_count = fields.Integer("SMS Waiting for Credits", compute="_compute_figures")
    lot_ids = fields.One2many("intellipush.credit.lot", "wallet_id", string="Lots")

    _sql_constraints = [
        ("company_unique", "unique(company_id)", "A company has one SMS credit wallet."),
    ]

    def _compute_figures(self):
        today = fields.Date.context_today(self)
        for wallet in self:
            balance, reserved = wallet._sums()
            expiring = wallet._expiring_by_horizon(today, (30, 90))
            wallet.balance = float(balance)
            wallet.reserved = float(reserved)
            wallet.available = float(balance - reserved)
            wallet.expiring_30 = float(expiring[30])
            wallet.expiring_90 = float(expiring[90])
            wallet.waiting_sms_count = (
                self.env["sms.sms"]
                .sudo()
                .search_count(
                    [
                        ("company_id", "=", wallet.company_id.id),
                        ("credit_state", "=", "waiting"),
                        ("state", "=", "outgoing"),
                    ]
                )
            )

    # ------------------------------------------------------------
    # Figures, from the running balances
    # ------------------------------------------------------------

    @api.model
    def _for_company(self, company):
        wallet = self.sudo().search([("company_id", "=", company.id)])
        return wallet or self.sudo().create({"company_id": company.id})

    def _sums(self):
        """(credits held by the lots, credits reserved) as exact Decimals: the
        running balances, one row to read however long the ledger."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT running_balance, running_reserved FROM intellipush_credit_wallet WHERE id = %s",
            [self.id],
        )
        balance, reserved = self.env.cr.fetchone()
        return to_credits(balance), to_credits(reserved)

    def _available(self):
        balance, reserved = self._sums()
        return balance - reserved

    def _lots_with_credits(self):
        """[(lot id, Decimal remaining)] in consumption order: first to expire first.
        Reads the lots' running remaining: empty lots are not even visited."""
        self.ensure_one()
        # A lot bought in this transaction has its expiry date still to compute.
        self.env["intellipush.credit.lot"].flush_model(["wallet_id", "expiry_date"])
        self.env.cr.execute(
            """
            SELECT id, running_remaining
              FROM intellipush_credit_lot
             WHERE wallet_id = %s AND running_remaining > 0
          ORDER BY expiry_date, id
            """,
            [self.id],
        )
        return [(lot_id, to_credits(remaining)) for lot_id, remaining in self.env.cr.fetchall()]

    def _expiring_by_horizon(self, today, horizons):
        remaining = dict(self._lots_with_credits())
        lots = self.env["intellipush.credit.lot"].browse(list(remaining))
        return {
            days: sum((remaining[lot.id] for lot in lots if lot.expiry_date <= today + timedelta(days=days)), ZERO)
            for days in horizons
        }

    # ------------------------------------------------------------
    # What people read
    # ------------------------------------------------------------

    def _format_credits(self, credits):
        """Credits as people read them in their language: two decimals, a
        decimal comma and grouped thousands in Norwegian ("4 978,89")."""
        return formatLang(self.env, float(credits), digits=CREDIT_DISPLAY_DIGITS[1])

    # ------------------------------------------------------------
    # Movements: the one boundary where credits move. Each takes plain
    # requests or charges and returns verdicts; none reads or writes an SMS.
    # ------------------------------------------------------------

    def _lock(self):
        """Serialise credit movements of this wallet (see the module docstring)."""
        self.ensure_one()
        # A concurrent movement fails this with a serialization error that
        # the caller's retry expects: not an error worth a line in the log.
        self.env.cr.execute(
            "UPDATE intellipush_credit_wallet SET write_date = %s WHERE id = %s",
            [fields.Datetime.now(), self.id],
            log_exceptions=False,
        )

    def _record(self, vals_list):
        """Append ``vals_list`` to the ledger, which moves the running balances
        of the wallet and of the lots concerned by as much (see
        :meth:`_entries_recorded`). The caller holds ``_lock``."""
        self.ensure_one()
        for vals in vals_list:
            vals.setdefault("wallet_id", self.id)
            vals.setdefault("company_id", self.company_id.id)
        return self.env["intellipush.credit.ledger"].sudo()._insert_entries(vals_list)

    def _entries_recorded(self, vals_list):
        """The ledger wrote ``vals_list`` for this wallet: move its running
        balances and its lots' by exactly as much. Called by the ledger for
        every row it creates, so that no row (demo data included) is missed."""
        self.ensure_one()
        balance_change = reserved_change = ZERO
        change_by_lot = defaultdict(lambda: ZERO)
        for vals in vals_list:
            amount = to_credits(vals.get("amount"))
            balance_change += amount
            reserved_change += to_credits(vals.get("reserved_amount"))
            if vals.get("lot_id"):
                change_by_lot[vals["lot_id"]] += amount
        self._move_running_balances(balance_change, reserved_change, change_by_lot)

    def _move_running_balances(self, balance_change, reserved_change, change_by_lot):
        """Add exact Decimal changes to the running balances, in SQL: numeric
        columns add up without a float ever entering the sum."""
        if balance_change or reserved_change:
            self.env.cr.execute(
                """
                UPDATE intellipush_credit_wallet
                   SET running_balance = running_balance + %s, running_reserved = running_reserved + %s
                 WHERE id = %s
                """,
                [balance_change, reserved_change, self.id],
            )
            self.invalidate_recordset(["running_balance", "running_reserved", *FIGURES])
        if change_by_lot := {lot_id: change for lot_id, change in change_by_lot.items() if change}:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE intellipush_credit_lot lot
                       SET running_remaining = lot.running_remaining + change.amount
                      FROM (VALUES %s) AS change(lot_id, amount)
                     WHERE lot.id = change.lot_id AND lot.wallet_id = %s
                    """,
                    SQL(", ").join(SQL("(%s, %s::numeric)", *change) for change in change_by_lot.items()),
                    self.id,
                )
            )
            self.env["intellipush.credit.lot"].browse(list(change_by_lot)).invalidate_recordset(
                ["running_remaining", "remaining", "state"]
            )

    def _reserve(self, requests):
        """Stage reserve: set credits aside for ``[(sms id, number, segments)]``,
        in order, as far as the balance goes.

        Returns one :class:`Reservation` per request: ``reserved``; ``waiting``
        for credits (its ``problem`` says how many are missing); ``blocked``,
        a destination the rates do not enable; or ``none``, an invalid number,
        which costs nothing and fails at dispatch with the number's problem.
        """
        self.ensure_one()
        quotes = self.env["intellipush.credit.rate"]._quote(
            self.company_id, [(number, segments) for _sms_id, number, segments in requests]
        )
        self._lock()
        available = self._available()
        entries, verdicts = [], []
        for (sms_id, _number, _segments), quote in zip(requests, quotes, strict=True):
            if quote.cost is None:
                credit_state = "blocked" if quote.e164 else "none"
                verdicts.append(Reservation(credit_state, ZERO, quote.country, quote.problem))
            elif quote.cost <= available:
                available -= quote.cost
                verdicts.append(Reservation("reserved", quote.cost, quote.country, None))
                entries.append(
                    {
                        "entry_type": "reservation",
                        "reserved_amount": float(quote.cost),
                        "sms_id": sms_id,
                        "country_id": quote.country.id,
                        "segments": quote.segments,
                    }
                )
            else:
                verdicts.append(Reservation("waiting", quote.cost, quote.country, None))
        self._record(entries)
        if needed := sum((verdict.cost for verdict in verdicts if verdict.credit_state == "waiting"), ZERO):
            waiting_reason = _(
                "Waiting for SMS credits: %(needed)s needed, %(available)s available. "
                "It is sent as soon as credits are bought.",
                needed=self._format_credits(needed),
                available=self._format_credits(available),
            )
            verdicts = [
                verdict._replace(problem=waiting_reason) if verdict.credit_state == "waiting" else verdict
                for verdict in verdicts
            ]
            self._notify_waiting()
        self._check_low_balance()
        return verdicts

    def _debit(self, charges):
        """Consume the reservations of ``charges`` (SMS Intellipush accepted) from the lots, first to expire first."""
        self.ensure_one()
        if not charges:
            return
        self._lock()
        lots = self._lots_with_credits()
        entries = []
        for charge in charges:
            taken_by_lot = allocate(charge.cost, lots)
            lots = _deduct(lots, taken_by_lot)
            entries += [
                {
                    "entry_type": "debit",
                    "amount": -float(taken),
                    "reserved_amount": -float(taken),
                    "lot_id": lot_id,
                    "sms_id": charge.sms_id,
                    "country_id": charge.country_id,
                    "segments": charge.segments,
                }
                for lot_id, taken in taken_by_lot
            ]
        self._record(entries)
        self._check_low_balance()

    def _release(self, charges):
        """Give back the reservations of ``charges`` that will not be sent (failed, cancelled, re-priced)."""
        self.ensure_one()
        if not charges:
            return
        self._lock()
        self._record(
            [
                {
                    "entry_type": "release",
                    "reserved_amount": -float(charge.cost),
                    "sms_id": charge.sms_id,
                    "country_id": charge.country_id,
                    "segments": charge.segments,
                }
                for charge in charges
            ]
        )

    def _refund(self, sms_ids):
        """Put back on their lots the credits debited for the SMS of ``sms_ids``
        (not delivered, withdrawn): exactly what their debit entries took."""
        self.ensure_one()
        if not sms_ids:
            return
        self._lock()
        debits = (
            self.env["intellipush.credit.ledger"]
            .sudo()
            .search([("sms_id", "in", list(sms_ids)), ("entry_type", "=", "debit")])
        )
        self._record(
            [
                {
                    "entry_type": "refund",
                    "amount": -debit.amount,
                    "lot_id": debit.lot_id.id,
                    "sms_id": debit.sms_id.id,
                    "country_id": debit.country_id.id,
                    "segments": debit.segments,
                    "reason": self.env._("Not delivered"),
                }
                for debit in debits
            ]
        )


def _deduct(lots, taken_by_lot):
    taken = dict(taken_by_lot)
    return [(lot_id, remaining - taken.get(lot_id, ZERO)) for lot_id, remaining in lots]
