from functools import partial

from odoo import api, fields, models
from odoo.tools import SQL, split_every

# A rule missed on its day (server down, cron disabled) still goes during the
# next days; later than this it is left to the next rule.
CATCH_UP_DAYS = 3
BATCH_SIZE = 200

# Per invoice, the latest rule that is due today or in the catch-up window
# and was never handled for it. Credit notes and zero balances come too: they
# are recorded as skipped, with the reason on their chatter.
_DUE_REMINDERS_SQL = """
    SELECT DISTINCT ON (move.id) move.id, rule.id
      FROM account_move move
      JOIN intellipush_reminder_rule rule
        ON rule.company_id = move.company_id AND rule.active
     WHERE move.company_id = %(company_id)s
       AND move.state = 'posted'
       AND move.move_type IN ('out_invoice', 'out_refund')
       AND move.payment_state NOT IN ('paid', 'in_payment', 'reversed')
       AND move.invoice_date_due + rule.days_offset <= %(today)s
       AND move.invoice_date_due + rule.days_offset > %(today)s - %(catch_up)s
       AND NOT EXISTS (
            SELECT 1 FROM intellipush_invoice_reminder reminder
             WHERE reminder.move_id = move.id AND reminder.rule_id = rule.id)
  ORDER BY move.id, rule.days_offset DESC
"""

# Claims (invoice, rule) pairs; a pair another run claimed first is skipped
# (the insert waits for that run's transaction, then does nothing).
_CLAIM_SQL = """
    INSERT INTO intellipush_invoice_reminder
           (move_id, rule_id, company_id, date, state, create_uid, create_date, write_uid, write_date)
    SELECT pair.move_id, pair.rule_id, %(company_id)s, %(now)s, 'claimed', %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM unnest(%(move_ids)s::int[], %(rule_ids)s::int[]) AS pair(move_id, rule_id)
        ON CONFLICT (move_id, rule_id) DO NOTHING
 RETURNING id
"""


class AccountMove(models.Model):
    _inherit = "account.move"

    intellipush_reminder_ids = fields.One2many(
        "intellipush.invoice.reminder", "move_id", string="SMS Reminders", readonly=True
    )

    @api.model
    def _cron_intellipush_invoice_reminders(self):
        """Daily: send each due reminder rule once per unpaid customer invoice."""
        companies = (
            self.env["intellipush.reminder.rule"]
            .search(
                [
                    ("company_id.intellipush_invoice_reminders", "=", True),
                    ("company_id.sms_provider", "=", "intellipush"),
                ]
            )
            .company_id
        )
        sent = 0
        for company in companies:
            sent += self.with_company(company)._intellipush_send_due_reminders(company)
        return sent

    @api.model
    def _intellipush_send_due_reminders(self, company, today=None):
        today = today or fields.Date.context_today(self.with_context(tz=company.partner_id.tz or "Europe/Oslo"))
        self.env.flush_all()
        self.env.cr.execute(SQL(_DUE_REMINDERS_SQL, company_id=company.id, today=today, catch_up=CATCH_UP_DAYS))
        pairs = self.env.cr.fetchall()
        sent = 0
        runner = self.env["intellipush.cron.runner"]
        for batch in split_every(BATCH_SIZE, pairs):
            # The claims and their SMS commit together: a crash before the
            # commit loses both, and the next run does them again. Queuing
            # reserves wallet credits, which the dispatch cron may be moving
            # at the same time: a serialization failure retries the batch.
            sent += runner._run_batch(partial(self._intellipush_claim_and_send, company, batch))
            self.env.invalidate_all()  # a long run keeps no cache of the batches done
        return sent

    @api.model
    def _intellipush_claim_and_send(self, company, pairs):
        """Claim these (invoice, rule) pairs and send the reminders this run won."""
        self.env.cr.execute(
            SQL(
                _CLAIM_SQL,
                company_id=company.id,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                move_ids=[move_id for move_id, _rule_id in pairs],
                rule_ids=[rule_id for _move_id, rule_id in pairs],
            )
        )
        reminders = self.env["intellipush.invoice.reminder"].browse(row[0] for row in self.env.cr.fetchall())
        # Rows inserted in SQL: what the ORM has cached of the invoices' reminders is stale.
        self.browse([move_id for move_id, _rule_id in pairs]).invalidate_recordset(["intellipush_reminder_ids"])
        return reminders._intellipush_process()
