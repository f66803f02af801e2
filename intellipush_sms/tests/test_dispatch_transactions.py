"""Dispatch across real, committed transactions: two workers at once, and a
worker killed while Intellipush holds its batch.

These tests cannot run inside the usual rolled-back test transaction, so they
commit their fixtures and remove them again afterwards.
"""

import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import BaseCase, tagged
from odoo.tools import config, mute_logger

from .common import REPO_ROOT, IntellipushCommittedMixin

# A shop clerk's request as a separate process: queue SMS (which reserves
# credits) and commit, retried on a serialization failure as Odoo's HTTP
# layer does. Prints how many SMS waited for credits.
SENDER_SCRIPT = textwrap.dedent("""
    import sys
    import odoo
    from odoo.service.model import retrying
    from odoo.tools import config
    count, tag = int(sys.argv[1]), sys.argv[2]
    config.parse_config(sys.argv[3:])
    registry = odoo.modules.registry.Registry(config["db_name"])
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        def queue():
            sms = env["sms.sms"].create([
                {"number": f"4{index:07d}", "body": f"Test {tag} {index}"} for index in range(count)
            ])._intellipush_queue()
            return sum(state == "waiting" for state in sms.mapped("credit_state"))
        waiting = retrying(queue, env)
        cr.commit()
        print("waiting", waiting, flush=True)
""")

# A queue worker as a separate process, like a second Odoo server: load the
# registry, process the queue, print how many SMS it sent.
WORKER_SCRIPT = textwrap.dedent("""
    import sys
    import odoo
    from odoo.tools import config
    config.parse_config(sys.argv[1:])
    registry = odoo.modules.registry.Registry(config["db_name"])
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        print("sent", env["sms.sms"]._cron_intellipush_dispatch(), flush=True)
""")

# The daily reminder cron as a separate process, like a second server.
REMINDER_SCRIPT = textwrap.dedent("""
    import sys
    import odoo
    from odoo.tools import config
    config.parse_config(sys.argv[1:])
    registry = odoo.modules.registry.Registry(config["db_name"])
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        print("sent", env["account.move"]._intellipush_send_due_reminders(env.company), flush=True)
""")


