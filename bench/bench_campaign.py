#!/usr/bin/env python3
"""Sending an SMS campaign with a personalised text and a tracked link to
10,000 and 100,000 consenting contacts: our gateway to the Intellipush
sandbox against Odoo's own SMS Marketing pipeline to a local fake of its
IAP endpoint, on the same recipients in the same run.

    python3 bench/bench_campaign.py [--sizes 10000 100000] [--repeat N] [--intellipush-links]

For each size and pipeline it prints, from the moment the campaign is sent:

- create s: until all its SMS exist (Odoo's composer: rendering,
  per-recipient links, traces; for ours also consent rules and credit
  reservation);
- shorten s: time our dispatch spent on Intellipush's short links (only
  with ``--intellipush-links``; by default the campaign keeps Odoo's links);
- first s: until the first SMS was handed to the provider;
- total s: until all were handed over, and the SMS per second over it;
- the peak memory (resident set) of the Odoo process creating the campaign
  (for Odoo's pipeline, also sending it) and of ours dispatching it, next to
  what one held once Odoo was loaded;
- for ours, the seconds of the mailing form's live estimate of the cost
  before sending (read once, on the saved draft).

A last line per size gives the ratio of our SMS/s to Odoo's. With
``--repeat N`` the two pipelines run N times in turn on each size, a row
each, and the last line gives the ratio of the median rates, with the
ratios of each turn: on a shared machine one turn can be a third slower
than the next for both pipelines alike.

Ours runs as in production: the mass mailing queue's scheduled action
creates the campaign chunk by chunk, committing each, while the dispatch
cron, in a process of its own (another worker), sends what is committed.
Odoo's composer creates the campaign in one transaction and its SMS queue
sends afterwards. The dispatch process has loaded its registry before the
campaign is sent, as a running worker has. Each pipeline runs in processes of its own so that their
peak memory is their own.

Both pipelines create the campaign's SMS with Odoo's composer in chunks of
5,000 recipients (our addon's ``mailing.mailing.action_send_sms``): stock
Odoo hands its composer all recipients as one text that its
``literal_eval`` refuses beyond 100 KiB, so a mailing to more than about
12,000 contacts fails there ("expression can't exceed buffer limit").

Uses (and creates on first run) the database ``intellipush_bench_marketing``
with ``intellipush_sms_marketing``. The contacts are copied in SQL and
removed again at the end of each size, with their SMS and traces. The
sandbox and the fake IAP listen on free ports the system picks.
"""

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from odoo_bench_db import REPO_ROOT, columns, open_registry, vacuum  # bench/ is on sys.path when the script runs

sys.path.append(str(REPO_ROOT))
from intellipush_sandbox import Sandbox  # noqa: E402

DB = "intellipush_bench_marketing"
BODY = "Hei {{ object.sms_first_name }}! Vintersalg i dag: 40 % på alle jakker. Se tilbudene: {link}"
FIRST_NUMBER = 41000000  # +47 41000000 and up: valid Norwegian mobile numbers


class FakeIap(BaseHTTPRequestHandler):
    """Odoo's SMS IAP endpoint (``/api/sms/3/send``) answering "success" for
    every number, and a page with a title for the link tracker to read."""

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        pass

    def _answer(self, content_type, body):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server naming)
        self._answer("text/html", b"<html><head><title>Vintersalg</title></head></html>")

    def do_POST(self):  # noqa: N802 (http.server naming)
        self.server.first_at = self.server.first_at or time.time()
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        results = [
            {"uuid": number["uuid"], "state": "success", "credit": 1}
            for message in request["params"]["messages"]
            for number in message["numbers"]
        ]
        self.server.received += len(results)
        self._answer(
            "application/json", json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": results}).encode()
        )


