import importlib.util
import os
import re
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.intellipush_credit_wallet import Charge
from .common import IntellipushCase

# A query that reads ledger rows (a sum, a scan), not one writing a movement's own.
READS_LEDGER = re.compile(r'\b(FROM|JOIN)\s+"?intellipush_credit_ledger\b', re.IGNORECASE)
MIGRATION = os.path.join(os.path.dirname(__file__), "..", "migrations", "18.0.1.3.0", "post-migrate.py")


@tagged("post_install", "-at_install", "intellipush")
class TestCreditRunningBalances(IntellipushCase):
    """The wallet and its lots keep running balances: each movement moves them,
    they always equal the ledger's sums, and a movement never reads the ledger."""

    def assertRunningBalancesMatchLedger(self, wallet=None):
        wallet = wallet or self.wallet
        self.assertEqual(wallet._running_balance_mismatches(), [])
        self.assertEqual(wallet._sums(), wallet._ledger_sums())
        lots = wallet._lots_with_credits()
        self.assertEqual(sum((left for _lot, left in lots), Decimal(0)), wallet._sums()[0], "lots add up")

    def _pad_ledger(self, count):
        """``count`` more ledger entries that leave every balance as it was."""
        lot = self.wallet.lot_ids[0]
        entries = []
        for index in range(count // 4):
            entries += [
                {"entry_type": "adjustment", "amount": 0.0001, "lot_id": lot.id, "reason": f"padding {index}"},
                {"entry_type": "adjustment", "amount": -0.0001, "lot_id": lot.id, "reason": f"padding {index}"},
                {"entry_type": "reservation", "reserved_amount": 0.0001},
                {"entry_type": "release", "reserved_amount": -0.0001},
            ]
        self.wallet._lock()
        self.wallet._record(entries)

    def _reserve_and_debit(self, count=20):
        """The queries of a batch of ``count`` SMS reserved then debited."""
        self.env.invalidate_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logged:
            verdicts = self.wallet._reserve([(None, "41234567", 1)] * count)
            self.wallet._debit(
                [Charge(None, verdict.cost, verdict.country.id, 1) for verdict in verdicts],
            )
            self.env.flush_all()
        self.assertEqual({verdict.credit_state for verdict in verdicts}, {"reserved"})
        return [line for line in logged.output if "query:" in line]

    def test_every_kind_of_movement_moves_the_running_balances(self):
        self.assertRunningBalancesMatchLedger()  # purchase
        delivered, refused, undelivered, cancelled = self._queue_sms(["41234567", "93456789", "98765432", "41234568"])
        self.assertRunningBalancesMatchLedger()  # reservation
        cancelled.action_set_canceled()
        self.assertRunningBalancesMatchLedger()  # release
        self.sandbox.set_number_outcome("0047", "93456789", "reject_invalid")
        self._process_queue()
        self.assertEqual((delivered.credit_state, refused.credit_state), ("debited", "released"))
        self.assertRunningBalancesMatchLedger()  # debit and release
        debit = self.env["intellipush.credit.ledger"].search(
            [("sms_id", "=", delivered.id), ("entry_type", "=", "debit")]
        )
        self.assertEqual(debit.consumed, 1.1112, "written with the row")
        self.sandbox.fail([undelivered.intellipush_id])
        self.sandbox.deliver([delivered.intellipush_id])
        self._poll_status_now()
        self.assertEqual(undelivered.credit_state, "refunded")
        self.assertRunningBalancesMatchLedger()  # refund
        lot = self.wallet.lot_ids[0]
        self.wallet._adjust(lot, -10, "test: counted again")
        self.wallet._adjust(lot, Decimal("2.5"), "test: counted once more")
        self.assertRunningBalancesMatchLedger()  # adjustments
        expired = self.wallet._purchase(7, 4.13, self.company.currency_id, date.today() - relativedelta(months=25))
        self.env["intellipush.credit.wallet"]._cron_intellipush_expire_credits()
        self.assertEqual(expired.running_remaining, 0)
        self.assertRunningBalancesMatchLedger()  # expiry
        self.assertEqual(
            self.wallet._sums(),
            (Decimal("1000") - Decimal("1.1112") - Decimal("7.5") + Decimal("7") - Decimal("7"), Decimal(0)),
        )

    def test_what_people_read_comes_from_the_running_balances(self):
        self._queue_sms(["41234567"])
        lot = self.wallet.lot_ids[0]
        self.env.cr.execute(
            "UPDATE intellipush_credit_wallet SET running_balance = 1234.5, running_reserved = 4.5 WHERE id = %s",
            [self.wallet.id],
        )
        self.env.cr.execute("UPDATE intellipush_credit_lot SET running_remaining = 0 WHERE id = %s", [lot.id])
        self.env.invalidate_all()
        self.assertEqual((self.wallet.balance, self.wallet.reserved, self.wallet.available), (1234.5, 4.5, 1230.0))
        self.assertEqual((lot.remaining, lot.state), (0, "used"))
        self.assertEqual(self.wallet._lots_with_credits(), [], "an empty lot is not offered to a debit")

    def test_a_new_wallet_starts_at_zero(self):
        branch = self.env["res.company"].create({"name": "Filial Tromsø"})
        wallet = self.env["intellipush.credit.wallet"]._for_company(branch)
        self.assertEqual((wallet.running_balance, wallet.running_reserved, wallet.balance), (0, 0, 0))
        self.assertRunningBalancesMatchLedger(wallet)
        lot = wallet._purchase(Decimal("12.3456"), 7.0, branch.currency_id)
        self.assertEqual(wallet._sums(), (Decimal("12.3456"), Decimal(0)))
        self.assertEqual(wallet._lots_with_credits(), [(lot.id, Decimal("12.3456"))])
        self.assertRunningBalancesMatchLedger(wallet)

    def test_a_purchase_recorded_as_data_counts_too(self):
        """The demo (and any data file) records its purchase as a lot and a
        ledger row, not through the wallet's methods: the ledger moves the sums."""
        branch = self.env["res.company"].create({"name": "Filial Bodø"})
        wallet = self.env["intellipush.credit.wallet"]._for_company(branch)
        lot = self.env["intellipush.credit.lot"].create(
            {
                "company_id": branch.id,
                "wallet_id": wallet.id,
                "quantity": 5000,
                "price_total": 2950,
                "currency_id": branch.currency_id.id,
                "purchase_date": "2026-10-01",
            }
        )
        self.env["intellipush.credit.ledger"].with_context(intellipush_wallet_entry=True).create(
            {
                "company_id": branch.id,
                "wallet_id": wallet.id,
                "lot_id": lot.id,
                "entry_type": "purchase",
                "amount": 5000,
            }
        )
        self.assertEqual(wallet._available(), Decimal(5000))
        self.assertEqual(wallet._lots_with_credits(), [(lot.id, Decimal(5000))])
        self.assertRunningBalancesMatchLedger(wallet)

    @mute_logger("odoo.addons.intellipush_sms.models.intellipush_credit_wallet_check")
    def test_the_check_finds_a_tampered_balance_and_the_cron_rebuilds_it(self):
        self._queue_sms(["41234567"])
        lot = self.wallet.lot_ids[0]
        self.env.cr.execute(
            "UPDATE intellipush_credit_wallet SET running_balance = running_balance + 1 WHERE id = %s",
            [self.wallet.id],
        )
        self.env.cr.execute(
            "UPDATE intellipush_credit_lot SET running_remaining = running_remaining - 0.0001 WHERE id = %s", [lot.id]
        )
        self.env.invalidate_all()
        mismatches = self.wallet._running_balance_mismatches()
        self.assertEqual(
            [(m.wallet_id, m.lot_id, m.figure, m.running, m.ledger) for m in mismatches],
            [
                (self.wallet.id, None, "balance", Decimal("1001.0000"), Decimal("1000.0000")),
                (self.wallet.id, lot.id, "remaining", Decimal("999.9999"), Decimal("1000.0000")),
            ],
        )
        activity_type = self.env.ref("intellipush_sms.mail_activity_type_credits_mismatch")

        def alerts():
            return self.wallet.activity_ids.filtered(lambda act: act.activity_type_id == activity_type)

        self.assertEqual(self.wallet._check_running_balances(), mismatches)
        self.assertTrue(alerts(), "the SMS managers are told")
        self.assertIn("999.9999 kept, 1000.0000 in the ledger", alerts()[0].note)
        self.assertEqual(len(self.wallet._running_balance_mismatches()), 2, "a check alone repairs nothing")

        # The daily scheduled action, as its server action runs it.
        self.env.ref("intellipush_sms.ir_cron_intellipush_credit_check").ir_actions_server_id.run()
        self.assertRunningBalancesMatchLedger()
        self.assertEqual(len(alerts()), len(self.wallet._managers()), "one activity per manager, not one per run")

    def test_the_check_is_quiet_when_all_is_well(self):
        self._queue_sms(["41234567", "93456789"])
        self._process_queue()
        self.assertEqual(self.env["intellipush.credit.wallet"].search([])._check_running_balances(), [])
        self.assertFalse(
            self.wallet.activity_ids.filtered(
                lambda act: act.activity_type_id == self.env.ref("intellipush_sms.mail_activity_type_credits_mismatch")
            )
        )

    def test_the_migration_fills_the_running_balances_from_the_ledger(self):
        self._queue_sms(["41234567", "93456789"])
        self._process_queue()
        self.wallet._purchase(50, 29.5, self.company.currency_id)
        expected = self.wallet._sums()
        self.env.cr.execute("UPDATE intellipush_credit_wallet SET running_balance = 0, running_reserved = 0")
        self.env.cr.execute("UPDATE intellipush_credit_lot SET running_remaining = 0")
        self.env.invalidate_all()
        self.assertTrue(self.wallet._running_balance_mismatches())
        spec = importlib.util.spec_from_file_location("intellipush_sms_migration_18_0_1_3_0", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.2.0")
        self.assertEqual(self.wallet._sums(), expected)
        self.assertRunningBalancesMatchLedger()

    def test_a_batch_costs_the_same_queries_however_long_the_ledger(self):
        self.wallet._purchase(5, 2.95, self.company.currency_id)  # two lots to consume from
        self._reserve_and_debit()  # warm the caches (rates, references)
        short = self._reserve_and_debit()
        self._pad_ledger(2000)
        ledger_size = self.env["intellipush.credit.ledger"].search_count([("wallet_id", "=", self.wallet.id)])
        self.assertGreater(ledger_size, 2000)
        long = self._reserve_and_debit()
        self.assertEqual(len(long), len(short), "a batch's queries do not grow with the ledger")
        reading_ledger = [query for query in long if READS_LEDGER.search(query)]
        self.assertEqual(reading_ledger, [], "a movement writes its own ledger rows and reads none")
        self.assertRunningBalancesMatchLedger()

    def test_a_batch_writes_its_ledger_rows_in_one_insert_as_create_would(self):
        self._reserve_and_debit()  # warm the caches (rates, references)
        queries = self._reserve_and_debit(count=50)
        inserts = [query for query in queries if "INSERT INTO intellipush_credit_ledger" in query]
        self.assertEqual(len(inserts), 2, "one INSERT for the reservations, one for the debits")
        debit = self.env["intellipush.credit.ledger"].search([("entry_type", "=", "debit")], limit=1)
        self.assertEqual(
            (debit.amount, debit.reserved_amount, debit.consumed, debit.user_id, debit.company_id),
            (-1.1112, -1.1112, 1.1112, self.env.user, self.company),
        )
        self.assertTrue(debit.date and debit.create_date and debit.lot_id)
        self.assertIn(debit, debit.lot_id.ledger_ids, "the lot's movements list it")
        with self.assertRaisesRegex(ValueError, "not inserted in SQL"):
            self.wallet._record([{"entry_type": "adjustment", "amount": 1.0, "note": "?"}])
        self.assertRunningBalancesMatchLedger()