@tagged("post_install", "-at_install", "intellipush")
class TestDispatchTransactions(IntellipushCommittedMixin, BaseCase):
    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.addCleanup(self._delete_test_sms)

    @mute_logger("odoo.sql_db", "odoo.addons.intellipush_sms.models.intellipush_cron_runner")
    def test_the_credit_expiry_waits_its_turn_on_a_wallet_moved_meanwhile(self):
        """The daily expiry meets a wallet whose credits the dispatch moved
        after its transaction began: it tries again instead of failing."""
        with self.registry.cursor() as cr, self.registry.cursor() as other_cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("SELECT 1")  # the expiry's snapshot is taken
            other = api.Environment(other_cr, SUPERUSER_ID, {})
            company = other["res.company"].browse(self.company_id)
            wallet = other["intellipush.credit.wallet"]._for_company(company)
            # Credits bought 25 months ago, valid for 24: they expire today.
            wallet._purchase(10, 5.9, company.currency_id, purchase_date=fields.Date.today() - timedelta(days=761))
            lot_id = wallet.lot_ids.sorted("id")[-1].id
            other_cr.commit()

            # As in a real scheduled action: its batches commit and retry.
            with patch.object(threading.current_thread(), "testing", False):
                env["intellipush.credit.wallet"]._cron_intellipush_expire_credits()

            lot = env["intellipush.credit.lot"].browse(lot_id)
            expiries = env["intellipush.credit.ledger"].search([("lot_id", "=", lot.id), ("entry_type", "=", "expiry")])
            self.assertEqual(expiries.mapped("amount"), [-10.0])
            self.assertEqual(lot.remaining, 0)

    def _queue_committed(self, count):
        numbers = [f"4{index:07d}" for index in range(1, count + 1)]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"default_company_id": self.company_id})
            sms = env["sms.sms"].create(
                [{"number": number, "body": f"Test {number}", "company_id": self.company_id} for number in numbers]
            )
            return sms.ids

    def _read_sms(self, ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["sms.sms"].browse(ids).read(["state", "intellipush_id", "number"])

    def _delete_test_sms(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # Cancelling gives back the credits still reserved for them.
            env["sms.sms"].search([("body", "=like", "Test %"), ("state", "=", "outgoing")]).action_set_canceled()
            cr.execute("DELETE FROM sms_sms WHERE body LIKE 'Test %%' AND company_id = %s", [self.company_id])

    def _run_in_transaction(self, method_name, **kwargs):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return getattr(env["sms.sms"], method_name)(**kwargs)

    def assertEachSentOnce(self, ids):
        rows = self._read_sms(ids)
        self.assertEqual({row["state"] for row in rows}, {"pending"})
        received = self.sandbox.messages()
        self.assertEqual(len(received), len(ids), "every message reached Intellipush exactly once")
        self.assertEqual(sorted(msg["phonenumber"] for msg in received), sorted(row["number"] for row in rows))
        self.assertEqual(sorted(msg["id"] for msg in received), sorted(row["intellipush_id"] for row in rows))

    def _start_worker(self, script=WORKER_SCRIPT, *script_arguments):
        """A worker process; its output goes to a temporary file returned with it."""
        output = self.enterContext(tempfile.TemporaryFile("w+"))  # noqa: SIM115 (closed by enterContext)
        worker = subprocess.Popen(
            [sys.executable, "-c", script, *script_arguments, *self._worker_arguments()],
            cwd=REPO_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.addCleanup(_stop, worker)
        return worker, output

    def test_two_senders_never_overspend_one_wallet(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            wallet = env["intellipush.credit.wallet"]._for_company(env.company)
            spare = wallet._available() - 10
            lot = wallet.lot_ids[-1]
            wallet._adjust(lot, -spare, "test: leave 10 credits")
        # Each clerk queues 6 SMS of 1.1112 credits: together more than the 10 left.
        senders = [self._start_worker(SENDER_SCRIPT, "6", tag) for tag in ("a", "b")]
        waiting = sum(self._reported(senders, "waiting"))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            wallet = env["intellipush.credit.wallet"]._for_company(env.company)
            balance, reserved = wallet._sums()
            reserved_sms = env["sms.sms"].search([("body", "=like", "Test %"), ("credit_state", "=", "reserved")])
            self.assertEqual(len(reserved_sms), 8, "8 x 1.1112 fit in 10 credits, the 9th does not")
            self.assertEqual(waiting, 4)
            self.assertLessEqual(reserved, balance)
            env["sms.sms"].search([("body", "=like", "Test %")]).action_set_canceled()
            wallet._adjust(lot, spare, "test: give the credits back")

    def test_two_workers_on_one_queue_send_each_message_once(self):
        ids = self._queue_committed(40)
        # A slow provider keeps each worker inside its batch while the other claims.
        self.sandbox.inject_fault("timeout", endpoint="sms/createBatch", count=8, delay=0.5)
        workers = [self._start_worker() for _index in range(2)]
        self.assertEqual(sum(self._reported(workers, "sent")), 40)
        self.assertEachSentOnce(ids)

    @mute_logger("odoo.addons.intellipush_sms.models.sms_sms")
    def test_worker_killed_between_provider_call_and_commit(self):
        ids = self._queue_committed(3)
        # Intellipush keeps the batch but answers late: the worker is killed while waiting.
        self.sandbox.inject_fault("timeout", endpoint="sms/createBatch", delay=60)
        worker, output = self._start_worker()
        deadline = time.monotonic() + 120
        while len(self.sandbox.messages()) < 3:
            if worker.poll() is not None:
                output.seek(0)
                self.fail(f"the worker died before reaching Intellipush:\n{output.read()[-3000:]}")
            self.assertLess(time.monotonic(), deadline, "the worker never reached Intellipush")
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        self.assertEqual({row["state"] for row in self._read_sms(ids)}, {"process"}, "the intent was committed")

        # A new worker must not resend; reconciliation adopts the ids Intellipush gave.
        self.sandbox.clear_faults()
        self._run_in_transaction("_cron_intellipush_dispatch")
        self.assertEqual(len(self.sandbox.messages()), 3)
        self._run_in_transaction("_intellipush_reconcile", grace=timedelta(0))
        self._run_in_transaction("_cron_intellipush_dispatch")
        self.assertEachSentOnce(ids)

    def test_two_reminder_crons_at_once_send_each_reminder_once(self):
        invoice_ids, partner_id = self._commit_due_invoices(12)
        self.addCleanup(self._delete_invoices, invoice_ids, partner_id)
        crons = [self._start_worker(REMINDER_SCRIPT) for _index in range(2)]
        sent = self._reported(crons, "sent")
        self.assertEqual(sum(sent), 12, f"the two runs sent {sent}")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoices = env["account.move"].browse(invoice_ids)
            self.assertEqual(len(invoices.intellipush_reminder_ids), 12)
            sms = env["sms.sms"].search(
                [("mail_message_id.model", "=", "account.move"), ("mail_message_id.res_id", "in", invoice_ids)]
            )
            self.assertEqual(sorted(sms.mapped("mail_message_id.res_id")), sorted(invoice_ids), "one SMS per invoice")

    def _commit_due_invoices(self, count):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env.company.intellipush_invoice_reminders = True
            partner = env["res.partner"].create({"name": "Påminnelse Test", "mobile": "+47 400 00 077"})
            today = fields.Date.context_today(env["account.move"].with_context(tz="Europe/Oslo"))
            invoices = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": today - timedelta(days=14),
                        "invoice_date_due": today,
                        "invoice_line_ids": [Command.create({"name": f"Service {index}", "price_unit": 100})],
                    }
                    for index in range(count)
                ]
            )
            invoices.action_post()
            return invoices.ids, partner.id

    def _delete_invoices(self, invoice_ids, partner_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sms = env["sms.sms"].search(
                [("mail_message_id.model", "=", "account.move"), ("mail_message_id.res_id", "in", invoice_ids)]
            )
            sms.action_set_canceled()  # gives the reserved credits back
            cr.execute("DELETE FROM sms_sms WHERE id IN %s", [tuple(sms.ids) or (0,)])
            invoices = env["account.move"].browse(invoice_ids)
            invoices.button_draft()
            invoices.with_context(force_delete=True).unlink()
            env["res.partner"].browse(partner_id).active = False

    def _reported(self, processes, word):
        """Wait for the processes; the number each printed after ``word``."""
        figures = []
        for process, output in processes:
            process.wait(180)
            output.seek(0)
            log = output.read()
            self.assertEqual(process.returncode, 0, log[-3000:])
            figures.append(int(log.rsplit(f"{word} ", 1)[1].split()[0]))
        return figures

    def _worker_arguments(self):
        arguments = [
            f"--database={self.registry.db_name}",
            f"--addons-path={config['addons_path']}",
            "--log-level=warn",
        ]
        for option in ("db_host", "db_port", "db_user", "db_password"):
            if config.get(option):
                arguments.append(f"--{option}={config[option]}")
        return arguments


def _stop(worker):
    if worker.poll() is None:
        worker.kill()
        worker.wait(30)
