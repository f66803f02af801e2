"""Quiet hours of a company: when its marketing SMS wait (issue #20).

A concern of its own beside ``res_company.py`` (the settings and the rule;
the hold itself is in ``sms_sms_quiet_hours.py``).
"""

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date, format_datetime

from odoo.addons.base.models.res_partner import _tz_get

from ..tools.quiet_hours import DEFAULT_END, DEFAULT_START, DEFAULT_TIMEZONE, QuietRule, quiet_until


class ResCompany(models.Model):
    _inherit = "res.company"

    intellipush_quiet_hours = fields.Boolean(
        "Quiet Hours for Marketing",
        default=True,
        help="Marketing SMS created during the quiet hours wait in the queue, with their credits set aside, and "
        "go at the next allowed time. Order confirmations, reminders, codes and other transactional SMS always "
        "go at once.",
    )
    intellipush_quiet_start = fields.Float(
        "Quiet From",
        default=DEFAULT_START,
        help="Local time the quiet hours begin each evening (21:00: a campaign sent at 21:00 waits).",
    )
    intellipush_quiet_end = fields.Float(
        "Quiet Until",
        default=DEFAULT_END,
        help="Local time the quiet hours end: waiting marketing SMS go then. Earlier than the start, the quiet "
        "hours cross midnight.",
    )
    intellipush_quiet_tz = fields.Selection(
        _tz_get,
        string="Quiet Hours Time Zone",
        default=DEFAULT_TIMEZONE,
        help="The time zone of the quiet hours: your customers' local time.",
    )
    intellipush_quiet_sundays = fields.Boolean(
        "Quiet on Sundays",
        default=True,
        help="No marketing SMS all Sunday. The law sets no hours for SMS, but it keeps telephone marketing off "
        "Sundays and public holidays, and customers hold SMS offers to the same manners: on by default.",
    )
    intellipush_quiet_holidays = fields.Boolean(
        "Quiet on Public Holidays",
        default=True,
        help="No marketing SMS on Norwegian public holidays (1 January, Easter, 1 May, 17 May, Ascension, "
        "Whitsun, 25 and 26 December), for the same reason as Sundays: on by default.",
    )

    @api.constrains("intellipush_quiet_start", "intellipush_quiet_end")
    def _check_intellipush_quiet_hours(self):
        for company in self:
            if not (0 <= company.intellipush_quiet_start <= 24 and 0 <= company.intellipush_quiet_end <= 24):
                raise ValidationError(_("Quiet hours begin and end between 00:00 and 24:00."))

    def _intellipush_quiet_rule(self):
        """The company's rule (``tools.quiet_hours.QuietRule``), or None without quiet hours."""
        self.ensure_one()
        if not (self.intellipush_quiet_hours and self._intellipush_active()):
            return None
        return QuietRule(
            start=self.intellipush_quiet_start,
            end=self.intellipush_quiet_end,
            sundays=self.intellipush_quiet_sundays,
            holidays=self.intellipush_quiet_holidays,
            timezone=self.intellipush_quiet_tz or DEFAULT_TIMEZONE,
        )

    def _intellipush_quiet_until(self, moment=None):
        """When a marketing SMS of this company may go, if it may not at
        ``moment`` (naive UTC, Odoo's; now by default): a naive UTC datetime,
        or False when it may go then."""
        self.ensure_one()
        rule = self._intellipush_quiet_rule()
        if rule is None:
            return False
        moment = moment or fields.Datetime.now()
        until = quiet_until(moment.replace(tzinfo=timezone.utc), rule)
        return until.astimezone(timezone.utc).replace(tzinfo=None) if until else False

    def _intellipush_quiet_notice(self, moment=None):
        """ "Held by quiet hours until 08:00" for marketing that ``moment``
        (now by default) holds, in the quiet hours' time zone; False otherwise."""
        self.ensure_one()
        until = self._intellipush_quiet_until(moment)
        return self._intellipush_held_until_text(until) if until else False

    def _intellipush_held_until_text(self, until):
        """The notice for marketing held until ``until`` (naive UTC): the hour
        alone within a day, with the day further off."""
        self.ensure_one()
        tz = self.intellipush_quiet_tz or DEFAULT_TIMEZONE
        hour = format_datetime(self.env, until, tz=tz, dt_format="HH:mm")
        if until - fields.Datetime.now() < timedelta(hours=24):
            return _("Held by quiet hours until %s", hour)
        local_day = until.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date()
        return _(
            "Held by quiet hours until %(weekday)s %(day)s at %(hour)s",
            weekday=format_datetime(self.env, until, tz=tz, dt_format="EEEE"),
            day=format_date(self.env, local_day),
            hour=hour,
        )
