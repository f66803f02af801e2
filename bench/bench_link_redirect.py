#!/usr/bin/env python3
"""The redirect route of campaign links (``/r/<code>/s/<sms id>``, Odoo's
link tracker on the company's domain) under a campaign of 100,000
recipients: latency of one phone at a time and of several at once, and
requests per second, through a real Odoo HTTP server.

    python3 bench/bench_link_redirect.py [--sizes 100000] [--requests 2000] [--concurrency 8]

Each request is a recipient opening their own link: a click recorded on
their trace, then a 302 (not cached) to the campaign's page. Next to it, in the same
run, the same link without a recipient (``/r/<code>``), where Odoo counts
the click on the link's row inside the request, as its campaign route did
before our addon left that count to a scheduled action. The benchmark
checks every click was recorded and that the redirect carries nothing of
the recipient. Uses (and creates on first run) the database
``intellipush_bench_marketing``; the campaign is removed at the end.
"""

import argparse
import random
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from odoo_bench_db import addons_path, open_registry  # bench/ is on sys.path when the script runs

DB = "intellipush_bench_marketing"

TARGET = "https://butikk.example/jul"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def populate(registry, size):
    """A sent campaign with one link and ``size`` SMS traces; returns (mailing id, tracker code, first sms id)."""
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        for stale in env["mailing.mailing"].search([("subject", "=", "Bench redirect")]):
            cleanup(cr, stale.id)  # left by an interrupted run
        mailing = env["mailing.mailing"].create(
            {
                "subject": "Bench redirect",
                "mailing_type": "sms",
                "body_plaintext": f"Julesalg: {TARGET}",
                "mailing_model_id": env["ir.model"]._get_id("res.partner"),
                "state": "done",
            }
        )
        tracker = env["link.tracker"].create({"url": TARGET, "title": "Julesalg", "mass_mailing_id": mailing.id})
        first_sms_id = 10**9  # far above real SMS ids: the traces stand alone
        cr.execute(
            """INSERT INTO mailing_trace (trace_type, model, res_id, mass_mailing_id, sms_id_int, sms_number,
                                          trace_status, sent_datetime, create_date, write_date)
               SELECT 'sms', 'res.partner', n, %s, %s + n, '+47' || (41000000 + n), 'sent', now(), now(), now()
                 FROM generate_series(1, %s) n""",
            [mailing.id, first_sms_id, size],
        )
        return mailing.id, tracker.code, first_sms_id


def cleanup(cr, mailing_id):
    cr.execute("DELETE FROM link_tracker_click WHERE mass_mailing_id = %s", [mailing_id])
    cr.execute("DELETE FROM mailing_trace WHERE mass_mailing_id = %s", [mailing_id])
    cr.execute("DELETE FROM link_tracker WHERE mass_mailing_id = %s", [mailing_id])
    cr.execute("DELETE FROM mailing_mailing WHERE id = %s", [mailing_id])


def start_odoo(port):
    server = subprocess.Popen(
        [sys.executable, "-m", "odoo", "server", f"--database={DB}", f"--db-filter=^{DB}$",
         "--db_host=127.0.0.1", f"--addons-path={addons_path()}", f"--http-port={port}",
         f"--gevent-port={free_port()}", "--max-cron-threads=0", "--log-level=warn"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(120):
        try:
            # The first request loads the registry: it may take a while.
            if requests.get(f"http://127.0.0.1:{port}/web/health", timeout=30).ok:
                return server
        except requests.RequestException:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("Odoo did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100000])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    registry = open_registry(DB, "intellipush_sms_marketing")
    port = free_port()
    header = ("traces", "route", "at once", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s")
    print("{:>8} {:<16} {:>8} {:>9} {:>7} {:>7} {:>7} {:>7}".format(*header))
    for size in args.sizes:
        mailing_id, code, first_sms_id = populate(registry, size)
        server = start_odoo(port)
        try:

            def open_link(sms_id, code=code):
                """Open a link as from a recipient's phone (a new connection each
                time); ``sms_id`` None opens the link without a recipient."""
                path = f"/r/{code}/s/{sms_id}" if sms_id else f"/r/{code}"
                started = time.perf_counter()
                response = requests.get(f"http://127.0.0.1:{port}{path}", allow_redirects=False, timeout=30)
                assert response.status_code == 302, response.status_code
                location = response.headers["Location"]
                assert location.startswith(TARGET) and str(sms_id) not in location, location
                return time.perf_counter() - started

            sms_ids = [first_sms_id + random.randint(1, size) for _ in range(args.requests)]
            open_link(sms_ids[0])  # warm the worker's caches
            runs = (
                ("campaign link", 1, sms_ids),
                ("campaign link", args.concurrency, sms_ids),
                # Odoo's own route counts the click on the link's row in the request.
                ("plain /r/ link", args.concurrency, [None] * args.requests),
            )
            for label, workers, targets in runs:
                started = time.perf_counter()
                with ThreadPoolExecutor(workers) as pool:
                    latencies = sorted(pool.map(open_link, targets))
                elapsed = time.perf_counter() - started
                quantiles = statistics.quantiles(latencies, n=100)
                print(
                    f"{size:>8} {label:<16} {workers:>8} {len(latencies):>9} {1000 * quantiles[49]:>7.1f}"
                    f" {1000 * quantiles[94]:>7.1f} {1000 * quantiles[98]:>7.1f} {len(latencies) / elapsed:>7.0f}",
                    flush=True,
                )
            with registry.cursor() as cr:
                cr.execute("SELECT COUNT(*) FROM link_tracker_click WHERE mass_mailing_id = %s", [mailing_id])
                assert cr.fetchone()[0] == 2 * args.requests + 1, "every campaign visit is a recorded click"
        finally:
            server.terminate()
            server.wait()
            with registry.cursor() as cr:
                cleanup(cr, mailing_id)


if __name__ == "__main__":
    main()
