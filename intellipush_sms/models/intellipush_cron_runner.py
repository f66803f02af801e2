"""What every Intellipush scheduled action needs, in one place: its own
transactions outside tests, a batch retried on a serialization failure, and
the client of each company, skipping the companies it cannot be built for.

Dispatch, status, inbound, reminders, scheduled sends and campaign links all
run through these three methods; no other code of ours commits.
"""

import logging
import random
import threading
import time

import psycopg2
from psycopg2 import errorcodes

from odoo import api, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

# A batch's transaction is short (one wallet movement, one batch's states):
# the other worker's is over in milliseconds. Odoo's request retry sleeps up to
# 2, 4, 8 … seconds, made for requests; a dispatch worker waiting that long
# sends less with a second worker than alone.
BATCH_TRIES = 10
BATCH_RETRY_BASE = 0.01  # seconds: waits up to 0.02, 0.04, 0.08 … 5.12


class IntellipushCronRunner(models.AbstractModel):
    _name = "intellipush.cron.runner"
    _description = "Intellipush Scheduled Action Runner"

    @api.model
    def _commits(self):
        """True in a real scheduled action, False inside Odoo's test runner,
        whose test transaction must not be committed."""
        return not getattr(threading.current_thread(), "testing", False)

    @api.model
    def _commit(self):
        """End the current transaction here: what is done so far stays done."""
        if self._commits():
            # A scheduled action's own transactions: committing is the point.
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _run_batch(self, work):
        """``work()`` in a transaction of its own, retried on a serialization
        failure (two workers moving credits of one wallet) after a short
        random wait, then committed. Returns what ``work`` returns."""
        if not self._commits():
            return work()
        env = self.env
        try:
            for tryno in range(1, BATCH_TRIES + 1):
                try:
                    result = work()
                    env.cr.flush()
                    break
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
                    env.cr.rollback()
                    env.reset()
                    env.registry.reset_changes()
                    if tryno == BATCH_TRIES:
                        _logger.info("%s, maximum number of tries reached!", errorcodes.lookup(error.pgcode))
                        raise
                    wait = random.uniform(0.0, BATCH_RETRY_BASE * 2**tryno)
                    _logger.info(
                        "%s, %s tries left, try again in %.04f sec...",
                        errorcodes.lookup(error.pgcode),
                        BATCH_TRIES - tryno,
                        wait,
                    )
                    time.sleep(wait)
        except Exception as error:
            # As Odoo's retrying: an aborted transaction is rolled back, and
            # nothing half-done stays in the cache.
            if isinstance(error, psycopg2.Error) and not env.cr.closed:
                env.cr.rollback()
            env.reset()
            env.registry.reset_changes()
            raise
        self._commit()
        env.registry.signal_changes()
        return result

    @api.model
    def _clients(self, companies, task):
        """``(company, client)`` for each of ``companies`` whose Intellipush
        client can be built; the others are skipped with a warning naming
        ``task``, so that one company's bad settings never stop another's."""
        for company in companies:
            try:
                client = company._intellipush_get_client()
            except UserError as error:
                _logger.warning("Intellipush %s skipped for %s: %s", task, company.name, error)
                continue
            yield company, client
