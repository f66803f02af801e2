"""A campaign that goes wrong while it is being sent stops itself: when its
opt-out rate or its failure rate passes the company's threshold, its SMS
still queued are held (the dispatch leaves them, their credits stay reserved),
its responsible and the SMS managers get an activity, and a person resumes
or cancels it.

The figures, per campaign (the counts in one query after every batch; the
opt-outs, from the opt-outs received, only once the campaign is judged):

* handed over: its SMS Intellipush took (Sent, Delivered) or that failed;
* failures: those that failed (refused by Intellipush, not delivered, a
  number that cannot receive SMS);
* opt-outs: those Sent or Delivered whose number answered with an opt-out
  keyword, or whose contact withdrew the consent, after it and before any
  later marketing SMS to that number (an opt-out belongs to the SMS last sent).

The opt-out rate is opt-outs / SMS sent, the failure rate failures / handed
over; a rate pauses when it is above its threshold (not at it), and only once
the minimum number of SMS has been handed over, so that the first opt-out of
a small campaign does not stop it. Once a person resumed a campaign, it is not
paused again: they saw the figures and chose to go on.

It runs after each dispatch batch's answer, after each delivery report poll
and after each opt-out (keyword or consent withdrawal).
"""

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The counts of one campaign's SMS (see the module's docstring): read after
# every dispatch batch, through the index on ``sms_sms.mailing_id``.
_COUNTS_SQL = """
    SELECT COUNT(*) FILTER (WHERE state IN ('pending', 'sent')) AS sent,
           COUNT(*) FILTER (WHERE state = 'error') AS failed,
           COUNT(*) FILTER (WHERE state = 'outgoing') AS waiting,
           MIN(company_id) AS company_id,
           MIN(sent_at) AS first_sent_at
      FROM sms_sms
     WHERE mailing_id = %(mailing_id)s
"""

# Its opt-outs, from the opt-outs since its first SMS went (few) to the SMS
# each answers: the campaign's SMS to that number (a keyword) or contact (a
# withdrawal), sent before it. Only read once the campaign is judged (enough
# SMS handed over).
_ANSWERED_SQL = """
    SELECT sms.id, COALESCE(sms.number_e164, sms.number), sms.company_id, sms.sent_at, inbound.received_at
      FROM intellipush_inbound_sms inbound
      JOIN sms_sms sms
        ON COALESCE(sms.number_e164, sms.number) = inbound.number
       AND sms.company_id = inbound.company_id
     WHERE inbound.action = 'opt_out'
       AND inbound.received_at >= %(since)s
       AND sms.mailing_id = %(mailing_id)s
       AND sms.state IN ('pending', 'sent')
       AND sms.sent_at <= inbound.received_at
 UNION ALL
    SELECT sms.id, COALESCE(sms.number_e164, sms.number), sms.company_id, sms.sent_at, log.date
      FROM intellipush_consent_log log
      JOIN sms_sms sms ON sms.partner_id = log.partner_id
     WHERE log.new_state = 'withdrawn'
       AND log.date >= %(since)s
       AND sms.mailing_id = %(mailing_id)s
       AND sms.state IN ('pending', 'sent')
       AND sms.sent_at <= log.date
"""

