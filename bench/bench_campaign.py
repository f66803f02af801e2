#!/usr/bin/env python3
"""Sending an SMS campaign with a personalised text and a tracked link to
10,000 and 100,000 consenting contacts: our gateway to the Intellipush
sandbox against Odoo's own SMS Marketing pipeline to a local fake of its
IAP endpoint, on the same recipients in the same run.

    python3 bench/bench_campaign.py [--sizes 10000 100000]

For each size and pipeline it prints the seconds to create the campaign's
SMS (Odoo's composer: rendering, per-recipient links, traces; for ours also
consent rules and credit reservation), the seconds to hand them all to the
provider (our dispatch cron / Odoo's SMS queue), the SMS per second over
both, and the peak memory (resident set) of the Odoo process doing it,
next to what it held once Odoo was loaded. Each pipeline runs in a process
of its own so that its peak memory is its own.

Both pipelines create the campaign's SMS with Odoo's composer in chunks of
5,000 recipients (our addon's ``mailing.mailing.action_send_sms``): stock
Odoo hands its composer all recipients as one text that its
``literal_eval`` refuses beyond 100 KiB, so a mailing to more than about
12,000 contacts fails there ("expression can't exceed buffer limit").

Uses (and creates on first run) the database ``intellipush_bench_marketing``
with ``intellipush_sms_marketing``. The contacts are copied in SQL and
removed again at the end of each size, with their SMS and traces.
"""

import json
import logging
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from odoo_bench_db import REPO_ROOT, columns, open_registry, parse_sizes  # bench/ is on sys.path when the script runs

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


def cleanup(registry, partner_ids):
    """Remove the bench campaigns, their SMS and the bench contacts.

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
        cr.execute("DELETE FROM res_partner WHERE id = ANY(%s) OR name LIKE 'Kunde %%'", [partner_ids])


def memory_mb(key):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in MB. Not
    ``ru_maxrss``: Linux carries that over from the parent process."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def run_pipeline(pipeline, size, endpoint, link):
    """In a process of its own: send the campaign through ``pipeline``; print its figures as JSON."""
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
                    "intellipush_link_backend": "odoo",
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

        started = time.perf_counter()
        mailing.action_send_sms()
        cr.commit()
        created = time.perf_counter()
        sms_model = env["sms.sms"]
        if pipeline == "intellipush":
            sms_model._cron_intellipush_dispatch()
        else:
            # Odoo's queue takes at most 10,000 SMS per run.
            while sms_model.search_count([("state", "=", "outgoing"), ("mailing_id", "=", mailing.id)]):
                sms_model._process_queue()
                cr.commit()
        handed = time.perf_counter()
        env.invalidate_all()
        sent = sms_model.search_count([("mailing_id", "=", mailing.id), ("state", "in", ("pending", "sent"))])
        cr.commit()
    peak_mb = memory_mb("VmHWM")
    print(
        json.dumps(
            {
                "create": created - started,
                "dispatch": handed - created,
                "sent": sent,
                "loaded_mb": loaded_mb,
                "peak_mb": peak_mb,
            }
        )
    )


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        run_pipeline(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    sizes = parse_sizes(__doc__, [10000, 100000])
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
    header = ("recipients", "pipeline", "create s", "dispatch s", "SMS/s", "loaded MB", "peak MB", "sent")
    print("{:>10} {:<34} {:>9} {:>11} {:>8} {:>9} {:>8} {:>8}".format(*header))
    for size in sizes:
        partner_ids = populate(registry, size)
        try:
            for pipeline, label in (
                ("intellipush", "Intellipush gateway (sandbox)"),
                ("odoo", "Odoo mass_mailing_sms (fake IAP)"),
            ):
                sandbox.reset()
                fake_iap.received = 0
                output = subprocess.run(
                    [sys.executable, __file__, "--run", pipeline, str(size), endpoints[pipeline], link],
                    stdout=subprocess.PIPE,  # the figures; warnings and errors go to our stderr
                    text=True,
                    check=True,
                    env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
                ).stdout
                figures = json.loads(output.strip().splitlines()[-1])
                received = len(sandbox.messages()) if pipeline == "intellipush" else fake_iap.received
                assert figures["sent"] == size == received, (pipeline, figures, received)
                seconds = figures["create"] + figures["dispatch"]
                print(
                    f"{size:>10} {label:<34} {figures['create']:>9.1f} {figures['dispatch']:>11.1f}"
                    f" {size / seconds:>8.0f} {figures['loaded_mb']:>9.0f} {figures['peak_mb']:>8.0f} {received:>8}",
                    flush=True,
                )
        finally:
            cleanup(registry, partner_ids)
    sandbox.stop()
    fake_iap.shutdown()


if __name__ == "__main__":
    main()
