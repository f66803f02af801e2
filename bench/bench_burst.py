#!/usr/bin/env python3
"""A burst of order confirmations: 1,000 sales orders of Norwegian customers
confirmed within one minute, each in its own transaction, while a real Odoo
server sends their confirmation SMS to the Intellipush sandbox with its cron
threads, woken as the confirmations wake them (``action_confirm`` queues the
SMS and triggers the dispatch cron; its cron threads ``LISTEN`` for that).

    python3 bench/bench_burst.py [--orders 1000] [--seconds 60] [--confirmers 4] [--cron-threads 2]

The orders are confirmed from ``--confirmers`` processes, as by the users of
several HTTP workers: order ``k`` at ``k * seconds / orders`` after the start,
each with its own cursor, through ``odoo.service.model.retrying`` (a
serialization failure is retried as Odoo's HTTP layer retries a request) and
committed. A confirmer that falls behind goes on at once; the spread
reached is printed. The Odoo server (``--max-cron-threads``, HTTP on
``--http-port``, default 8669) is started by the bench once the orders
exist, with the sandbox as the company's Intellipush base URL.

It prints the time until the sandbox has accepted every confirmation, from
the first confirmation and after the last one; the confirmations per second;
the milliseconds and SQL queries per confirmation (the cursor's query
counter around ``action_confirm`` and its flush, retries included); the
latency of each SMS from its order's commit to its acceptance at the
sandbox; and the duplicates: numbers the sandbox received more than once.
Figures only, nothing is asserted on time.

Uses (and creates on first run) the database ``intellipush_bench_burst`` with
``intellipush_sms`` and ``sale_management``. The customers (+47 41000000 and
up) are kept between runs; the orders, their SMS, chatter messages and links
are removed before and after each run.
"""

import argparse
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import psycopg2
import requests
from odoo_bench_db import (
    REPO_ROOT,
    addons_path,
    connect_main_company,
    open_registry,
    vacuum,
)  # bench/ is on sys.path when the script runs

sys.path.append(str(REPO_ROOT))
from intellipush_sandbox import Sandbox  # noqa: E402

DB = "intellipush_bench_burst"
ADDONS = "intellipush_sms,sale_management"
API_ID, API_SECRET = "bench-id", "bench-secret"  # noqa: S105 (a sandbox credential)
ORDER_REF = "bench-burst"  # client_order_ref of the bench's orders
CUSTOMER = "Burst Kunde"
FIRST_NUMBER = 41000000  # +47 41000000 and up: valid Norwegian mobile numbers
WARMUP_NUMBER = 40999999  # the warm-up order's customer, not counted
SERVER_LOG = Path(tempfile.gettempdir()) / "bench_burst_odoo.log"  # kept after the run
RETRY_LINE = re.compile(r"odoo\.service\.model: .* try again in ([0-9.]+) sec")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ [A-Z]+ ")


# ------------------------------------------------------------
# Setup and cleanup (main process)
# ------------------------------------------------------------


def configure(env, base_url, orders):
    """The main company on Intellipush through the sandbox, with credits for the run."""
    # A confirmation is one or two segments.
    return connect_main_company(env, base_url, API_ID, API_SECRET, 4 * (orders + 1), intellipush_order_sms=True)


def customers(env, count):
    """``count`` customers with valid Norwegian mobile numbers (created once), and the warm-up customer."""
    partner_model = env["res.partner"]
    existing = partner_model.search([("name", "=like", f"{CUSTOMER} %")])
    by_name = {partner.name: partner for partner in existing}
    norway = env.ref("base.no").id
    wanted = [(f"{CUSTOMER} {index}", FIRST_NUMBER + index) for index in range(count)]
    wanted.append((f"{CUSTOMER} oppvarming", WARMUP_NUMBER))
    missing = [(name, number) for name, number in wanted if name not in by_name]
    for created in partner_model.create(
        [{"name": name, "mobile": f"+47 {number}", "country_id": norway, "lang": "en_US"} for name, number in missing]
    ):
        by_name[created.name] = created
    return [by_name[name] for name, _number in wanted]


def create_orders(env, partners):
    """A draft order of one line for each partner, committed in chunks; their ids."""
    from odoo import Command  # noqa: PLC0415

    product = env["product.product"].search([("name", "=", "Bench Burst Jakke")], limit=1) or env[
        "product.product"
    ].create({"name": "Bench Burst Jakke", "type": "service", "list_price": 499, "taxes_id": []})
    ids = []
    for start in range(0, len(partners), 200):
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "client_order_ref": ORDER_REF,
                    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
                }
                for partner in partners[start : start + 200]
            ]
        )
        ids += orders.ids
        env.cr.commit()
    return ids


