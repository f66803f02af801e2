#!/usr/bin/env python3
"""The invoice reminder cron over many open invoices: SQL queries and seconds,
per invoice, at two sizes. Queries per invoice must not grow with the count.

    python3 bench/bench_invoice_reminders.py [--sizes 1000 10000]

Uses (and creates on first run) the database ``intellipush_bench`` with
``intellipush_sms`` installed; every run adds its own invoices, due today,
so earlier runs do not count. Nothing leaves: the SMS stay queued.
"""

import time
from datetime import timedelta

from odoo_bench_db import open_registry, parse_sizes  # bench/ is on sys.path when the script runs

DB = "intellipush_bench"


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
    sizes = parse_sizes(__doc__, [1000, 10000])

    registry = open_registry(DB, "intellipush_sms")
    import odoo  # noqa: PLC0415

    print(f"{'invoices':>9} {'SMS':>7} {'seconds':>8} {'ms/invoice':>11} {'queries':>8} {'queries/invoice':>16}")
    for size in sizes:
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
