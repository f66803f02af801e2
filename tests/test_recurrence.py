from datetime import datetime

import pytest

from intellipush_sms.tools.recipients import parse_numbers
from intellipush_sms.tools.recurrence import DAILY, MONTHLY, WEEKLY, first_run, next_run


def runs(start, count, frequency, **rule):
    current = first_run(start, frequency, rule.get("weekdays", ()), rule.get("month_day"))
    result = [current]
    for _ in range(count - 1):
        current = next_run(current, frequency, **rule)
        result.append(current)
    return result


def test_daily_every_second_day():
    assert runs(datetime(2026, 12, 30, 9, 0), 3, DAILY, interval=2) == [
        datetime(2026, 12, 30, 9, 0),
        datetime(2027, 1, 1, 9, 0),
        datetime(2027, 1, 3, 9, 0),
    ]


def test_weekly_on_chosen_weekdays():
    # Wednesday 25 November 2026; Mondays and Thursdays.
    assert runs(datetime(2026, 11, 25, 8, 30), 4, WEEKLY, weekdays=(0, 3)) == [
        datetime(2026, 11, 26, 8, 30),
        datetime(2026, 11, 30, 8, 30),
        datetime(2026, 12, 3, 8, 30),
        datetime(2026, 12, 7, 8, 30),
    ]


def test_weekly_every_other_week_keeps_the_weekday():
    assert runs(datetime(2026, 11, 25, 8, 0), 3, WEEKLY, interval=2) == [
        datetime(2026, 11, 25, 8, 0),
        datetime(2026, 12, 9, 8, 0),
        datetime(2026, 12, 23, 8, 0),
    ]


def test_monthly_on_the_31st_falls_on_month_end():
    assert runs(datetime(2027, 1, 15, 10, 0), 5, MONTHLY, month_day=31) == [
        datetime(2027, 1, 31, 10, 0),
        datetime(2027, 2, 28, 10, 0),
        datetime(2027, 3, 31, 10, 0),
        datetime(2027, 4, 30, 10, 0),
        datetime(2027, 5, 31, 10, 0),
    ]
    assert next_run(datetime(2028, 1, 31, 10, 0), MONTHLY, month_day=31) == datetime(2028, 2, 29, 10, 0)


def test_monthly_start_after_the_day_goes_to_next_month():
    assert first_run(datetime(2026, 11, 25, 9, 0), MONTHLY, month_day=5) == datetime(2026, 12, 5, 9, 0)
    assert next_run(datetime(2026, 12, 5, 9, 0), MONTHLY, interval=3, month_day=5) == datetime(2027, 3, 5, 9, 0)


def test_bad_rules():
    with pytest.raises(ValueError):
        next_run(datetime(2026, 1, 1), "yearly")
    with pytest.raises(ValueError):
        next_run(datetime(2026, 1, 1), DAILY, interval=0)


def test_pasted_numbers_deduplicated_and_invalid_listed():
    valid, invalid = parse_numbers("412 34 567\n+47 41234567; 0046 70 123 45 67,,\n123\nhei\n  ", "NO")
    assert [number.e164 for number in valid] == ["+4741234567", "+46701234567"]
    assert [raw for raw, _reason in invalid] == ["123", "hei"]
    assert all(reason for _raw, reason in invalid)
    assert parse_numbers("", "NO") == ([], [])