def cleanup(registry):
    """Remove the bench's orders with their SMS, chatter, followers and portal links."""
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT id FROM sale_order WHERE client_order_ref = %s", [ORDER_REF])
        order_ids = [row[0] for row in cr.fetchall()]
        if not order_ids:
            return
        cr.execute(
            "SELECT id FROM mail_message WHERE model = 'sale.order' AND res_id = ANY(%s)",
            [order_ids],
        )
        message_ids = [row[0] for row in cr.fetchall()]
        sms = env["sms.sms"].search([("mail_message_id", "in", message_ids)])
        # Cancelling gives back the credits still reserved for those not sent.
        sms.filtered(lambda record: record.state in ("outgoing", "process")).action_set_canceled()
        env.flush_all()
        cr.execute("DELETE FROM sms_tracker WHERE sms_uuid = ANY(%s)", [sms.mapped("uuid")])
        cr.execute("DELETE FROM sms_sms WHERE id = ANY(%s)", [sms.ids])
        cr.execute("DELETE FROM mail_message WHERE id = ANY(%s)", [message_ids])
        cr.execute("DELETE FROM mail_followers WHERE res_model = 'sale.order' AND res_id = ANY(%s)", [order_ids])
        cr.execute("DELETE FROM link_tracker WHERE url LIKE '%%/my/orders/%%'")
        cr.execute("DELETE FROM sale_order WHERE id = ANY(%s)", [order_ids])


# ------------------------------------------------------------
# The Odoo server and the sandbox
# ------------------------------------------------------------


def start_odoo(port, cron_threads, log):
    server = subprocess.Popen(
        [sys.executable, "-m", "odoo", "server", f"--database={DB}", f"--db-filter=^{DB}$",
         "--db_host=127.0.0.1", f"--addons-path={addons_path()}", f"--http-port={port}",
         f"--gevent-port={port + 1}", f"--max-cron-threads={cron_threads}", "--log-level=warn",
         # Its retries after a serialization failure, counted at the end.
         "--log-handler=odoo.service.model:INFO"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(240):
        if server.poll() is not None:
            raise RuntimeError(f"Odoo exited with {server.returncode}; is port {port} free?")
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/health", timeout=30).ok:
                return server
        except requests.RequestException:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("Odoo did not start")


def accepted_at(sandbox, numbers):
    """``{national number: [acceptance times (epoch seconds)]}`` of what the sandbox accepted for ``numbers``.

    Read from the sandbox's state (under its lock): its ``messages()`` gives
    the time to send only to the minute, the state the moment of acceptance."""
    state = sandbox.state
    with state.lock:
        rows = [(sms["phonenumber"], sms["send_at"].timestamp()) for sms in state.messages.values()]
    times = {}
    for number, moment in rows:
        if number in numbers:
            times.setdefault(number, []).append(moment)
    return times


def wait_for(sandbox, numbers, deadline):
    """Wait until the sandbox holds an SMS for each of ``numbers`` or ``deadline`` (monotonic) passes."""
    while time.monotonic() < deadline:
        if len(accepted_at(sandbox, numbers)) == len(numbers):
            return True
        time.sleep(0.05)
    return False


def confirm_one(registry, order_id, user_id):
    """Confirm one order in its own transaction, retried on a serialization failure as an
    HTTP request is; (seconds, queries, [the statement of each conflict], commit time)."""
    import odoo  # noqa: PLC0415
    from odoo.service.model import retrying  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, user_id, {})
        conflicts = []

        def confirm():
            try:
                env["sale.order"].browse(order_id).action_confirm()
                env.flush_all()  # here rather than in retrying(): a conflict in the flush is caught below
            except psycopg2.errors.SerializationFailure as error:
                statement = " ".join(cr._obj.query.decode(errors="replace").split())
                conflicts.append(re.sub(r"'[^']*'(::\w+)?|\b\d+\b", "?", statement)[:100])
                raise error

        queries_before = cr.sql_log_count
        started = time.perf_counter()
        retrying(confirm, env)  # commits
        seconds = time.perf_counter() - started
        return seconds, cr.sql_log_count - queries_before, conflicts, time.time()


# ------------------------------------------------------------
# A confirmer process
# ------------------------------------------------------------


def run_confirmer():
    """``--confirm``: read the orders to confirm ({"orders": [[id, offset s], ...]})
    on stdin, load the registry, say ``ready``, wait for ``go <epoch>`` on stdin,
    confirm each order at its offset; print one JSON line per order."""
    plan = json.loads(sys.stdin.readline())
    logging.getLogger("odoo").setLevel(logging.WARNING)  # figures, not the loading log
    registry = open_registry(DB, ADDONS)
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        user_id = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}).ref("base.user_admin").id
    print("ready", flush=True)
    start = float(sys.stdin.readline().split()[1])
    results = []
    for order_id, offset in plan["orders"]:
        delay = start + offset - time.time()
        if delay > 0:
            time.sleep(delay)
        begun = time.time()
        try:
            seconds, queries, conflicts, committed = confirm_one(registry, order_id, user_id)
        except Exception as error:  # noqa: BLE001 (a confirmation the user would see fail: counted)
            results.append({"order": order_id, "begun": begun, "failed": f"{type(error).__name__}: {error}"[:200]})
            continue
        results.append({"order": order_id, "begun": begun, "committed": committed, "seconds": seconds,
                        "queries": queries, "conflicts": conflicts})  # fmt: skip
    for result in results:
        print(json.dumps(result), flush=True)


