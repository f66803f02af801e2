"""Stage policy, the marketing frequency cap: at most so many marketing SMS
per number in any 24 hours and in any 7 days (company settings, 0 = no limit).

What counts, per company and E.164 number: its marketing SMS that are queued
or being handed over (``outgoing``, ``process``, ``uncertain``: they go
whenever the queue reaches them) and those handed over within the window
(``pending``, ``sent``, by ``sent_at``). Failed, refused and cancelled SMS
never reached the contact and do not count. The window is open at its far end:
an SMS handed over exactly 24 hours ago no longer counts, one handed over a
second later does.

Within one batch of new SMS, those the cap lets through count for the next
ones to the same number (a campaign holds one SMS per number anyway: Odoo
skips the duplicates). SMS checked again (a retry: ``self``) do not count
against themselves. Access codes, opt-out confirmations and transactional SMS
are never capped.
"""

from collections import Counter
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .sms_sms_policy import Verdict

CAP_DAY = timedelta(hours=24)
CAP_WEEK = timedelta(days=7)
# Will go (or may have gone): they count whenever they were created.
CAP_QUEUED_STATES = ("outgoing", "process", "uncertain")
# Went: they count within the window, from when they were handed over.
CAP_HANDED_STATES = ("pending", "sent")


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def init(self):
        super().init()
        # The cap's count (and the campaign a STOPP answers) reads a number's
        # marketing SMS: without this index, each chunk of a campaign would
        # read every marketing SMS ever sent.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS sms_sms_intellipush_marketing_number_idx
                ON sms_sms ((COALESCE(number_e164, number)))
             WHERE sms_purpose = 'marketing'
            """
        )

    @api.model
    def _intellipush_apply_frequency_cap(self, entries, numbers, verdicts):
        """``verdicts`` of the policy (for ``entries`` of ``(number, partner,
        purpose, company)`` and their E.164 ``numbers``), with those of the
        marketing SMS the company's frequency cap refuses replaced by a
        :class:`Verdict`. One query for all entries."""
        candidates = [
            index
            for index, ((_number, _partner, purpose, company), number, verdict) in enumerate(
                zip(entries, numbers, verdicts, strict=True)
            )
            if purpose == "marketing" and number and not verdict and company._intellipush_frequency_capped()
        ]
        if not candidates:
            return verdicts
        keys = [(entries[index][3], numbers[index]) for index in candidates]
        counts = self._intellipush_frequency_counts({(company.id, number) for company, number in keys})
        verdicts = list(verdicts)
        let_through = Counter()
        for index, (company, number) in zip(candidates, keys, strict=True):
            key = (company.id, number)
            in_day, in_week = counts.get(key, (0, 0))
            verdict = _cap_verdict(self.env, company, in_day + let_through[key], in_week + let_through[key])
            if verdict:
                verdicts[index] = verdict
            else:
                let_through[key] += 1
        return verdicts

    @api.model
    def _intellipush_frequency_counts(self, keys):
        """``{(company id, E.164 number): (count in 24 hours, count in 7 days)}``
        of the marketing SMS the cap counts (see the module's docstring), for
        the ``keys`` given, in one query."""
        self.flush_model(["company_id", "number", "number_e164", "sms_purpose", "state", "sent_at"])
        now = fields.Datetime.now()
        company_ids, numbers = zip(*keys, strict=True)
        self.env.cr.execute(
            SQL(
                """
                SELECT sms.company_id, wanted.number,
                       COUNT(*) FILTER (WHERE sms.state IN %(queued)s OR sms.sent_at > %(day)s),
                       COUNT(*)
                  FROM unnest(%(company_ids)s::int[], %(numbers)s::varchar[]) AS wanted(company_id, number)
                  JOIN sms_sms sms
                    ON sms.company_id = wanted.company_id
                   AND COALESCE(sms.number_e164, sms.number) = wanted.number
                 WHERE sms.sms_purpose = 'marketing'
                   AND (sms.state IN %(queued)s OR (sms.state IN %(handed)s AND sms.sent_at > %(week)s))
                   AND sms.id != ALL(%(exclude)s)
              GROUP BY sms.company_id, wanted.number
                """,
                queued=CAP_QUEUED_STATES,
                handed=CAP_HANDED_STATES,
                day=now - CAP_DAY,
                week=now - CAP_WEEK,
                company_ids=list(company_ids),
                numbers=list(numbers),
                exclude=[sms_id for sms_id in self.ids if isinstance(sms_id, int)],
            )
        )
        return {
            (company_id, number): (in_day, in_week) for company_id, number, in_day, in_week in self.env.cr.fetchall()
        }


def _cap_verdict(env, company, in_day, in_week):
    """The cap's verdict on one more marketing SMS to a number that has
    ``in_day`` and ``in_week`` counted already; None when it may go."""
    if company.intellipush_cap_per_day and in_day >= company.intellipush_cap_per_day:
        reason = env._(
            "Frequency cap: this number got %(count)s marketing SMS in the last 24 hours (at most %(limit)s).",
            count=in_day,
            limit=company.intellipush_cap_per_day,
        )
    elif company.intellipush_cap_per_week and in_week >= company.intellipush_cap_per_week:
        reason = env._(
            "Frequency cap: this number got %(count)s marketing SMS in the last 7 days (at most %(limit)s).",
            count=in_week,
            limit=company.intellipush_cap_per_week,
        )
    else:
        return None
    return Verdict("sms_frequency_cap", reason, "frequency_cap")
