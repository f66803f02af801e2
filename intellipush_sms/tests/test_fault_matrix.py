"""The fault matrix: each provider or process fault, then the dispatch run as
its cron would run it (several times, reconciliation and retries included).

Every cell ends with the same two checks, whatever the fault:

- each SMS is sent exactly once at Intellipush (the sandbox holds it once,
  under the id Odoo recorded), or still queued with a time for its next
  attempt (and not at Intellipush), or failed with a reason;
- the credit ledger reconciles: per wallet, its sums (plain SQL) are what the
  SMS states imply, and each SMS's own entries match its credit state.

Cells that need real, committed transactions (a worker killed between
Intellipush's answer and its commit, two dispatchers on one queue) run in
worker processes, as in test_dispatch_transactions.py.
"""

import signal
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import BaseCase, tagged
from odoo.tools import config, mute_logger

from ..models.intellipush_credit_ledger import CREDIT_DIGITS
from ..models.sms_sms_dispatch import MAX_ATTEMPTS, RETRY_MAX_DELAY
from .common import REPO_ROOT, IntellipushCase, IntellipushCommittedMixin
from .test_dispatch_transactions import WORKER_SCRIPT, _stop

GATEWAY_LOGGERS = (
    "odoo.addons.intellipush_sms.models.sms_sms",
    "odoo.addons.intellipush_sms.models.sms_sms_dispatch",
    "odoo.addons.intellipush_sms.models.sms_sms_reconcile",
)
SENT, QUEUED, FAILED = "sent", "queued", "failed"
# What the ledger entries of one SMS add up to, (amount, reserved), for each credit state.
LEDGER_BY_CREDIT_STATE = {
    None: lambda cost: (0, 0),
    "none": lambda cost: (0, 0),
    "waiting": lambda cost: (0, 0),
    "reserved": lambda cost: (0, cost),
    "debited": lambda cost: (-cost, 0),
    "released": lambda cost: (0, 0),  # reserved, then given back
    "refunded": lambda cost: (0, 0),  # reserved, debited, then put back on its lot
}
# The credit states an SMS state allows: credits follow the message.
CREDIT_STATES_BY_STATE = {
    "outgoing": {"reserved", "waiting", "none"},
    "process": {"reserved", "none"},
    "uncertain": {"reserved", "none"},
    "pending": {"debited", "none"},
    "sent": {"debited", "none"},
    "error": {"released", "refunded", "none"},
    "canceled": {"released", "refunded", "none"},
}


def _credits(value):
    """A sum of credits as the ledger keeps them (CREDIT_DIGITS), free of float noise."""
    return round(float(value), CREDIT_DIGITS[1])