# Those of the answered SMS (id, number, company, sent at, opted out at) with
# no later marketing SMS to that number before the opt-out: the opt-out is
# theirs. A query of its own, on the few rows as values, with a subquery per
# row: each number is looked up in its index (an anti-join would hash every
# marketing SMS ever sent).
_OPTED_OUT_SQL = """
    SELECT COUNT(DISTINCT answered.id)
      FROM unnest(%(ids)s::int[], %(numbers)s::varchar[], %(company_ids)s::int[],
                  %(sent_at)s::timestamp[], %(opted_out_at)s::timestamp[])
           AS answered(id, number, company_id, sent_at, opted_out_at)
     WHERE (
               SELECT 1 FROM sms_sms later
                WHERE later.sms_purpose = 'marketing'
                  AND COALESCE(later.number_e164, later.number) = answered.number
                  AND later.company_id = answered.company_id
                  AND later.state IN ('pending', 'sent')
                  AND later.sent_at > answered.sent_at
                  AND later.sent_at <= answered.opted_out_at
                LIMIT 1
           ) IS NULL
"""


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    intellipush_paused = fields.Boolean(
        "Paused Automatically",
        readonly=True,
        copy=False,
        help="Its opt-out or failure rate passed the threshold while it was being sent: the SMS still queued "
        "wait, with their credits reserved, until it is resumed or cancelled.",
    )
    intellipush_paused_at = fields.Datetime("Paused At", readonly=True, copy=False)
    intellipush_pause_reason = fields.Text("Why It Paused", readonly=True, copy=False)
    intellipush_resumed = fields.Boolean(
        "Resumed After a Pause",
        readonly=True,
        copy=False,
        help="A person resumed this campaign after it paused itself: it is not paused again.",
    )

    def _intellipush_figures(self):
        """``{"sent", "failed", "waiting", "company_id", "first_sent_at"}`` of this campaign's SMS."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(SQL(_COUNTS_SQL, mailing_id=self.id))
        columns = [column.name for column in self.env.cr.description]
        return dict(zip(columns, self.env.cr.fetchone(), strict=True))

    def _intellipush_opt_outs(self, since):
        """How many of this campaign's SMS sent since ``since`` were answered by an opt-out."""
        self.ensure_one()
        self.env.cr.execute(SQL(_ANSWERED_SQL, mailing_id=self.id, since=since))
        answered = self.env.cr.fetchall()
        if not answered:
            return 0
        ids, numbers, company_ids, sent_at, opted_out_at = (list(column) for column in zip(*answered, strict=True))
        self.env.cr.execute(
            SQL(
                _OPTED_OUT_SQL,
                ids=ids,
                numbers=numbers,
                company_ids=company_ids,
                sent_at=sent_at,
                opted_out_at=opted_out_at,
            )
        )
        return self.env.cr.fetchone()[0]

    def _intellipush_check_auto_pause(self):
        """Pause those of these campaigns whose opt-out or failure rate passed
        the threshold of their company; returns them."""
        paused = self.browse()
        for mailing in self.filtered(
            lambda mailing: mailing.mailing_type == "sms"
            and not mailing.intellipush_paused
            and not mailing.intellipush_resumed
        ):
            figures = mailing.sudo()._intellipush_figures()
            if not figures["waiting"] or not figures["company_id"]:
                continue  # nothing left to hold
            company = self.env["res.company"].browse(figures["company_id"])
            if reason := _pause_reason(self.env, company, figures, mailing.sudo()._intellipush_opt_outs):
                mailing.sudo()._intellipush_pause(reason, figures["waiting"], company)
                paused |= mailing
        return paused

    def _intellipush_pause(self, reason, waiting, company):
        self.ensure_one()
        self.write(
            {
                "intellipush_paused": True,
                "intellipush_paused_at": fields.Datetime.now(),
                "intellipush_pause_reason": reason,
            }
        )
        note = _(
            "%(reason)s %(waiting)s SMS wait, their credits stay reserved: resume the campaign or cancel them.",
            reason=reason,
            waiting=waiting,
        )
        self._message_log(body=note)
        activity_type = self.env.ref("intellipush_sms_marketing.mail_activity_type_campaign_paused")
        responsible = self.user_id | self.env.ref("intellipush_sms.group_intellipush_manager").users.filtered(
            lambda user: company in user.company_ids and not user.share
        )
        for user in responsible:
            self.activity_schedule(
                activity_type_id=activity_type.id,
                summary=_("SMS campaign paused: %s", self.subject),
                note=note,
                user_id=user.id,
            )

    def _intellipush_end_pause(self, message):
        self.write({"intellipush_paused": False, "intellipush_paused_at": False})
        for mailing in self:
            mailing._message_log(body=message)
        self.activity_unlink(["intellipush_sms_marketing.mail_activity_type_campaign_paused"])

    def _intellipush_check_paused(self):
        if not all(self.mapped("intellipush_paused")):
            raise UserError(_("Only a paused SMS campaign can be resumed or cancelled here."))

    def action_intellipush_resume(self):
        """Send the SMS the pause held: the dispatch takes them again."""
        self._intellipush_check_paused()
        self.write({"intellipush_resumed": True})
        self._intellipush_end_pause(_("Sending resumed by %s: the waiting SMS go now.", self.env.user.name))
        self.env.ref("intellipush_sms.ir_cron_intellipush_dispatch").sudo()._trigger()
        return True

    def action_intellipush_cancel_paused(self):
        """Cancel the SMS the pause held and give their credits back."""
        self._intellipush_check_paused()
        waiting = self.env["sms.sms"].sudo().search([("mailing_id", "in", self.ids), ("state", "=", "outgoing")])
        waiting._intellipush_set_state(
            "canceled",
            reason=_("The campaign paused itself and %s cancelled what was left to send.", self.env.user.name),
        )
        count_by_mailing = {mailing: len(sms) for mailing, sms in waiting.grouped("mailing_id").items()}
        for mailing in self:
            mailing._intellipush_end_pause(
                _(
                    "Cancelled by %(user)s after the pause: %(count)s SMS will not be sent, their credits are "
                    "released.",
                    user=self.env.user.name,
                    count=count_by_mailing.get(mailing, 0),
                )
            )
        return True


def _pause_reason(env, company, figures, opt_outs_since):
    """Why a campaign with these ``figures`` pauses, or None; its opt-outs are
    counted (``opt_outs_since(first sent at)``) only once it is judged."""
    handed_over = figures["sent"] + figures["failed"]
    if not company.intellipush_auto_pause or handed_over < company.intellipush_pause_min_sent:
        return None
    failure_rate = 100.0 * figures["failed"] / handed_over
    opt_outs = (
        opt_outs_since(figures["first_sent_at"])
        if company.intellipush_pause_optout_rate and figures["sent"] and figures["first_sent_at"]
        else 0
    )
    optout_rate = 100.0 * opt_outs / figures["sent"] if figures["sent"] else 0.0
    if company.intellipush_pause_optout_rate and optout_rate > company.intellipush_pause_optout_rate:
        return env._(
            "Paused automatically: %(count)s opt-outs of %(sent)s SMS sent (%(rate).1f %%, the limit is "
            "%(limit).1f %%).",
            count=opt_outs,
            sent=figures["sent"],
            rate=optout_rate,
            limit=company.intellipush_pause_optout_rate,
        )
    if company.intellipush_pause_failure_rate and failure_rate > company.intellipush_pause_failure_rate:
        return env._(
            "Paused automatically: %(count)s of %(handed)s SMS failed (%(rate).1f %%, the limit is %(limit).1f %%).",
            count=figures["failed"],
            handed=handed_over,
            rate=failure_rate,
            limit=company.intellipush_pause_failure_rate,
        )
    return None
