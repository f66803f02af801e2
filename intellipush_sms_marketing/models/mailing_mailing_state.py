"""A campaign's state as the gateway sends it: "Sending" until its last SMS
left the queue, then "Sent", each once.

Odoo marks a mailing sent when none of its traces is being processed. The
gateway claims and sends a campaign a batch at a time, and the mass mailing
queue commits it a chunk at a time: between two batches, and between two
chunks, no trace is being processed, so that rule would mark the campaign
sent after every batch and sending again at the next claim, each change in
its chatter.
"""

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.intellipush_sms.models.sms_sms import UNSENT_STATES


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    intellipush_creating_sms = fields.Boolean(
        "SMS Being Created",
        readonly=True,
        copy=False,
        help="The mass mailing queue is still creating this campaign's SMS, chunk by chunk.",
    )

    def _intellipush_set_creating_sms(self, creating):
        """Say, as a chunk of the campaign's SMS is started, whether more chunks follow.

        Not "Sent" while chunks are still to come, even when the dispatch sent
        every SMS committed so far: the last chunk's commit says it is the
        last. Written first in the chunk's transaction, so that the row is
        locked from its snapshot on; meanwhile the dispatch leaves it alone.
        """
        if self.intellipush_creating_sms != creating:
            self.intellipush_creating_sms = creating
            self.flush_recordset(["intellipush_creating_sms"])

    def _intellipush_in_users_language(self):
        """This campaign as the mass mailing queue runs it: in the context of
        its responsible. The dispatch cron has no language, and the chatter
        keeps a state change in the words it was written in."""
        self.ensure_one()
        user = self.user_id or self.write_uid or self.env.user
        return self.with_context(**self.env["res.users"].with_user(user).context_get())

    def _intellipush_mark_sending(self):
        # While its SMS are being created, the mass mailing queue says it is sending.
        for mailing in self.filtered(lambda m: m.state != "sending" and not m.intellipush_creating_sms):
            mailing._intellipush_in_users_language().write({"state": "sending"})

    def _intellipush_mark_sent_when_done(self):
        """Mark "Sent" those of these campaigns that have all their SMS and none left in the queue."""
        candidates = self.filtered(lambda mailing: mailing.state != "done" and not mailing.intellipush_creating_sms)
        if not candidates:
            return
        self.env["sms.sms"].flush_model(["mailing_id", "state"])
        # Still in the queue: not (surely) sent yet. One look-up per campaign in
        # the index of its queued SMS (sms_sms_intellipush_campaign_queue_index),
        # whatever its size.
        self.env.cr.execute(
            SQL(
                """
                SELECT mailing.id
                  FROM unnest(%s) AS mailing(id)
                 WHERE NOT EXISTS (
                        SELECT 1 FROM sms_sms sms WHERE sms.mailing_id = mailing.id AND sms.state IN %s)
                """,
                candidates.ids,
                UNSENT_STATES,
            )
        )
        sent = self.browse(row[0] for row in self.env.cr.fetchall())
        if sent and self.env.user._is_public():  # a delivery report
            sent._track_set_author(self.env.ref("base.partner_root"))
        now = fields.Datetime.now()
        for mailing in sent:
            mailing._intellipush_in_users_language().write(
                {"state": "done", "sent_date": now, "kpi_mail_required": not mailing.sent_date}
            )