# ------------------------------------------------------------
# The run
# ------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    if sys.argv[1:2] == ["--confirm"]:
        run_confirmer()
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60, help="confirmations spread evenly over this time")
    parser.add_argument("--confirmers", type=int, default=4, help="processes confirming orders")
    parser.add_argument("--cron-threads", type=int, default=2, help="the Odoo server's --max-cron-threads")
    parser.add_argument("--http-port", type=int, default=8669, help="the Odoo server's port (and the next one)")
    parser.add_argument("--wait", type=float, default=600, help="seconds to wait for the SMS after the last order")
    args = parser.parse_args()

    logging.getLogger("odoo").setLevel(logging.WARNING)  # figures, not the loading log
    registry = open_registry(DB, ADDONS)
    logging.getLogger("intellipush_sandbox").setLevel(logging.WARNING)
    import odoo  # noqa: PLC0415

    # Delivered at once: the sandbox then keeps no growing list of messages to move along.
    sandbox = Sandbox(port=0, api_id=API_ID, api_secret=API_SECRET, auto_deliver_after=0).start()
    cleanup(registry)  # left by an interrupted run
    vacuum(DB)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        configure(env, sandbox.url, args.orders)
        partners = customers(env, args.orders)
        cr.commit()
        order_ids = create_orders(env, partners)
    warmup_order, order_ids = order_ids[-1], order_ids[:-1]
    numbers = {str(FIRST_NUMBER + index) for index in range(args.orders)}
    number_of_order = {order_id: str(FIRST_NUMBER + index) for index, order_id in enumerate(order_ids)}

    server_log = SERVER_LOG.open("w")
    server = start_odoo(args.http_port, args.cron_threads, server_log)
    confirmers = []
    try:
        # One order first, not counted: the cron threads are listening once its SMS is at the sandbox.
        with registry.cursor() as cr:
            user_id = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}).ref("base.user_admin").id
        confirm_one(registry, warmup_order, user_id)
        if not wait_for(sandbox, {str(WARMUP_NUMBER)}, time.monotonic() + 120):
            raise RuntimeError("the warm-up confirmation never reached the sandbox: are the cron threads running?")

        step = args.seconds / args.orders
        for index in range(args.confirmers):
            plan = [[order_id, k * step] for k, order_id in enumerate(order_ids) if k % args.confirmers == index]
            confirmer = subprocess.Popen(
                [sys.executable, __file__, "--confirm"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
            )
            confirmer.stdin.write(json.dumps({"orders": plan}) + "\n")
            confirmer.stdin.flush()
            confirmers.append(confirmer)
        for confirmer in confirmers:
            if confirmer.stdout.readline().strip() != "ready":
                raise RuntimeError("a confirmer did not start")
        start = time.time() + 1
        for confirmer in confirmers:
            confirmer.stdin.write(f"go {start}\n")
            confirmer.stdin.flush()

        results = []
        for confirmer in confirmers:
            confirmer.stdin.close()
            output = confirmer.stdout.read()
            if confirmer.wait():
                raise RuntimeError(f"a confirmer failed ({confirmer.returncode})")
            results += [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        confirmed = {number_of_order[result["order"]] for result in results if "failed" not in result}
        complete = wait_for(sandbox, confirmed, time.monotonic() + args.wait)
        time.sleep(2)  # a late second copy would show up here
        accepted = accepted_at(sandbox, numbers)
    finally:
        for confirmer in confirmers:
            if confirmer.poll() is None:
                confirmer.kill()
        server.terminate()
        server.wait(60)

    states = [sms_states(registry, order_ids)]
    # SMS left in ``process`` (the answer lost to a serialization failure): what the
    # next dispatch run makes of them once the reconciliation's grace is over, shown now.
    with registry.cursor() as cr:
        sms_model = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})["sms.sms"]
        sms_model._intellipush_reconcile(grace=timedelta(0))
        sms_model._cron_intellipush_dispatch()
    states.append(sms_states(registry, order_ids))
    reconciled = accepted_at(sandbox, numbers)
    cleanup(registry)
    vacuum(DB)
    sandbox.stop()

    report(args, results, accepted, number_of_order, complete, states, reconciled)
    server_log.close()
    print_problems(SERVER_LOG)


