"""What every Intellipush scheduled action needs, in one place: its own
transactions outside tests, a batch retried on a serialization failure, and
the client of each company, skipping the companies it cannot be built for.

Dispatch, status, inbound, reminders, scheduled sends and campaign links all
run through these three methods; no other code of ours commits.
"""

import logging
import threading

from odoo import api, models
from odoo.exceptions import UserError
from odoo.service.model import retrying

_logger = logging.getLogger(__name__)


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
        failure (two workers moving credits of one wallet), then committed.
        Returns what ``work`` returns."""
        if not self._commits():
            return work()
        result = retrying(work, self.env)
        self._commit()
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