class FaultMatrixAssertions:
    """The matrix's invariant, read with plain SQL on a given cursor, so that it
    holds for rolled-back tests and committed ones alike."""

    def assertEverySmsAccountedFor(self, cr, sms_ids, received):
        """Each SMS of ``sms_ids`` is sent once, queued or failed (see the module
        docstring); ``received`` is what the sandbox holds. Returns the outcome
        of each SMS, in the order of ``sms_ids``: "sent", "queued" or "failed"."""
        cr.execute(
            """
            SELECT id, state, number, body, intellipush_id, failure_reason, intellipush_next_attempt_at
              FROM sms_sms
             WHERE id IN %s
          ORDER BY id
            """,
            [tuple(sms_ids)],
        )
        rows = cr.dictfetchall()
        self.assertEqual(len(rows), len(sms_ids))
        numbers = {row["number"] for row in rows}
        copies = Counter((msg["phonenumber"], msg["message"]) for msg in received if msg["phonenumber"] in numbers)
        ids_received = Counter(msg["id"] for msg in received)
        outcomes = {}
        for row in rows:
            at_intellipush = copies[row["number"], row["body"]]
            if row["state"] in ("pending", "sent"):
                self.assertEqual(at_intellipush, 1, f"{row} should be at Intellipush exactly once")
                self.assertEqual(ids_received[row["intellipush_id"]], 1, f"{row}: Intellipush's id is not recorded")
                outcomes[row["id"]] = SENT
            elif row["state"] == "outgoing":
                self.assertEqual(at_intellipush, 0, f"{row} is queued but Intellipush has it: it would go twice")
                self.assertTrue(row["intellipush_next_attempt_at"], f"{row} is queued without a time to retry")
                self.assertTrue(row["failure_reason"], f"{row} is queued again without saying why")
                outcomes[row["id"]] = QUEUED
            elif row["state"] == "error":
                self.assertTrue((row["failure_reason"] or "").strip(), f"{row} failed without a reason")
                self.assertLessEqual(at_intellipush, 1, f"{row} is at Intellipush more than once")
                outcomes[row["id"]] = FAILED
            else:
                self.fail(f"{row} is neither sent once, queued nor failed")
        self.assertEqual(
            sum(copies.values()),
            list(outcomes.values()).count(SENT),
            "Intellipush holds messages that no sent SMS accounts for",
        )
        return [outcomes[sms_id] for sms_id in sms_ids]

    def assertCreditsReconcile(self, cr, company_ids, sms_ids=()):
        """Per wallet of ``company_ids``: the ledger's reserved sum is the
        credit cost of the SMS holding a reservation, and what the ledger's
        SMS entries took from the lots is the cost of the debited SMS (released
        and refunded ones gave theirs back). Per SMS of ``sms_ids``: its own
        entries add up to what its credit state says, which its state allows."""
        cr.execute(
            """
            SELECT wallet.company_id,
                   COALESCE(SUM(ledger.amount), 0),
                   COALESCE(SUM(ledger.reserved_amount), 0),
                   COALESCE(SUM(ledger.amount) FILTER (WHERE ledger.sms_id IS NULL), 0)
              FROM intellipush_credit_wallet wallet
         LEFT JOIN intellipush_credit_ledger ledger ON ledger.wallet_id = wallet.id
             WHERE wallet.company_id IN %s
          GROUP BY wallet.company_id
            """,
            [tuple(company_ids)],
        )
        ledger = {company_id: sums for company_id, *sums in cr.fetchall()}
        self.assertEqual(set(ledger), set(company_ids), "each company has its wallet")
        cr.execute(
            """
            SELECT company_id,
                   COALESCE(SUM(credit_cost) FILTER (WHERE credit_state = 'reserved'), 0),
                   COALESCE(SUM(credit_cost) FILTER (WHERE credit_state = 'debited'), 0)
              FROM sms_sms
             WHERE company_id IN %s
          GROUP BY company_id
            """,
            [tuple(company_ids)],
        )
        implied = {company_id: (reserved, debited) for company_id, reserved, debited in cr.fetchall()}
        for company_id, (amount, reserved_amount, funded) in ledger.items():
            reserved, debited = implied.get(company_id, (0, 0))
            self.assertEqual(
                _credits(reserved_amount), _credits(reserved), f"company {company_id}: reserved credits vs reserved SMS"
            )
            self.assertEqual(
                _credits(amount), _credits(funded - debited), f"company {company_id}: credits held vs debited SMS"
            )
        if not sms_ids:
            return
        cr.execute(
            """
            SELECT sms.id, sms.state, sms.credit_state, COALESCE(sms.credit_cost, 0),
                   COALESCE(SUM(ledger.amount), 0), COALESCE(SUM(ledger.reserved_amount), 0)
              FROM sms_sms sms
         LEFT JOIN intellipush_credit_ledger ledger ON ledger.sms_id = sms.id
             WHERE sms.id IN %s
          GROUP BY sms.id
            """,
            [tuple(sms_ids)],
        )
        for sms_id, state, credit_state, cost, amount, reserved_amount in cr.fetchall():
            self.assertIn(credit_state, CREDIT_STATES_BY_STATE[state], f"SMS {sms_id} is {state}")
            self.assertEqual(
                (_credits(amount), _credits(reserved_amount)),
                tuple(map(_credits, LEDGER_BY_CREDIT_STATE[credit_state](cost))),
                f"SMS {sms_id} ({state}, credits {credit_state}, cost {cost}): its ledger entries",
            )