def start_fake_iap():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeIap)
    server.received = 0
    server.first_at = None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def populate(registry, size):
    """``size`` contacts with a mobile number and documented consent; returns their ids."""
    import odoo  # noqa: PLC0415

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        model = env["res.partner"].create(
            {
                "name": "Bench Model",
                "mobile": f"+47 {FIRST_NUMBER}",
                "country_id": env.ref("base.no").id,
                "sms_consent_state": "granted",
                "sms_consent_channel": "web_form",
                "sms_consent_proof": "Kryss av for SMS-tilbud i kundeklubbskjemaet på nett.",
            }
        )
        env.flush_all()
        copied = ", ".join(columns(cr, "res_partner", {"id", "name", "complete_name", "mobile", "phone_sanitized"}))
        cr.execute(
            f"""INSERT INTO res_partner (name, complete_name, mobile, phone_sanitized, {copied})
                SELECT 'Kunde ' || n, 'Kunde ' || n, '+47 ' || (%s + n), '+47' || (%s + n), {copied}
                  FROM res_partner, generate_series(1, %s) n WHERE res_partner.id = %s
             RETURNING id""",  # noqa: S608 (column names from the catalogue)
            [FIRST_NUMBER, FIRST_NUMBER, size, model.id],
        )
        partner_ids = [row[0] for row in cr.fetchall()]
        model.unlink()
        return partner_ids


def cleanup(registry, partner_ids=None):
    """Remove the bench campaigns, their SMS and, with ``partner_ids``, the bench contacts.

    Foreign-key checks are switched off for the transaction: Odoo has no
    index on ``sms_tracker.mailing_trace_id``, so deleting 100,000 traces
    would scan that table once per trace. What they would cascade to is
    deleted first, explicitly."""
    with registry.cursor() as cr:
        cr.execute("SET LOCAL session_replication_role = replica")
        cr.execute("SELECT id FROM mailing_mailing WHERE subject LIKE 'Bench campaign%%'")
        mailing_ids = [row[0] for row in cr.fetchall()] or [0]
        cr.execute("SELECT id, uuid FROM sms_sms WHERE mailing_id = ANY(%s)", [mailing_ids])
        sms_ids, sms_uuids = zip(*cr.fetchall(), strict=True) if cr.rowcount else ((0,), ("",))
        cr.execute("DELETE FROM sms_tracker WHERE sms_uuid = ANY(%s)", [list(sms_uuids)])
        cr.execute("DELETE FROM intellipush_credit_ledger WHERE sms_id = ANY(%s)", [list(sms_ids)])
        cr.execute("DELETE FROM sms_sms WHERE id = ANY(%s)", [list(sms_ids)])
        cr.execute("DELETE FROM mailing_trace WHERE mass_mailing_id = ANY(%s)", [mailing_ids])
        cr.execute("DELETE FROM link_tracker WHERE mass_mailing_id = ANY(%s)", [mailing_ids])
        cr.execute("DELETE FROM mailing_mailing WHERE id = ANY(%s)", [mailing_ids])
        if partner_ids is not None:
            cr.execute("DELETE FROM res_partner WHERE id = ANY(%s) OR name LIKE 'Kunde %%'", [partner_ids])
        # The ledger rows went in SQL: the wallets' running balances follow the ledger again.
        import odoo  # noqa: PLC0415 (imported once Odoo is known to be importable)

        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["intellipush.credit.wallet"].search([])._recompute_running_balances()


