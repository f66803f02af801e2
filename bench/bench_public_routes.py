#!/usr/bin/env python3
"""The two public routes a crowd reaches without logging in, under load from
a second process on loopback, through a real Odoo HTTP server: the door
endpoint (``POST /intellipush/access/<id>/validate`` with the door's API key)
and the campaign redirect (``/r/<code>/s/<sms id>``). Requests per second and
latency percentiles for each; figures only, nothing is asserted on time.

    python3 bench/bench_public_routes.py [--requests 1000] [--concurrency 1 8] [--seconds 60] [--traces 10000]

Each scenario runs once per ``--concurrency`` (requests at once), each run
bounded by ``--requests`` and by ``--seconds`` (no new request is started
past it). Every request opens a new connection, as a door controller or a
phone does. Door scenarios:

- right codes: each request presents the code of one of 200 live codes
  (unlimited uses), picked at random: granted, one attempt row each;
- wrong codes, no lock-out: the resource's lock-out is off, so every request
  goes through the whole check and writes its attempt row;
- wrong codes, default lock-out: after 20 failures the door is locked and
  the rest are refused as such (what a code-guessing script meets).

The campaign run opens recipients' links of a sent campaign with ``--traces``
recipients. Uses (and creates on first run) the database of
bench_link_redirect.py, ``intellipush_bench_marketing``; what it adds is
removed at the end. The status of every answer is counted and printed.
"""

import argparse
import logging
import random
import secrets
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from bench_link_redirect import DB, cleanup, free_port, populate, start_odoo  # bench/ is on sys.path
from odoo_bench_db import open_registry

LIVE_CODES = 200
RESOURCE_NAME = "Bench door"


def populate_doors(registry):
    """Three resources and their API keys; the codes of the first one's live grants."""
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        cleanup_doors(cr)  # left by an interrupted run
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        doors = {}
        for label, values in (
            ("right", {}),
            ("wrong, no lock-out", {"lockout_number_failures": 0, "lockout_resource_failures": 0}),
            ("wrong, lock-out", {}),
        ):
            resource = env["intellipush.access.resource"].create({"name": RESOURCE_NAME, "max_uses": 0, **values})
            doors[label] = (resource.id, resource.action_new_api_key()["context"]["default_key"])
        right = env["intellipush.access.resource"].browse(doors["right"][0])
        now = odoo.fields.Datetime.now()
        codes = [f"{secrets.randbelow(10**6):06d}" for _ in range(LIVE_CODES)]
        env["intellipush.access.grant"].create(
            [
                {
                    "resource_id": right.id,
                    "number": f"+474{index:07d}",
                    "valid_from": now - timedelta(minutes=1),
                    "valid_to": now + timedelta(hours=2),
                    "max_uses": 0,
                    "channel": "sms",
                    "code_hash": right._access_code_hash(code),
                }
                for index, code in enumerate(codes)
            ]
        )
        return doors, codes


def cleanup_doors(cr):
    cr.execute("SELECT id FROM intellipush_access_resource WHERE name = %s", [RESOURCE_NAME])
    ids = tuple(resource_id for (resource_id,) in cr.fetchall()) or (0,)
    cr.execute("DELETE FROM intellipush_access_attempt WHERE resource_id IN %s", [ids])
    cr.execute("DELETE FROM intellipush_access_grant WHERE resource_id IN %s", [ids])
    cr.execute("DELETE FROM intellipush_access_resource WHERE id IN %s", [ids])


def timed(send):
    """``send()``'s status and how long it took."""
    started = time.perf_counter()
    status = send()
    return status, time.perf_counter() - started


def run(label, send, targets, concurrency, seconds):
    """``send(target)`` for each target from ``concurrency`` threads, stopping
    once ``seconds`` have passed; prints one line of figures."""
    deadline = time.monotonic() + seconds

    def one(target):
        if time.monotonic() > deadline:
            return None
        return timed(lambda: send(target))

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = [result for result in pool.map(one, targets) if result]
    elapsed = time.perf_counter() - started
    if len(results) < 2:
        print(f"{label:<30} {concurrency:>7} {len(results):>8}  (time budget spent before two requests)", flush=True)
        return
    latencies = sorted(latency for _status, latency in results)
    quantiles = statistics.quantiles(latencies, n=100)
    statuses = ", ".join(f"{status} x{count}" for status, count in sorted(Counter(s for s, _l in results).items()))
    print(
        f"{label:<30} {concurrency:>7} {len(results):>8} {len(results) / elapsed:>7.0f}"
        f" {1000 * statistics.median(latencies):>7.1f} {1000 * quantiles[98]:>7.1f}  {statuses}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="requests per run (at most)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8], help="requests at once, one run each")
    parser.add_argument("--seconds", type=float, default=60, help="time budget per run")
    parser.add_argument("--traces", type=int, default=10000, help="recipients of the campaign")
    args = parser.parse_args()
    if args.requests < 2:
        sys.exit("--requests must be at least 2")

    registry = open_registry(DB, "intellipush_sms_marketing")
    logging.getLogger("odoo").setLevel(logging.WARNING)  # figures only from here on
    doors, codes = populate_doors(registry)
    mailing_id, link_code, first_sms_id = populate(registry, args.traces)
    port = free_port()
    server = start_odoo(port)
    base = f"http://127.0.0.1:{port}"
    try:

        def door(label):
            resource_id, key = doors[label]
            url = f"{base}/intellipush/access/{resource_id}/validate"
            headers = {"Authorization": f"Bearer {key}"}

            def send(code):
                answer = requests.post(url, json={"code": code}, headers=headers, timeout=30)
                try:
                    verdict = answer.json()
                except ValueError:
                    return str(answer.status_code)
                return f"{answer.status_code} {verdict.get('access') or verdict.get('error')}"

            return send

        def campaign_link(sms_id):
            answer = requests.get(f"{base}/r/{link_code}/s/{sms_id}", allow_redirects=False, timeout=30)
            return str(answer.status_code)

        door("right")(codes[0])  # warm the worker's caches
        campaign_link(first_sms_id + 1)
        n = args.requests
        runs = (
            ("door: right codes", door("right"), lambda: [random.choice(codes) for _ in range(n)]),
            # These resources hold no code: every code is wrong.
            ("door: wrong codes, no lock-out", door("wrong, no lock-out"), lambda: [f"{i:06d}" for i in range(n)]),
            ("door: wrong codes, lock-out", door("wrong, lock-out"), lambda: [f"{i:06d}" for i in range(n)]),
            ("campaign link /r/<code>/s/<id>", campaign_link,
             lambda: [first_sms_id + random.randint(1, args.traces) for _ in range(n)]),
        )  # fmt: skip
        print(f"{'route':<30} {'at once':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}  answers")
        for label, send, targets in runs:
            for concurrency in args.concurrency:
                run(label, send, targets(), concurrency, args.seconds)
    finally:
        server.terminate()
        server.wait()
        with registry.cursor() as cr:
            cleanup(cr, mailing_id)
            cleanup_doors(cr)


if __name__ == "__main__":
    main()