@dataclass(frozen=True)
class Cell:
    """A fault, what the first dispatch run leaves, and how it all ends."""

    name: str
    # inject_fault() keyword arguments, on sms/createBatch, taken in this order.
    faults: tuple = ()
    # The state of each SMS after the first run (one state for all, or one each).
    first: str | tuple = "pending"
    # How many of the SMS Intellipush holds after the first run.
    stored_first: int = 3
    # (shortest, longest) wait in seconds until the retry, for SMS queued again.
    wait: tuple | None = None
    # Cron runs after the first: retries made due, reconciliation past its grace.
    runs: int = 2
    final: tuple = (SENT, SENT, SENT)
    # In the failure reason of each SMS that ends failed.
    reason: str = ""
    # The company's API URL is a port that takes no connection during the first run.
    unreachable: bool = False


DEFAULT_BACKOFF = (25, 30)  # the first retry's own delay, 30 s, when Intellipush gives none to believe
CELLS = (
    Cell("provider_500_before_processing", faults=({"kind": "http_500"},), first="process", stored_first=0),
    Cell("provider_503_before_processing", faults=({"kind": "http_503"},), first="process", stored_first=0),
    Cell("provider_500_after_processing", faults=({"kind": "http_500_after"},), first="process"),
    Cell("connect_timeout_before_the_request_left", unreachable=True, first="outgoing", stored_first=0,
         wait=DEFAULT_BACKOFF),
    Cell("gateway_timeout_before_processing", faults=({"kind": "timeout_before", "delay": 2},), first="process",
         stored_first=0),
    Cell("read_timeout_after_the_request_left", faults=({"kind": "timeout", "delay": 2},), first="process"),
    Cell("connection_dropped_after_processing", faults=({"kind": "drop_connection"},), first="process"),
    Cell("rate_limited_with_retry_after", faults=({"kind": "rate_limit", "retry_after": 120},), first="outgoing",
         stored_first=0, wait=(115, 120)),
    Cell("rate_limited_without_retry_after", faults=({"kind": "rate_limit", "retry_after_header": False},),
         first="outgoing", stored_first=0, wait=DEFAULT_BACKOFF),
    Cell("rate_limited_retry_after_1e12", faults=({"kind": "rate_limit", "retry_after": "1e12"},), first="outgoing",
         stored_first=0, wait=(RETRY_MAX_DELAY.total_seconds() - 10, RETRY_MAX_DELAY.total_seconds())),
    Cell("rate_limited_negative_retry_after", faults=({"kind": "rate_limit", "retry_after": "-5"},),
         first="outgoing", stored_first=0, wait=DEFAULT_BACKOFF),
    Cell("rate_limited_garbage_retry_after", faults=({"kind": "rate_limit", "retry_after": "soon"},),
         first="outgoing", stored_first=0, wait=DEFAULT_BACKOFF),
    Cell("rate_limited_still_waiting", faults=({"kind": "rate_limit", "retry_after": 120, "count": 100},),
         first="outgoing", stored_first=0, wait=(115, 120), final=(QUEUED,) * 3),
    Cell("rate_limited_until_the_attempts_run_out",
         faults=({"kind": "rate_limit", "retry_after": 1, "count": 100},), first="outgoing", stored_first=0,
         runs=MAX_ATTEMPTS - 1, final=(FAILED,) * 3, reason=f"after {MAX_ATTEMPTS} attempts"),
    Cell("token_expired_once_is_renewed", faults=({"kind": "expired_token"},)),
    Cell("token_refused_twice_waits_for_a_retry", faults=({"kind": "expired_token", "count": 2},),
         first="outgoing", stored_first=0, wait=DEFAULT_BACKOFF),
    Cell("token_refused_until_the_attempts_run_out", faults=({"kind": "expired_token", "count": 100},),
         first="outgoing", stored_first=0, runs=MAX_ATTEMPTS - 1, final=(FAILED,) * 3,
         reason=f"after {MAX_ATTEMPTS} attempts"),
    Cell("answer_not_json", faults=({"kind": "malformed_json"},), first="process"),
    Cell("answer_without_envelope", faults=({"kind": "malformed_envelope"},), first="process"),
    Cell("answer_cut_short_of_its_length", faults=({"kind": "truncated_answer"},), first="process"),
    Cell("answer_with_cut_json", faults=({"kind": "truncated_answer", "honest_length": True},), first="process"),
    Cell("partial_batch", faults=({"kind": "partial_batch", "indices": [1]},), first=("pending", "error", "pending"),
         stored_first=2, final=(SENT, FAILED, SENT), reason="Intellipush error 905"),
)  # fmt: skip


