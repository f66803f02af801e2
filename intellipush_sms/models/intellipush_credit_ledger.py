from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round

CREDIT_DIGITS = (16, 4)
# What people read: credits with two decimals. The ledger stays exact (four);
# views pass ``digits="[16, 2]"`` and messages use the wallet's _format_credits.
CREDIT_DISPLAY_DIGITS = (16, 2)
# Entries whose credits went to SMS: debits out, refunds back.
CONSUMPTION_TYPES = ("debit", "refund")
# What the wallet writes in its rows (IntellipushCreditLedger._insert_entries).
INSERTED_COLUMNS = (
    "company_id",
    "wallet_id",
    "date",
    "entry_type",
    "amount",
    "reserved_amount",
    "lot_id",
    "sms_id",
    "country_id",
    "segments",
    "user_id",
    "reason",
)


class IntellipushCreditLedger(models.Model):
    """Append-only journal of every credit movement of a wallet.

    Two running sums come out of it: ``amount`` is what the lots hold
    (purchases and adjustments in, debits and expiry out), ``reserved_amount``
    what queued messages have set aside. The wallet and its lots keep these
    sums running, moved in the same transaction as each row is written; the
    rows stay the truth, which a daily check holds the running sums to.
    """

    _name = "intellipush.credit.ledger"
    _description = "SMS Credit Ledger Entry"
    _order = "date DESC, id DESC"
    _rec_name = "entry_type"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    wallet_id = fields.Many2one(
        "intellipush.credit.wallet", required=True, readonly=True, index=True, ondelete="restrict"
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    entry_type = fields.Selection(
        [
            ("purchase", "Purchase"),
            ("reservation", "Reservation"),
            ("release", "Release"),
            ("debit", "Debit"),
            ("refund", "Refund"),
            ("expiry", "Expiry"),
            ("adjustment", "Adjustment"),
        ],
        string="Type",
        required=True,
        readonly=True,
    )
    amount = fields.Float(
        "Credits",
        digits=CREDIT_DIGITS,
        readonly=True,
        help="Change of the credits held by the lots: positive for purchases, refunds and "
        "positive adjustments, negative for debits, expiry and negative adjustments.",
    )
    reserved_amount = fields.Float(
        "Reserved",
        digits=CREDIT_DIGITS,
        readonly=True,
        help="Change of the credits set aside for queued SMS.",
    )
    # No digits: a float column with the exact value, shown with two decimals.
    # Precomputed: written with the row, not by an UPDATE of every new row after it.
    consumed = fields.Float(
        "Credits Used",
        compute="_compute_consumed",
        store=True,
        precompute=True,
        help="Credits spent on SMS, positive: a debit counts, a refund counts back. Zero for other entries.",
    )
    lot_id = fields.Many2one("intellipush.credit.lot", readonly=True, index="btree_not_null", ondelete="restrict")
    sms_id = fields.Many2one("sms.sms", string="SMS", readonly=True, index="btree_not_null", ondelete="set null")
    country_id = fields.Many2one("res.country", string="Destination", readonly=True)
    segments = fields.Integer(readonly=True)
    user_id = fields.Many2one("res.users", string="By", readonly=True, default=lambda self: self.env.user)
    reason = fields.Char(readonly=True)

    @api.depends("entry_type", "amount")
    def _compute_consumed(self):
        for entry in self:
            entry.consumed = _consumed(entry.entry_type, entry.amount)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("intellipush_wallet_entry"):
            raise UserError(_("Credit ledger entries are written by the wallet only."))
        entries = super().create(vals_list)
        self._entries_recorded(vals_list)
        return entries

    @api.model
    def _insert_entries(self, vals_list):
        """Append ``vals_list`` in one INSERT, as ``create`` would write them,
        and move the running balances. The wallet's path (``_record``): a
        campaign writes a reservation and a debit per SMS, and the ORM's create
        costs more per row than the dispatch of that SMS. Values are those of
        :data:`INSERTED_COLUMNS` only; ``create`` stays for everything else."""
        if not vals_list:
            return self.browse()
        if unknown := {key for vals in vals_list for key in vals} - set(INSERTED_COLUMNS):
            raise ValueError(f"Ledger columns not inserted in SQL: {sorted(unknown)}")
        now, uid = fields.Datetime.now(), self.env.uid
        digits = CREDIT_DIGITS[1]
        amounts = [float_round(vals.get("amount") or 0.0, precision_digits=digits) for vals in vals_list]
        # A column an array: one statement for the batch, not a fragment per row.
        columns = {
            "company_id": ("int4", [vals["company_id"] for vals in vals_list]),
            "wallet_id": ("int4", [vals["wallet_id"] for vals in vals_list]),
            "date": ("timestamp", [vals.get("date") or now for vals in vals_list]),
            "entry_type": ("varchar", [vals["entry_type"] for vals in vals_list]),
            "amount": ("numeric", amounts),
            "reserved_amount": (
                "numeric",
                [float_round(vals.get("reserved_amount") or 0.0, precision_digits=digits) for vals in vals_list],
            ),
            "consumed": (
                "float8",
                [_consumed(vals["entry_type"], amount) for vals, amount in zip(vals_list, amounts, strict=True)],
            ),
            "lot_id": ("int4", [vals.get("lot_id") or None for vals in vals_list]),
            "sms_id": ("int4", [vals.get("sms_id") or None for vals in vals_list]),
            "country_id": ("int4", [vals.get("country_id") or None for vals in vals_list]),
            "segments": ("int4", [vals.get("segments") or 0 for vals in vals_list]),
            "user_id": ("int4", [vals.get("user_id") or uid for vals in vals_list]),
            "reason": ("varchar", [vals.get("reason") or None for vals in vals_list]),
        }
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO intellipush_credit_ledger (%s, create_uid, create_date, write_uid, write_date)
                SELECT *, %s, %s, %s, %s FROM unnest(%s)
             RETURNING id
                """,
                SQL(", ").join(SQL.identifier(name) for name in columns),
                uid,
                now,
                uid,
                now,
                SQL(", ").join(SQL(f"%s::{column_type}[]", values) for column_type, values in columns.values()),
            )
        )
        entries = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.env["intellipush.credit.lot"].browse(
            {vals["lot_id"] for vals in vals_list if vals.get("lot_id")}
        ).invalidate_recordset(["ledger_ids"])
        self._entries_recorded(vals_list)
        return entries

    def _entries_recorded(self, vals_list):
        vals_by_wallet = defaultdict(list)
        for vals in vals_list:
            vals_by_wallet[vals["wallet_id"]].append(vals)
        for wallet_id, wallet_vals in vals_by_wallet.items():
            self.env["intellipush.credit.wallet"].sudo().browse(wallet_id)._entries_recorded(wallet_vals)

    def write(self, vals):
        raise UserError(_("The credit ledger is append-only: entries cannot be changed. Record an adjustment instead."))

    def unlink(self):
        raise UserError(_("The credit ledger is append-only: entries cannot be deleted. Record an adjustment instead."))


def _consumed(entry_type, amount):
    """Credits an entry spent on SMS, positive: a debit counts, a refund counts back."""
    return -amount if entry_type in CONSUMPTION_TYPES else 0.0
