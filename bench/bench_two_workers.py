#!/usr/bin/env python3
"""One queue of outgoing SMS dispatched by one worker, then (a fresh queue of
the same size) by two workers at once on the same database: what a second
Odoo server adds to the dispatch, and that it sends nothing twice.

    python3 bench/bench_two_workers.py [--sizes 20000]

A worker is an OS process of its own, as a second Odoo server's cron thread
would be: it loads the registry, waits for the start, then runs the dispatch
cron's method (``sms.sms._cron_intellipush_dispatch``) again and again until
the queue holds nothing due (a call ends when its claim finds no row left
that is not locked by the other worker). The queue is made of SMS to
distinct Norwegian mobile numbers (+47 41000000 and up), priced and with
their credits reserved as ``send`` queues them; its making is not timed.

For each size it prints, for one and for two workers, the seconds from the
start until the last worker ended, the SMS per second, what each worker
sent, what the sandbox accepted, the duplicates there (numbers it received
more than once: must be 0), the SMS left queued (``outgoing`` or
``process``), and the retries after a serialization failure (two workers
settling on one wallet, retried by the runner's ``_run_batch``) with the
seconds they slept, then the ratio of two workers' SMS per second to one's.
Figures only, nothing is asserted on time.

Uses (and creates on first run) the database ``intellipush_bench_dispatch``
with ``intellipush_sms``; the bench's SMS are removed before and after each run.
"""

import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from odoo_bench_db import (
    REPO_ROOT,
    connect_main_company,
    open_registry,
    parse_sizes,
    vacuum,
)  # bench/ is on sys.path when the script runs

sys.path.append(str(REPO_ROOT))
from intellipush_sandbox import Sandbox  # noqa: E402

DB = "intellipush_bench_dispatch"
API_ID, API_SECRET = "bench-id", "bench-secret"  # noqa: S105 (a sandbox credential)
BODY = "Hei! Ordren din er klar til henting. Velkommen innom! (bench)"
FIRST_NUMBER = 41000000  # +47 41000000 and up: valid Norwegian mobile numbers
CHUNK = 2000  # SMS created, queued and committed at once while the queue is made


def cleanup(registry):
    """Remove the bench's SMS; those still queued are cancelled first, which gives their credits back."""
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        queued = env["sms.sms"].search([("body", "=", BODY), ("state", "in", ("outgoing", "process"))])
        queued.action_set_canceled()
        env.flush_all()
        cr.execute("DELETE FROM sms_sms WHERE body = %s", [BODY])
        # The queue's wake-ups of the dispatch cron: no server runs on this database to take them.
        dispatch = env.ref("intellipush_sms.ir_cron_intellipush_dispatch")
        cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [dispatch.id])


def make_queue(registry, base_url, size):
    """The company on Intellipush through the sandbox, credits, and ``size`` queued SMS."""
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        # A Norwegian SMS costs a little more than one credit.
        company = connect_main_company(env, base_url, API_ID, API_SECRET, 2 * size)
        cr.commit()
        for start in range(0, size, CHUNK):
            env["sms.sms"].create(
                [
                    {"number": f"+47{FIRST_NUMBER + index}", "body": BODY, "company_id": company.id}
                    for index in range(start, min(start + CHUNK, size))
                ]
            )._intellipush_queue()
            cr.commit()
            env.invalidate_all()
        cr.execute("SELECT credit_state, COUNT(*) FROM sms_sms WHERE body = %s GROUP BY credit_state", [BODY])
        credit_states = dict(cr.fetchall())
        if credit_states != {"reserved": size}:
            raise RuntimeError(f"the queue is not reserved as expected: {credit_states}")