@dataclass(frozen=True)
class CompanyCell:
    """One of two companies is set up wrongly; the other sends as usual."""

    name: str
    values: dict = field(default_factory=dict)  # written on the broken company through the ORM
    sql_base_url: str | None = None  # written past the ORM's checks, as an older database may hold it
    reason: str = ""  # in the failure reason of the broken company's SMS


COMPANY_CELLS = (
    CompanyCell("plain_http_api_url_in_the_other_company", sql_base_url="http://example.com", reason="https"),
    CompanyCell("wrong_api_secret_in_the_other_company", values={"intellipush_api_secret": "not-the-secret"},
                reason="refused the API"),
)  # fmt: skip

NUMBERS = ("41000001", "41000002", "41000003")
BRANCH_NUMBERS = ("41000011", "41000012")


@tagged("post_install", "-at_install", "intellipush", "intellipush_fault_matrix")
class TestFaultMatrix(FaultMatrixAssertions, IntellipushCase):
    """One test per cell of CELLS and COMPANY_CELLS (generated below the class)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls._connect_branch()

    def setUp(self):
        super().setUp()
        self.enterContext(mute_logger(*GATEWAY_LOGGERS))

    def _cron_run(self):
        """The dispatch cron some minutes later: what waited for a retry is due,
        what had no known outcome is past the reconciliation's grace period."""
        waiting = self.env["sms.sms"].search([("state", "=", "outgoing"), ("intellipush_next_attempt_at", "!=", False)])
        self._make_retry_due(waiting)
        self._reconcile_now()
        self._process_queue()

    def _assert_settled(self, sms, companies):
        self.env.flush_all()
        outcomes = self.assertEverySmsAccountedFor(self.env.cr, sms.ids, self.sandbox.messages())
        self.assertCreditsReconcile(self.env.cr, companies.ids, sms.ids)
        return outcomes

    def _run_cell(self, cell):
        for fault in cell.faults:
            self.sandbox.inject_fault(endpoint="sms/createBatch", **fault)
        sms = self._queue_sms(NUMBERS)
        if cell.unreachable:
            self.company.intellipush_base_url = self.sandbox.stalled_url()
        self._process_queue()
        self.company.intellipush_base_url = self.sandbox.url

        first = (cell.first,) * len(sms) if isinstance(cell.first, str) else cell.first
        self.assertEqual(tuple(sms.mapped("state")), first)
        self.assertEqual(len(self.sandbox.messages()), cell.stored_first)
        queued = sms.filtered(lambda record: record.state == "outgoing")
        if cell.wait:
            low, high = cell.wait
            for record in queued:
                wait = (record.intellipush_next_attempt_at - fields.Datetime.now()).total_seconds()
                self.assertTrue(low <= wait <= high, f"{record.number} waits {wait} s, not {cell.wait}")
        self.env.flush_all()
        self.assertCreditsReconcile(self.env.cr, self.company.ids, sms.ids)

        # A run before anything is due (retry time, reconciliation's grace) sends nothing.
        self._process_queue()
        self.assertEqual(tuple(sms.mapped("state")), first)
        self.assertEqual(len(self.sandbox.messages()), cell.stored_first)

        for _run in range(cell.runs):
            self._cron_run()
        self.assertEqual(tuple(self._assert_settled(sms, self.company)), cell.final)
        for record in sms.filtered(lambda record: record.state == "error"):
            self.assertIn(cell.reason, record.failure_reason)

    def _run_company_cell(self, cell):
        if cell.values:
            self.branch.write(cell.values)
        if cell.sql_base_url:
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE res_company SET intellipush_base_url = %s WHERE id = %s", [cell.sql_base_url, self.branch.id]
            )
            self.branch.invalidate_recordset()
        main_sms = self._queue_sms(NUMBERS[:2])
        branch_sms = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {"number": number, "body": "Hei fra Bergen!", "company_id": self.branch.id}
                    for number in BRANCH_NUMBERS
                ]
            )
        )
        self._process_queue()
        self.assertEqual(set(main_sms.mapped("state")), {"pending"}, "the other company sends as usual")
        self.assertEqual(set(branch_sms.mapped("state")), {"error"})
        # Later runs go on for the company that works, with nothing of the other in their way.
        main_sms |= self._queue_sms(NUMBERS[2:])
        for _run in range(2):
            self._cron_run()
        outcomes = self._assert_settled(main_sms | branch_sms, self.company | self.branch)
        self.assertEqual(outcomes, [SENT] * 3 + [FAILED] * 2)
        self.assertSmsFailed(branch_sms, "sms_acc", cell.reason)
        self.assertEqual(set(branch_sms.mapped("credit_state")), {"released"})