def memory_mb(key):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in MB. Not
    ``ru_maxrss``: Linux carries that over from the parent process."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def run_pipeline(pipeline, size, endpoint, link, provider_links):
    """In a process of its own: send the campaign through ``pipeline``; print its figures as JSON.

    Times are wall-clock (``time.time()``) so that the dispatch process's
    moments compare with this one's."""
    registry = open_registry(DB, "intellipush_sms_marketing")
    logging.getLogger("odoo").setLevel(logging.WARNING)  # the figures, not a log line per batch
    import odoo  # noqa: PLC0415

    loaded_mb = memory_mb("VmRSS")
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.company
        env["ir.config_parameter"].set_param("sms.endpoint", endpoint)
        if pipeline == "intellipush":
            company.write(
                {
                    "sms_provider": "intellipush",
                    "intellipush_api_id": "bench-id",
                    "intellipush_api_secret": "bench-secret",
                    "intellipush_base_url": endpoint,
                    "intellipush_country_id": env.ref("base.no").id,
                    "intellipush_link_backend": "intellipush" if provider_links else "odoo",
                    "intellipush_quiet_hours": False,  # a run at night measures sending, not waiting
                }
            )
            env["intellipush.credit.wallet"]._for_company(company)._purchase(
                2 * size, 0.59 * 2 * size, company.currency_id
            )
        else:
            company.sms_provider = "iap"
        mailing = env["mailing.mailing"].create(
            {
                "subject": f"Bench campaign {pipeline} {size}",
                "mailing_type": "sms",
                "body_plaintext": BODY.format(link=link),
                "sms_allow_unsubscribe": False,
                "mailing_model_id": env["ir.model"]._get_id("res.partner"),
                # A segment, as a manager would pick it (a list of 100,000 ids
                # is more than Odoo parses back from a mailing's domain).
                "mailing_domain": repr([("name", "=like", "Kunde %"), ("mobile", "!=", False)]),
            }
        )
        cr.commit()
        estimate = None
        if pipeline == "intellipush":
            started = time.perf_counter()
            assert mailing.intellipush_cost_summary
            estimate = time.perf_counter() - started
            mailing.invalidate_recordset()
            dispatcher = subprocess.Popen(
                [sys.executable, __file__, "--dispatch", str(mailing.id), str(size)],
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
            )
            # A cron worker has its registry loaded before anyone sends: so has this one.
            if dispatcher.stdout.readline().strip() != "ready":
                raise RuntimeError("the dispatch process did not start")
        sent_at = time.time()
        if pipeline == "intellipush":
            # As the mass mailing queue's scheduled action sends it: chunk by chunk, each committed.
            queue_cron = env.ref("mass_mailing.ir_cron_mass_mailing_queue")
            try:
                mailing.with_context(cron_id=queue_cron.id).action_send_sms()
            except Exception:
                dispatcher.kill()
                raise
        else:
            mailing.action_send_sms()
        cr.commit()
        created_at = time.time()
        sms_model = env["sms.sms"]
        if pipeline == "intellipush":
            dispatch = json.loads(dispatcher.communicate()[0].strip().splitlines()[-1])
            assert dispatcher.returncode == 0, dispatch
            first_at, handed_at = dispatch["first_at"], dispatch["handed_at"]
            shortening, dispatch_peak_mb = dispatch["shortening"], dispatch["peak_mb"]
        else:
            # Odoo's queue takes at most 10,000 SMS per run.
            while sms_model.search_count([("state", "=", "outgoing"), ("mailing_id", "=", mailing.id)]):
                sms_model._process_queue()
                cr.commit()
            first_at, handed_at, shortening, dispatch_peak_mb = None, time.time(), 0.0, 0
        env.invalidate_all()
        sent = sms_model.search_count([("mailing_id", "=", mailing.id), ("state", "in", ("pending", "sent"))])
        cr.commit()
    print(
        json.dumps(
            {
                "sent_at": sent_at,
                "create": created_at - sent_at,
                "shortening": shortening,
                "first": first_at - sent_at if first_at else None,
                "total": handed_at - sent_at,
                "estimate": estimate,
                "sent": sent,
                "loaded_mb": loaded_mb,
                "peak_mb": memory_mb("VmHWM"),
                "dispatch_peak_mb": dispatch_peak_mb,
            }
        )
    )


