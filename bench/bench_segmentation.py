#!/usr/bin/env python3
"""Recomputing the segmentation figures of every contact after an import:
seconds and SQL statements at 10,000 and 100,000 contacts (two confirmed
orders each), and for a 1,000-contact incremental refresh.

    python3 bench/bench_segmentation.py [--sizes 10000 100000]

Uses (and creates on first run) the database ``intellipush_bench_marketing``
with ``intellipush_sms_marketing``. The contacts and orders are copied in SQL
from one order made through the ORM (an import would be as fast), then
removed again at the end of each size.
"""

import time

from odoo_bench_db import columns, open_registry, parse_sizes  # bench/ is on sys.path when the script runs

DB = "intellipush_bench_marketing"


def populate(env, size):
    """``size`` contacts with two confirmed orders of one line each; returns the partner ids."""
    from odoo import Command  # noqa: PLC0415

    cr = env.cr
    env.company.intellipush_order_sms = False
    category = env["product.category"].create({"name": "Bench"})
    product = env["product.product"].create({"name": "Bench", "type": "service", "categ_id": category.id})
    model_partner = env["res.partner"].create({"name": "Bench Model", "mobile": "+4790000000"})
    model_order = env["sale.order"].create(
        {"partner_id": model_partner.id, "order_line": [Command.create({"product_id": product.id, "price_unit": 100})]}
    )
    model_order.action_confirm()
    env.flush_all()

    partner_columns = columns(cr, "res_partner", {"id", "name", "complete_name"})
    cr.execute(
        f"""INSERT INTO res_partner (name, complete_name, {", ".join(partner_columns)})
            SELECT 'Bench ' || n, 'Bench ' || n, {", ".join(partner_columns)}
              FROM res_partner, generate_series(1, %s) n WHERE res_partner.id = %s
         RETURNING id""",  # noqa: S608 (column names from the catalogue)
        [size, model_partner.id],
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    order_columns = columns(cr, "sale_order", {"id", "name", "partner_id", "partner_invoice_id", "partner_shipping_id"})
    line_columns = columns(cr, "sale_order_line", {"id", "order_id", "order_partner_id"})
    copied = ", ".join(order_columns)
    for copy in (1, 2):
        cr.execute(
            f"""INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, {copied})
                SELECT 'B{copy}-' || partner.id, partner.id, partner.id, partner.id, {copied}
                  FROM sale_order, unnest(%s::int[]) AS partner(id) WHERE sale_order.id = %s
             RETURNING id, partner_id""",  # noqa: S608
            [partner_ids, model_order.id],
        )
        orders = cr.fetchall()
        cr.execute(
            f"""INSERT INTO sale_order_line (order_id, order_partner_id, {", ".join(line_columns)})
                SELECT new_order.id, new_order.partner_id, {", ".join(line_columns)}
                  FROM sale_order_line, unnest(%s::int[], %s::int[]) AS new_order(id, partner_id)
                 WHERE sale_order_line.order_id = %s""",  # noqa: S608
            [[order_id for order_id, _partner in orders], [partner for _order, partner in orders], model_order.id],
        )
    cr.commit()
    return partner_ids


def cleanup(cr, partner_ids):
    cr.execute("DELETE FROM sale_order WHERE partner_id = ANY(%s)", [partner_ids])
    cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [partner_ids])
    cr.commit()


def measure(env, partner_ids):
    cr = env.cr
    statements = cr.sql_log_count
    started = time.perf_counter()
    env["res.partner"]._intellipush_refresh_segments(partner_ids)
    cr.commit()
    return time.perf_counter() - started, cr.sql_log_count - statements


def main():
    sizes = parse_sizes(__doc__, [10000, 100000])

    registry = open_registry(DB, "intellipush_sms_marketing")
    import odoo  # noqa: PLC0415

    print(f"{'contacts':>9} {'orders':>8} {'full refresh s':>15} {'statements':>11} {'1,000 contacts s':>17}")
    for size in sizes:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            partner_ids = populate(env, size)
            try:
                full_seconds, full_statements = measure(env, None)
                part_seconds, _part = measure(env, partner_ids[:1000])
                cr.execute("SELECT COUNT(*) FROM res_partner WHERE id = ANY(%s) AND sms_order_count = 2", [partner_ids])
                assert cr.fetchone()[0] == size, "every bench contact has its two orders"
            finally:
                cleanup(cr, partner_ids)
            print(
                f"{size:>9} {2 * size:>8} {full_seconds:>15.2f} {full_statements:>11} {part_seconds:>17.3f}", flush=True
            )


if __name__ == "__main__":
    main()