def _cell_test(run, cell):
    def test(self):
        getattr(self, run)(cell)

    test.__name__ = f"test_{cell.name}"
    test.__doc__ = f"Fault matrix cell: {cell.name.replace('_', ' ')}."
    return test


for _cell in CELLS:
    setattr(TestFaultMatrix, f"test_{_cell.name}", _cell_test("_run_cell", _cell))
for _cell in COMPANY_CELLS:
    setattr(TestFaultMatrix, f"test_{_cell.name}", _cell_test("_run_company_cell", _cell))


# A queue worker whose process is killed once Intellipush answered its batch,
# before the answer is committed. Only the provider client is wrapped, so that
# Intellipush really answers first; our models run as they are.
KILLED_WORKER_SCRIPT = textwrap.dedent("""
    import os
    import signal
    import sys
    import odoo
    from odoo.tools import config
    config.parse_config(sys.argv[1:])
    registry = odoo.modules.registry.Registry(config["db_name"])
    from odoo.addons.intellipush_sms.tools.intellipush_api import IntellipushClient
    answered = IntellipushClient.send_batch
    def send_batch_then_killed(self, messages):
        results = answered(self, messages)
        print("answered", sum(result.ok for result in results), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    IntellipushClient.send_batch = send_batch_then_killed
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["sms.sms"]._cron_intellipush_dispatch()
""")


