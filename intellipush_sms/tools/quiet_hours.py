"""Quiet hours for marketing SMS: Norwegian public holidays and when a
marketing message may go.

No Odoo imports. Times are aware datetimes; the rule's wall-clock hours are
read in its time zone (``zoneinfo``), so the window stays 21:00 to 08:00 on
both sides of a daylight-saving change.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Oslo"
DEFAULT_START = 21.0
DEFAULT_END = 8.0
# Enough days to leave any run of Sundays, holidays and nights behind.
_MAX_STEPS = 32


def easter_sunday(year):
    """Western (Gregorian) Easter Sunday of ``year`` (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def norwegian_holidays(year):
    """``{date: Norwegian name}`` of the public holidays (helligdager and
    høytidsdager) of ``year``; Sundays are not listed."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "1. nyttårsdag",
        easter - timedelta(days=3): "Skjærtorsdag",
        easter - timedelta(days=2): "Langfredag",
        easter: "1. påskedag",
        easter + timedelta(days=1): "2. påskedag",
        date(year, 5, 1): "Offentlig høytidsdag",
        date(year, 5, 17): "Grunnlovsdag",
        easter + timedelta(days=39): "Kristi himmelfartsdag",
        easter + timedelta(days=49): "1. pinsedag",
        easter + timedelta(days=50): "2. pinsedag",
        date(year, 12, 25): "1. juledag",
        date(year, 12, 26): "2. juledag",
    }


def is_norwegian_holiday(day):
    return day in norwegian_holidays(day.year)


@dataclass(frozen=True)
class QuietRule:
    """When marketing waits: every night from ``start`` to ``end`` (hours as
    floats, 21.5 = 21:30; a window with ``start`` after ``end`` crosses
    midnight, equal hours mean no nightly window), and optionally whole
    Sundays and Norwegian public holidays."""

    start: float = DEFAULT_START
    end: float = DEFAULT_END
    sundays: bool = False
    holidays: bool = False
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self):
        for hour in (self.start, self.end):
            if not 0 <= hour <= 24:
                raise ValueError(f"quiet hours are between 0 and 24, not {hour}")
        try:
            ZoneInfo(self.timezone)  # refused here rather than at the first send
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None

    @property
    def zone(self):
        return ZoneInfo(self.timezone)

    def quiet_day(self, day):
        """Whether the whole local ``day`` is quiet (a Sunday or holiday the rule covers)."""
        return (self.sundays and day.weekday() == 6) or (self.holidays and is_norwegian_holiday(day))

    def quiet_time(self, hour):
        """Whether the local time of day ``hour`` (a float) is in the nightly window."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


def _hour(local):
    return local.hour + local.minute / 60 + local.second / 3600 + local.microsecond / 3_600_000_000


def _at(day, hour):
    """Naive wall-clock ``day`` at ``hour`` (24.0 is the next midnight)."""
    minutes = round(hour * 60)
    return datetime.combine(day, time()) + timedelta(minutes=minutes)


def quiet_until(moment, rule):
    """``None`` when marketing may go at the aware ``moment``; otherwise the
    first allowed moment after it (aware, in the rule's zone).

    The search walks wall-clock time: past a quiet day to its midnight, past
    the nightly window to its end. A wall time that a spring-forward change
    skips resolves to the instant after the change (never earlier than allowed).
    """
    if moment.tzinfo is None:
        raise ValueError("quiet_until needs an aware datetime")
    zone = rule.zone
    local = moment.astimezone(zone).replace(tzinfo=None)
    candidate = local
    for _step in range(_MAX_STEPS * 2):
        if rule.quiet_day(candidate.date()):
            candidate = datetime.combine(candidate.date() + timedelta(days=1), time())
            continue
        hour = _hour(candidate)
        if rule.quiet_time(hour):
            # The window's end: today if it is still ahead, else tomorrow (a window crossing midnight).
            day = candidate.date() if hour < rule.end else candidate.date() + timedelta(days=1)
            candidate = _at(day, rule.end)
            continue
        break
    else:
        raise ValueError("the quiet rule leaves no time to send")
    if candidate == local:
        return None
    return _aware(candidate, zone)


def _aware(naive, zone):
    """The wall time ``naive`` in ``zone``. A time a spring-forward change
    skips is read with the offset before it (fold 0), which lands after the
    change: late by the gap, never early."""
    return naive.replace(tzinfo=zone).astimezone(zone)
