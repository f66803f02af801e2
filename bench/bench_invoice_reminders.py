#!/usr/bin/env python3
"""The invoice reminder cron over many open invoices: SQL queries and seconds,
per invoice, at two sizes. Queries per invoice must not grow with the count.

    python3 bench/bench_invoice_reminders.py [--sizes 1000 10000]

Uses (and creates on first run) the database ``intellipush_bench`` with
``intellipush_sms`` installed; every run adds its own invoices, due today,
so earlier runs do not count. Nothing leaves: the SMS stay queued.
"""

import argparse
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DB = "intellipush_bench"


def addons_path():
    import odoo  # noqa: PLC0415 (only once we know Odoo is importable)

    odoo_dir = Path(odoo.__file__).parent
    paths = [odoo_dir.parent / "addons", odoo_dir / "addons"]
    return ",".join([str(path) for path in paths if path.is_dir()] + [str(REPO_ROOT)])


def ensure_database():
    listed = subprocess.run(["psql", "-h", "127.0.0.1", "-lqt"], capture_output=True, text=True, check=True).stdout
    if DB in {line.split("|")[0].strip() for line in listed.splitlines()}:
        return
    print(f"Creating the database {DB} (once)...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", "server", f"--database={DB}", "--db_host=127.0.0.1",
         f"--addons-path={addons_path()}", "--init=intellipush_sms", "--without-demo=all",
         "--stop-after-init", "--log-level=warn"],
        check=True,
    )  # fmt: skip


def create_invoices(env, count):
    """``count`` posted invoices due today, each with its own customer."""
    from odoo import Command, fields  # noqa: PLC0415

    due = fields.Date.context_today(env["account.move"].with_context(tz="Europe/Oslo"))
    stamp = time.strftime("%H%M%S")
    partners = env["res.partner"].create(
        [
            {"name": f"Kunde {stamp}-{index}", "mobile": f"+474{index % 10_000_000:07d}", "lang": "en_US"}
            for index in range(count)
        ]
    )
    product = env["product.product"].search([("name", "=", "Bench Service")], limit=1) or env["product.product"].create(
        {"name": "Bench Service", "type": "service"}
    )
    invoices = env["account.move"]
    for chunk_start in range(0, count, 500):
        chunk = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": due - timedelta(days=14),
                    "invoice_date_due": due,
                    "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 499, "tax_ids": []})],
                }
                for partner in partners[chunk_start : chunk_start + 500]
            ]
        )
        chunk.action_post()
        invoices |= chunk
        env.cr.commit()
    return invoices


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()

    ensure_database()
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--database={DB}", "--db_host=127.0.0.1", f"--addons-path={addons_path()}"])
    registry = odoo.modules.registry.Registry(DB)
    print(f"{'invoices':>9} {'SMS':>7} {'seconds':>8} {'ms/invoice':>11} {'queries':>8} {'queries/invoice':>16}")
    for size in args.sizes:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            company.write({"sms_provider": "intellipush", "intellipush_invoice_reminders": True})
            wallet = env["intellipush.credit.wallet"]._for_company(company)
            wallet._purchase(size * 2, size, company.currency_id)
            invoices = create_invoices(env, size)
            cr.commit()
            env.invalidate_all()

            queries_before = cr.sql_log_count
            started = time.perf_counter()
            sent = env["account.move"]._intellipush_send_due_reminders(company)
            seconds = time.perf_counter() - started
            queries = cr.sql_log_count - queries_before
            cr.commit()
            print(
                f"{len(invoices):>9} {sent:>7} {seconds:>8.1f} {1000 * seconds / size:>11.2f} "
                f"{queries:>8} {queries / size:>16.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