def run_dispatch(mailing_id, size):
    """In a process of its own, as the dispatch cron's worker: send what the
    campaign has committed until all ``size`` SMS are handed over; print when
    the first and the last went, and the time spent shortening links."""
    registry = open_registry(DB, "intellipush_sms_marketing")
    logging.getLogger("odoo").setLevel(logging.WARNING)
    import odoo  # noqa: PLC0415

    moments = {"first_at": None, "shortening": 0.0}
    sms_class = registry["sms.sms"]
    dispatch_batch, shorten = sms_class._intellipush_dispatch, sms_class._intellipush_shorten_campaign_links

    def timed_dispatch(self):
        result = dispatch_batch(self)
        moments["first_at"] = moments["first_at"] or time.time()
        return result

    def timed_shorten(self, limit):
        started = time.perf_counter()
        try:
            return shorten(self, limit)
        finally:
            moments["shortening"] += time.perf_counter() - started

    sms_class._intellipush_dispatch, sms_class._intellipush_shorten_campaign_links = timed_dispatch, timed_shorten
    handed = 0
    parent = os.getppid()
    print("ready", flush=True)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        sms_model = env["sms.sms"]
        deadline = time.time() + 3600
        # Until all went, or the campaign's process is gone.
        while handed < size and time.time() < deadline and os.getppid() == parent:
            if not sms_model._cron_intellipush_dispatch():
                time.sleep(0.05)  # the next chunk is still being created
            cr.commit()
            env.invalidate_all()
            handed = sms_model.search_count([("mailing_id", "=", mailing_id), ("state", "in", ("pending", "sent"))])
            cr.commit()
    print(json.dumps({**moments, "handed_at": time.time(), "handed": handed, "peak_mb": memory_mb("VmHWM")}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        run_pipeline(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6] == "1")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--dispatch":
        run_dispatch(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--repeat", type=int, default=1, help="turns of both pipelines per size")
    parser.add_argument(
        "--intellipush-links", action="store_true", help="our campaign's links shortened by Intellipush"
    )
    args = parser.parse_args()
    registry = open_registry(DB, "intellipush_sms_marketing")
    logging.getLogger("intellipush_sandbox").setLevel(logging.WARNING)
    sandbox = Sandbox(port=0, api_id="bench-id", api_secret="bench-secret").start()  # noqa: S106
    fake_iap = start_fake_iap()
    # Served by the fake, so the link tracker finds the page's title.
    link = f"http://127.0.0.1:{fake_iap.server_address[1]}/tilbud/vinter"
    endpoints = {
        "intellipush": sandbox.url,
        "odoo": f"http://127.0.0.1:{fake_iap.server_address[1]}",
    }
    header = (
        "recipients", "pipeline", "create s", "shorten s", "first s", "total s", "SMS/s",
        "loaded MB", "peak MB", "dispatch MB", "estimate s", "sent",
    )  # fmt: skip
    row = "{:>10} {:<34} {:>8} {:>9} {:>7} {:>7} {:>6} {:>9} {:>7} {:>11} {:>10} {:>7}"
    print(row.format(*header))
    for size in args.sizes:
        partner_ids = populate(registry, size)
        rates = {"intellipush": [], "odoo": []}
        try:
            for turn, (pipeline, label) in enumerate(
                [("intellipush", "Intellipush gateway (sandbox)"), ("odoo", "Odoo mass_mailing_sms (fake IAP)")]
                * args.repeat
            ):
                if turn and pipeline == "intellipush":
                    cleanup(registry)  # each turn on the contacts alone, as the first
                sandbox.reset()
                fake_iap.received, fake_iap.first_at = 0, None
                vacuum(DB)  # neither pipeline runs on what the other left
                output = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--run",
                        pipeline,
                        str(size),
                        endpoints[pipeline],
                        link,
                        "1" if args.intellipush_links else "0",
                    ],
                    stdout=subprocess.PIPE,  # the figures; warnings and errors go to our stderr
                    text=True,
                    check=True,
                    env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
                ).stdout
                figures = json.loads(output.strip().splitlines()[-1])
                received = len(sandbox.messages()) if pipeline == "intellipush" else fake_iap.received
                assert figures["sent"] == size == received, (pipeline, figures, received)
                first = figures["first"]
                if first is None and fake_iap.first_at:
                    first = fake_iap.first_at - figures["sent_at"]
                rates[pipeline].append(size / figures["total"])
                estimate = f"{figures['estimate']:.2f}" if figures["estimate"] is not None else "-"
                print(
                    row.format(
                        size,
                        label,
                        f"{figures['create']:.1f}",
                        f"{figures['shortening']:.1f}",
                        f"{first:.1f}",
                        f"{figures['total']:.1f}",
                        f"{rates[pipeline][-1]:.0f}",
                        f"{figures['loaded_mb']:.0f}",
                        f"{figures['peak_mb']:.0f}",
                        f"{figures['dispatch_peak_mb']:.0f}" if figures["dispatch_peak_mb"] else "-",
                        estimate,
                        received,
                    ),
                    flush=True,
                )
            ratio = statistics.median(rates["intellipush"]) / statistics.median(rates["odoo"])
            turns = ""
            if args.repeat > 1:
                pairs = zip(rates["intellipush"], rates["odoo"], strict=True)
                each = ", ".join(f"{ours / odoo:.2f}x" for ours, odoo in pairs)
                turns = f" (median of {args.repeat} turns; each turn: {each})"
            print(f"{size:>10} ours / Odoo: {ratio:.2f}x SMS/s{turns}", flush=True)
        finally:
            cleanup(registry, partner_ids)
            vacuum(DB)
    sandbox.stop()
    fake_iap.shutdown()


if __name__ == "__main__":
    main()
