"""Stage status of the gateway: delivery reports polled from Intellipush
(``sms/status``, CONTRACT §4.3) settle each sent SMS: delivered, failed
(credits refunded) or deleted there (cancelled, refunded).
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models

from ..tools import intellipush_api

_logger = logging.getLogger(__name__)

STATUS_FIRST_CHECK = timedelta(minutes=1)
STATUS_MAX_DELAY = timedelta(hours=6)
STATUS_GIVE_UP_AFTER = timedelta(days=3)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    # ------------------------------------------------------------
    # Delivery reports
    # ------------------------------------------------------------

    @api.model
    def _cron_intellipush_status(self, limit=2000):
        """Cron: ask Intellipush about sent messages that have no final state yet.

        Each message is asked about less and less often as it ages, and left
        alone (still "Sent") after a few days without a final answer.
        """
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT id
              FROM sms_sms
             WHERE state = 'pending'
               AND intellipush_id IS NOT NULL
               AND intellipush_next_status_check_at <= %s
          ORDER BY intellipush_next_status_check_at
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [fields.Datetime.now(), limit],
        )
        due = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        by_company = due.grouped("company_id")
        for company, client in self.env["intellipush.cron.runner"]._clients(by_company, "status poll"):
            company_sms = by_company[company]
            try:
                statuses = client.get_status(company_sms.mapped("intellipush_id"))
            except intellipush_api.IntellipushError as error:
                _logger.warning("Intellipush status poll failed for %s: %s", company.name, error)
                continue
            company_sms._intellipush_apply_statuses(statuses)
        due.mail_message_id._notify_message_notification_update()
        return due

    def _intellipush_apply_statuses(self, statuses):
        now = fields.Datetime.now()

        def outcome(sms):
            status = statuses.get(sms.intellipush_id)
            if status and status.deleted:
                return "canceled"
            return status.state if status and status.state in ("delivered", "failed") else "pending"

        by_outcome, none = self.grouped(outcome), self.browse()
        delivered, failed, canceled = (by_outcome.get(key, none) for key in ("delivered", "failed", "canceled"))
        delivered._intellipush_set_state("sent", values={"delivered_at": now})
        failed._intellipush_set_state(
            "error",
            failure_type="sms_not_delivered",
            reason=_("Intellipush could not deliver the message to the handset."),
        )
        canceled._intellipush_settle_withdrawn(_("Deleted at Intellipush before it was sent."))
        still_pending = self - delivered - failed - canceled
        for checks, records in still_pending.grouped("intellipush_status_checks").items():
            give_up = records.filtered(lambda sms: sms.sent_at and sms.sent_at < now - STATUS_GIVE_UP_AFTER)
            give_up.intellipush_next_status_check_at = False
            (records - give_up).write(
                {
                    "intellipush_status_checks": checks + 1,
                    # The exponent is capped so that the doubling never overflows, however long it is polled.
                    "intellipush_next_status_check_at": now
                    + min(STATUS_FIRST_CHECK * 2 ** min(checks + 1, 32), STATUS_MAX_DELAY),
                }
            )
