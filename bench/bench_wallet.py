#!/usr/bin/env python3
"""The credit wallet's reserve + debit of one 200-SMS batch, at several ledger
sizes: milliseconds and SQL queries per batch. With ``--compare REF`` the
wallet of git ``REF`` (say the commit before the running balances) runs the
same batches in a process of its own, and both are printed side by side.

    python3 bench/bench_wallet.py [--sizes 1000 20000 100000] [--compare HEAD] [--batches 7]

Uses (and creates on first run) the database ``intellipush_bench_wallet`` with
``intellipush_sms`` installed, and ``intellipush_bench_wallet_<commit>`` for
``REF``, whose addon is taken out with ``git archive`` into the temporary
directory. Each size gets a company of its own whose ledger is filled once, in
SQL, and kept for later runs; the batches measured are rolled back.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import odoo_bench_db  # bench/ is on sys.path when the script runs

DB = "intellipush_bench_wallet"
BATCH = 200
NORWAY_SMS = "1.1112"  # one segment at 0.9 SMS per credit
# Ledger entries per used-up lot: a wallet of long standing has bought many.
ENTRIES_PER_LOT = 5000


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000, 100000])
    parser.add_argument("--batches", type=int, default=7, help="batches measured per size (the median is printed)")
    parser.add_argument("--compare", metavar="REF", help="also run the wallet of this git commit")
    parser.add_argument("--child", metavar="ADDONS_ROOT", help=argparse.SUPPRESS)
    parser.add_argument("--db", default=DB, help=argparse.SUPPRESS)
    return parser.parse_args()


def wallet_with_ledger(env, size):
    """The wallet of the company "Bench Wallet <size>", whose ledger holds
    ``size`` entries: used-up lots with their reservations and debits, and one
    lot with plenty left. Created and committed on first use."""
    from odoo import fields  # noqa: PLC0415

    name = f"Bench Wallet {size}"
    company = env["res.company"].search([("name", "=", name)])
    if company:
        return env["intellipush.credit.wallet"]._for_company(company)
    print(f"Filling a ledger of {size} entries (once)...", file=sys.stderr, flush=True)
    company = env["res.company"].create({"name": name, "country_id": env.ref("base.no").id})
    company.intellipush_country_id = env.ref("base.no")
    wallet = env["intellipush.credit.wallet"]._for_company(company)
    wallet.low_balance_threshold = 0
    today = fields.Date.context_today(wallet)
    lot_count = max(1, size // ENTRIES_PER_LOT - 1)
    old_lots = [
        wallet._purchase(1, 1, company.currency_id, today - timedelta(days=lot_count - index))
        for index in range(lot_count)
    ]
    new_lot = wallet._purchase(1_000_000, 590_000, company.currency_id)
    # Pairs of a reservation and its debit on an old lot, then one adjustment
    # per old lot that empties it: the ledger ends at ``size`` entries.
    pairs, odd = divmod(max(0, size - 1 - 2 * len(old_lots)), 2)
    if odd:
        wallet._adjust(new_lot, 1, "bench: an even count of the rest")
    env.flush_all()
    env.cr.execute(
        """
        INSERT INTO intellipush_credit_ledger
               (company_id, wallet_id, date, entry_type, amount, reserved_amount, consumed, lot_id,
                country_id, segments, user_id, create_uid, write_uid, create_date, write_date)
        SELECT %(company)s, %(wallet)s, now() - make_interval(secs => %(count)s - pair),
               kind.entry_type, kind.amount, kind.reserved_amount, -kind.amount,
               CASE WHEN kind.entry_type = 'debit' THEN (%(lots)s::int[])[1 + pair %% %(lot_count)s] END,
               %(norway)s, 1, 1, 1, 1, now(), now()
          FROM generate_series(1, %(count)s) AS pair,
               (VALUES ('reservation', 0, %(cost)s::numeric), ('debit', -%(cost)s::numeric, -%(cost)s::numeric))
                   AS kind(entry_type, amount, reserved_amount)
        """,
        {
            "company": company.id,
            "wallet": wallet.id,
            "count": pairs,
            "lots": [lot.id for lot in old_lots],
            "lot_count": len(old_lots),
            "norway": env.ref("base.no").id,
            "cost": NORWAY_SMS,
        },
    )
    env.cr.execute(
        """
        INSERT INTO intellipush_credit_ledger
               (company_id, wallet_id, date, entry_type, amount, reserved_amount, consumed, lot_id,
                reason, user_id, create_uid, write_uid, create_date, write_date)
        SELECT %(company)s, %(wallet)s, now(), 'adjustment', -SUM(amount), 0, 0, lot_id,
               'bench: used up', 1, 1, 1, now(), now()
          FROM intellipush_credit_ledger
         WHERE lot_id = ANY(%(lots)s)
      GROUP BY lot_id
        """,
        {"company": company.id, "wallet": wallet.id, "lots": [lot.id for lot in old_lots]},
    )
    if hasattr(wallet, "_recompute_running_balances"):
        wallet._recompute_running_balances()
    env.cr.commit()
    env.cr.execute("ANALYZE intellipush_credit_ledger")
    env.cr.execute("ANALYZE intellipush_credit_lot")
    return wallet


def measure(env, wallet, batches):
    """(median ms, queries) of a 200-SMS batch reserved then debited, rolled back each time."""
    from odoo.addons.intellipush_sms.models.intellipush_credit_wallet import Charge  # noqa: PLC0415

    requests = [(None, f"412{index:05d}", 1) for index in range(BATCH)]
    timings, queries = [], []
    for _run in range(batches + 1):  # the first one warms the caches
        env.invalidate_all()
        queries_before = env.cr.sql_log_count
        started = time.perf_counter()
        verdicts = wallet._reserve(requests)
        wallet._debit([Charge(None, verdict.cost, verdict.country.id, 1) for verdict in verdicts])
        env.flush_all()
        timings.append(1000 * (time.perf_counter() - started))
        queries.append(env.cr.sql_log_count - queries_before)
        assert {verdict.credit_state for verdict in verdicts} == {"reserved"}, "the bench wallet ran dry"
        env.cr.rollback()
        env.clear()
    return statistics.median(timings[1:]), queries[-1]


def run_child(arguments):
    """Measure the addon under ``arguments.child`` and print one JSON line per size."""
    # open_registry builds its addons path from REPO_ROOT: here, the code measured.
    odoo_bench_db.REPO_ROOT = Path(arguments.child)
    registry = odoo_bench_db.open_registry(arguments.db, "intellipush_sms")
    import odoo  # noqa: PLC0415

    for size in arguments.sizes:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            wallet = wallet_with_ledger(env, size)
            cr.execute("SELECT count(*) FROM intellipush_credit_ledger WHERE wallet_id = %s", [wallet.id])
            entries = cr.fetchone()[0]
            ms, queries = measure(env, wallet, arguments.batches)
        # Its own line on stdout, which also carries what open_registry prints.
        print(json.dumps({"size": size, "entries": entries, "ms": ms, "queries": queries}), flush=True)


def addon_of(ref):
    """(commit, a directory holding ``intellipush_sms`` as it is at ``ref``), taken out once."""
    root = odoo_bench_db.REPO_ROOT
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    target = Path(tempfile.gettempdir()) / f"intellipush_wallet_{commit}"
    if not (target / "intellipush_sms" / "__manifest__.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", commit, "intellipush_sms"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return commit, target


def figures_of(addons_root, db, arguments):
    """{size: figures} from a child process running the addon under ``addons_root``."""
    command = [sys.executable, __file__, "--child", str(addons_root), "--db", db, "--batches", str(arguments.batches)]
    output = subprocess.run(
        [*command, "--sizes", *map(str, arguments.sizes)], stdout=subprocess.PIPE, text=True, check=True
    ).stdout
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return {row["size"]: row for row in rows}


def main():
    arguments = parse_arguments()
    if arguments.child:
        run_child(arguments)
        return
    runs = [("this checkout", figures_of(odoo_bench_db.REPO_ROOT, DB, arguments))]
    if arguments.compare:
        commit, root = addon_of(arguments.compare)
        runs.append((f"{arguments.compare} ({commit})", figures_of(root, f"{DB}_{commit}", arguments)))
    print(f"ms and SQL queries per {BATCH}-SMS batch, reserve + debit (median of {arguments.batches} batches)")
    header = f"{'ledger entries':>15}" + "".join(f" | {label:>24}" for label, _figures in runs)
    print(header)
    print(f"{'':>15}" + "".join(f" | {'ms':>12} {'queries':>11}" for _run in runs))
    print("-" * len(header))
    for size in arguments.sizes:
        row = f"{runs[0][1][size]['entries']:>15}"
        for _label, figures in runs:
            row += f" | {figures[size]['ms']:>12.1f} {figures[size]['queries']:>11}"
        print(row)


if __name__ == "__main__":
    main()