def sms_states(registry, order_ids):
    """How many of the orders' SMS are in each state, as one line."""
    with registry.cursor() as cr:
        cr.execute(
            """SELECT sms.state, COUNT(*) FROM sms_sms sms JOIN mail_message msg ON msg.id = sms.mail_message_id
                WHERE msg.model = 'sale.order' AND msg.res_id = ANY(%s) GROUP BY sms.state ORDER BY sms.state""",
            [order_ids],
        )
        return ", ".join(f"{state} {count}" for state, count in cr.fetchall())


def print_problems(path):
    """The warnings and errors (with their tracebacks) the Odoo server logged."""
    problems, keep = [], False
    retries, slept = 0, 0.0
    for line in path.read_text(errors="replace").splitlines():
        if retry := RETRY_LINE.search(line):
            retries += 1
            slept += float(retry.group(1))
            continue
        if LOG_LINE.match(line):
            keep = " WARNING " in line or " ERROR " in line or " CRITICAL " in line
            if keep:
                problems.append([line])
        elif keep:
            problems[-1].append(line)
    print(f"Odoo server: {retries} retries after a serialization failure, {slept:.1f} s slept before them")
    print(f"Odoo server log ({path}): {len(problems)} warnings and errors")
    for lines in problems[:10]:
        for line in [lines[0], *[line for line in lines[1:] if line.strip()][-1:]]:
            print("   ", line[:300])


def report(args, results, accepted, number_of_order, complete, states, reconciled):
    failed = [result for result in results if "failed" in result]
    results = [result for result in results if "failed" not in result]
    first_begun = min(result["begun"] for result in results)
    last_committed = max(result["committed"] for result in results)
    copies = Counter({number: len(times) for number, times in accepted.items()})
    duplicates = {number: count for number, count in copies.items() if count > 1}
    all_accepted = max(min(times) for times in accepted.values()) if accepted else float("nan")
    latencies = [
        min(accepted[number_of_order[result["order"]]]) - result["committed"]
        for result in results
        if number_of_order[result["order"]] in accepted
    ]
    seconds = [result["seconds"] for result in results]
    queries = [result["queries"] for result in results]
    retried = sum(bool(result["conflicts"]) for result in results)
    conflicts = Counter(statement for result in results for statement in result["conflicts"])
    spread = last_committed - first_begun

    print(
        f"Orders confirmed: {len(results)} from {args.confirmers} processes over {spread:.1f} s"
        f" (planned {args.seconds:g} s); dispatch by an Odoo server with {args.cron_threads} cron threads"
    )
    print(f"{'':<48} {'value':>10}")
    rows = [
        ("confirmations per second", f"{len(results) / spread:.1f}"),
        ("ms per confirmation, median", f"{1000 * statistics.median(seconds):.0f}"),
        ("ms per confirmation, p95", f"{1000 * percentile(seconds, 0.95):.0f}"),
        ("SQL queries per confirmation, mean", f"{statistics.mean(queries):.1f}"),
        ("SQL queries per confirmation, min / max", f"{min(queries)} / {max(queries)}"),
        ("confirmations retried (serialization failure)", f"{retried}"),
        ("confirmations failed (the user sees an error)", f"{len(failed)}"),
        ("SMS accepted by the sandbox", f"{len(accepted)} of {len(results)}" + ("" if complete else " (gave up)")),
        ("s until all accepted, from the first confirmation", f"{all_accepted - first_begun:.1f}"),
        ("s until all accepted, after the last confirmation", f"{all_accepted - last_committed:.1f}"),
        ("s from an order's commit to its SMS, median", f"{statistics.median(latencies):.2f}" if latencies else "-"),
        ("s from an order's commit to its SMS, p95", f"{percentile(latencies, 0.95):.2f}" if latencies else "-"),
        ("s from an order's commit to its SMS, max", f"{max(latencies):.2f}" if latencies else "-"),
        ("duplicates (numbers received more than once)", f"{len(duplicates)}"),
        ("SMS states in Odoo once the burst is sent", states[0]),
        ("SMS states after a reconciliation and dispatch", states[1]),
        ("duplicates after them", f"{sum(len(times) > 1 for times in reconciled.values())}"),
    ]
    for label, value in rows:
        print(f"{label:<48} {value:>10}")
    for statement, count in conflicts.most_common(5):
        print(f"    serialization failures x{count} at: {statement}")
    for reason, count in Counter(result["failed"] for result in failed).most_common(5):
        print(f"    failed x{count}: {reason}")
    if duplicates:
        print("    duplicated numbers (copies):", ", ".join(f"{n} ({c})" for n, c in sorted(duplicates.items())[:20]))


if __name__ == "__main__":
    main()