class RetryCounter(logging.Handler):
    """Counts what ``odoo.service.model.retrying`` and the runner's ``_run_batch`` log: each retry after a
    serialization failure (two workers moving credits of one wallet) and the
    seconds it sleeps before it."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.retries = 0
        self.slept = 0.0

    def emit(self, record):
        if "try again in" in record.msg:
            self.retries += 1
            self.slept += float(record.args[-1])


def run_worker():
    """``--worker``: load the registry, say ``ready``, wait for ``go`` on stdin,
    dispatch until nothing is due; print one JSON line of what it did."""
    logging.getLogger("odoo").setLevel(logging.WARNING)  # figures, not the loading log
    registry = open_registry(DB, "intellipush_sms")
    retries = RetryCounter()
    # Odoo's request retry, and the runner's own for a batch (same message).
    for name in ("odoo.service.model", "odoo.addons.intellipush_sms.models.intellipush_cron_runner"):
        retry_logger = logging.getLogger(name)
        retry_logger.setLevel(logging.INFO)
        retry_logger.addHandler(retries)
        retry_logger.propagate = False
    import odoo  # noqa: PLC0415

    print("ready", flush=True)
    sys.stdin.readline()
    started = time.time()
    sent = calls = 0
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        sms_model = env["sms.sms"]
        while True:
            done = sms_model._cron_intellipush_dispatch()
            calls += 1
            sent += done
            cr.commit()
            if not done:
                if not sms_model._intellipush_queue_size():
                    break
                time.sleep(0.05)  # what is due is locked by the other worker, for now
    report = {"sent": sent, "calls": calls, "started": started, "ended": time.time()}
    print(json.dumps({**report, "retries": retries.retries, "slept": retries.slept}), flush=True)


def dispatch(workers):
    """Start ``workers`` worker processes, let them go at once; (start time, their JSON reports)."""
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
        )
        for _ in range(workers)
    ]
    try:
        for process in processes:
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError("a worker did not start")
        started = time.time()
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        reports = []
        for process in processes:
            process.stdin.close()
            output = process.stdout.read()
            if process.wait():
                raise RuntimeError(f"a worker failed ({process.returncode})")
            reports.append(json.loads(output.strip().splitlines()[-1]))
        return started, reports
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()


def left_queued(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT COUNT(*) FROM sms_sms WHERE body = %s AND state IN ('outgoing', 'process')", [BODY])
        return cr.fetchone()[0]


def main():
    if sys.argv[1:2] == ["--worker"]:
        run_worker()
        return
    sizes = parse_sizes(__doc__, [20000])
    logging.getLogger("odoo").setLevel(logging.WARNING)  # figures, not the loading log
    registry = open_registry(DB, "intellipush_sms")
    logging.getLogger("intellipush_sandbox").setLevel(logging.WARNING)
    import odoo  # noqa: PLC0415

    # Delivered at once: the sandbox then keeps no growing list of messages to move along.
    sandbox = Sandbox(port=0, api_id=API_ID, api_secret=API_SECRET, auto_deliver_after=0).start()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        params = env["ir.config_parameter"]
        batch_size = params.get_param("intellipush_sms.batch_size") or "1000 (default)"
        call_size = params.get_param("intellipush_sms.call_size") or "200 (default)"
    print(f"Dispatch batch size: {batch_size}, SMS per call: {call_size}")
    header = ("SMS", "workers", "seconds", "SMS/s", "sent by each", "at sandbox", "duplicates", "left queued",
              "retries", "retry sleep s")  # fmt: skip
    print("{:>7} {:>8} {:>8} {:>8} {:>16} {:>11} {:>11} {:>12} {:>8} {:>14}".format(*header))
    try:
        for size in sizes:
            rates = {}
            for workers in (1, 2):
                cleanup(registry)
                vacuum(DB)
                sandbox.reset()
                make_queue(registry, sandbox.url, size)
                started, reports = dispatch(workers)
                seconds = max(report["ended"] for report in reports) - started
                numbers = Counter(message["phonenumber"] for message in sandbox.messages())
                duplicates = sum(1 for count in numbers.values() if count > 1)
                rates[workers] = len(numbers) / seconds
                sent = "+".join(str(report["sent"]) for report in reports)
                print(
                    f"{size:>7} {workers:>8} {seconds:>8.1f} {rates[workers]:>8.0f} {sent:>16}"
                    f" {sum(numbers.values()):>11} {duplicates:>11} {left_queued(registry):>12}"
                    f" {sum(report['retries'] for report in reports):>8}"
                    f" {sum(report['slept'] for report in reports):>14.1f}",
                    flush=True,
                )
            print(f"{'':>7} two workers / one: {rates[2] / rates[1]:.2f}x", flush=True)
    finally:
        cleanup(registry)
        vacuum(DB)
        sandbox.stop()


if __name__ == "__main__":
    main()