@tagged("post_install", "-at_install", "intellipush", "intellipush_fault_matrix")
class TestFaultMatrixCommitted(FaultMatrixAssertions, IntellipushCommittedMixin, BaseCase):
    """The cells that need committed transactions and worker processes."""

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.sms_ids = []
        self.addCleanup(self._delete_sms)

    def _queue_committed(self, count):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sms = env["sms.sms"].create(
                [{"number": f"4050{index:04d}", "body": f"Matrise {index}"} for index in range(1, count + 1)]
            )
            sms._intellipush_queue()  # priced and reserved, as ``send`` queues them
            self.sms_ids += sms.ids
            return sms.ids

    def _delete_sms(self):
        if not self.sms_ids:
            return
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["sms.sms"].browse(self.sms_ids).filtered(lambda sms: sms.state == "outgoing").action_set_canceled()
            cr.execute("DELETE FROM sms_sms WHERE id IN %s", [tuple(self.sms_ids)])

    def _in_transaction(self, method_name, **kwargs):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return getattr(env["sms.sms"], method_name)(**kwargs)

    def _cron_run(self):
        """As TestFaultMatrix._cron_run, in a committed transaction of its own."""
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE sms_sms SET intellipush_next_attempt_at = %s WHERE id IN %s AND state = 'outgoing'",
                [fields.Datetime.now() - timedelta(seconds=1), tuple(self.sms_ids)],
            )
        self._in_transaction("_intellipush_reconcile", grace=timedelta(0))
        self._in_transaction("_cron_intellipush_dispatch")

    def _states(self, ids):
        with self.registry.cursor() as cr:
            cr.execute("SELECT state FROM sms_sms WHERE id IN %s", [tuple(ids)])
            return Counter(state for (state,) in cr.fetchall())

    def _assert_settled(self, ids):
        with self.registry.cursor() as cr:
            outcomes = self.assertEverySmsAccountedFor(cr, ids, self.sandbox.messages())
            self.assertCreditsReconcile(cr, [self.company_id], ids)
        return outcomes

    def _start_worker(self, script=WORKER_SCRIPT):
        """A worker process; its output goes to a temporary file returned with it."""
        output = self.enterContext(tempfile.TemporaryFile("w+"))  # noqa: SIM115 (closed by enterContext)
        arguments = [
            f"--database={self.registry.db_name}",
            f"--addons-path={config['addons_path']}",
            "--log-level=warn",
        ]
        for option in ("db_host", "db_port", "db_user", "db_password"):
            if config.get(option):
                arguments.append(f"--{option}={config[option]}")
        worker = subprocess.Popen(
            [sys.executable, "-c", script, *arguments],
            cwd=REPO_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.addCleanup(_stop, worker)
        return worker, output

    def _wait(self, worker, output, returncode=0):
        worker.wait(180)
        output.seek(0)
        log = output.read()
        self.assertEqual(worker.returncode, returncode, log[-3000:])
        return log

    @mute_logger(*GATEWAY_LOGGERS)
    def test_worker_killed_between_the_answer_and_its_commit(self):
        ids = self._queue_committed(3)
        worker, output = self._start_worker(KILLED_WORKER_SCRIPT)
        log = self._wait(worker, output, returncode=-signal.SIGKILL)
        self.assertIn("answered 3", log, "Intellipush accepted the batch before the kill")
        self.assertEqual(len(self.sandbox.messages()), 3)
        self.assertEqual(self._states(ids), {"process": 3}, "the intent was committed, the answer was not")
        with self.registry.cursor() as cr:
            self.assertCreditsReconcile(cr, [self.company_id], ids)

        # The next run resends nothing while the outcome may still come; once
        # past the grace period, reconciliation adopts Intellipush's ids.
        self._in_transaction("_cron_intellipush_dispatch")
        self.assertEqual(len(self.sandbox.messages()), 3)
        self._cron_run()
        self.assertEqual(self._assert_settled(ids), [SENT] * 3)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_two_dispatchers_on_one_queue_through_faults(self):
        ids = self._queue_committed(30)
        # Batches of 5, taken by whichever worker claims first: one is rate
        # limited, one is kept by Intellipush behind a server error, and the
        # slow answers keep each worker inside its batch while the other claims.
        self.sandbox.inject_fault("rate_limit", endpoint="sms/createBatch", retry_after=1)
        self.sandbox.inject_fault("http_500_after", endpoint="sms/createBatch")
        self.sandbox.inject_fault("timeout", endpoint="sms/createBatch", count=4, delay=0.5)
        for _round in range(2):
            workers = [self._start_worker() for _index in range(2)]
            for worker, output in workers:
                self._wait(worker, output)
            with self.registry.cursor() as cr:
                self.assertCreditsReconcile(cr, [self.company_id], ids)
            self._cron_run()
        self.assertEqual(self._assert_settled(ids), [SENT] * 30)
        self.assertEqual(len(self.sandbox.messages()), 30)
        statuses = Counter(
            entry["status"] for entry in self.sandbox.requests_log() if entry["endpoint"] == "sms/createBatch"
        )
        self.assertEqual((statuses[429], statuses[500]), (1, 1), "both faults were met")
