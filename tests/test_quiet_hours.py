from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from intellipush_sms.tools.quiet_hours import QuietRule, easter_sunday, norwegian_holidays, quiet_until

OSLO = ZoneInfo("Europe/Oslo")
NIGHTS = QuietRule(21.0, 8.0)
ALL = QuietRule(21.0, 8.0, sundays=True, holidays=True)


def oslo(*args):
    return datetime(*args, tzinfo=OSLO)


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28))],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_norwegian_holidays_2026():
    assert norwegian_holidays(2026) == {
        date(2026, 1, 1): "1. nyttårsdag",
        date(2026, 4, 2): "Skjærtorsdag",
        date(2026, 4, 3): "Langfredag",
        date(2026, 4, 5): "1. påskedag",
        date(2026, 4, 6): "2. påskedag",
        date(2026, 5, 1): "Offentlig høytidsdag",
        date(2026, 5, 14): "Kristi himmelfartsdag",
        date(2026, 5, 17): "Grunnlovsdag",
        date(2026, 5, 24): "1. pinsedag",
        date(2026, 5, 25): "2. pinsedag",
        date(2026, 12, 25): "1. juledag",
        date(2026, 12, 26): "2. juledag",
    }


HOLIDAYS = QuietRule(21.0, 8.0, holidays=True)


@pytest.mark.parametrize(
    ("rule", "moment", "until"),
    [
        # The nightly window's edges, on Wednesday 2 December 2026.
        (NIGHTS, oslo(2026, 12, 2, 20, 59, 59), None),
        (NIGHTS, oslo(2026, 12, 2, 21, 0), oslo(2026, 12, 3, 8, 0)),
        (NIGHTS, oslo(2026, 12, 3, 7, 59), oslo(2026, 12, 3, 8, 0)),
        (NIGHTS, oslo(2026, 12, 3, 8, 0), None),
        # A window within one day, one ending at midnight, none at all.
        (QuietRule(11.5, 13.0), oslo(2026, 12, 2, 11, 29), None),
        (QuietRule(11.5, 13.0), oslo(2026, 12, 2, 11, 30), oslo(2026, 12, 2, 13, 0)),
        (QuietRule(11.5, 13.0), oslo(2026, 12, 2, 13, 0), None),
        (QuietRule(22.0, 0.0), oslo(2026, 12, 2, 23, 0), oslo(2026, 12, 3, 0, 0)),
        (QuietRule(8.0, 8.0), oslo(2026, 12, 2, 3, 0), None),
        # Saturday 5 December 2026: Sunday quiet all day with the rule, its nights only without.
        (ALL, oslo(2026, 12, 5, 20, 59), None),
        (ALL, oslo(2026, 12, 5, 21, 0), oslo(2026, 12, 7, 8, 0)),
        (ALL, oslo(2026, 12, 6, 12, 0), oslo(2026, 12, 7, 8, 0)),
        (NIGHTS, oslo(2026, 12, 6, 12, 0), None),
        (NIGHTS, oslo(2026, 12, 5, 21, 0), oslo(2026, 12, 6, 8, 0)),
        # Skjærtorsdag to 2. påskedag 2026 (2 to 6 April), Saturday 4 April an ordinary day.
        (ALL, oslo(2026, 4, 1, 21, 0), oslo(2026, 4, 4, 8, 0)),
        (ALL, oslo(2026, 4, 4, 21, 0), oslo(2026, 4, 7, 8, 0)),
        # 17 May 2028 is a Wednesday.
        (HOLIDAYS, oslo(2028, 5, 17, 10, 0), oslo(2028, 5, 18, 8, 0)),
        (HOLIDAYS, oslo(2028, 5, 16, 20, 59), None),
        (HOLIDAYS, oslo(2028, 5, 16, 21, 0), oslo(2028, 5, 18, 8, 0)),
        # 2027: 2. pinsedag falls on 17 May, 1. pinsedag on the Sunday before.
        (HOLIDAYS, oslo(2027, 5, 15, 21, 0), oslo(2027, 5, 18, 8, 0)),
        # Christmas Eve is no public holiday; 25 and 26 December are.
        (HOLIDAYS, oslo(2026, 12, 24, 12, 0), None),
        (HOLIDAYS, oslo(2026, 12, 24, 21, 0), oslo(2026, 12, 27, 8, 0)),
    ],
)
def test_quiet_until(rule, moment, until):
    assert quiet_until(moment, rule) == until


def test_a_utc_moment_is_read_in_oslo_time():
    # 20:00 UTC is 21:00 in Oslo in winter.
    assert quiet_until(datetime(2026, 12, 2, 19, 59, tzinfo=timezone.utc), NIGHTS) is None
    until = quiet_until(datetime(2026, 12, 2, 20, 0, tzinfo=timezone.utc), NIGHTS)
    assert until.astimezone(timezone.utc) == datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)


def test_daylight_saving_changes_keep_local_hours():
    # Spring forward in the night to Sunday 29 March 2026: 08:00 is 06:00 UTC.
    until = quiet_until(oslo(2026, 3, 28, 22, 0), NIGHTS)
    assert until.astimezone(timezone.utc) == datetime(2026, 3, 29, 6, 0, tzinfo=timezone.utc)
    # Fall back in the night to Sunday 25 October 2026: 08:00 is 07:00 UTC.
    until = quiet_until(oslo(2026, 10, 24, 22, 0), NIGHTS)
    assert until.astimezone(timezone.utc) == datetime(2026, 10, 25, 7, 0, tzinfo=timezone.utc)
    # 20:59 and 21:00 on the day after the change, in summer time.
    assert quiet_until(datetime(2026, 3, 29, 18, 59, tzinfo=timezone.utc), NIGHTS) is None
    assert quiet_until(datetime(2026, 3, 29, 19, 0, tzinfo=timezone.utc), NIGHTS) == oslo(2026, 3, 30, 8, 0)


def test_an_end_in_the_skipped_hour_is_never_early():
    rule = QuietRule(1.0, 2.5)
    until = quiet_until(oslo(2026, 3, 29, 1, 30), rule)
    # 02:30 does not exist that night: the window ends after the clock has moved to 03:00.
    assert until.astimezone(timezone.utc) >= datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc)
    assert quiet_until(until, rule) is None


def test_bad_rules_are_refused():
    with pytest.raises(ValueError, match="between 0 and 24"):
        QuietRule(25.0, 8.0)
    with pytest.raises(ValueError):
        QuietRule(21.0, 8.0, timezone="Europe/Atlantis")
    with pytest.raises(ValueError, match="aware"):
        quiet_until(datetime(2026, 12, 2, 21, 0), NIGHTS)
