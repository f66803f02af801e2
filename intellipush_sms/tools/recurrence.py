"""When a recurring SMS send runs next: daily, on chosen weekdays, or
monthly on a day of the month (the 31st falls on the last day of shorter
months). Times are local wall-clock times: a send at 09:00 stays at 09:00
across daylight-saving changes; the caller converts to and from UTC.
"""

import calendar
from datetime import datetime, timedelta

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"


def next_run(previous, frequency, interval=1, weekdays=(), month_day=None):
    """The first run strictly after ``previous`` (a naive local datetime).

    ``weekdays``: Monday 0 .. Sunday 6 (weekly; empty means the weekday of
    ``previous``); ``month_day``: 1..31 (monthly; empty means the day of
    ``previous``). ``interval`` counts days, weeks or months.
    """
    if interval < 1:
        raise ValueError("interval must be at least 1")
    if frequency == DAILY:
        return previous + timedelta(days=interval)
    if frequency == WEEKLY:
        days = sorted(set(weekdays)) or [previous.weekday()]
        later_this_week = [day for day in days if day > previous.weekday()]
        if later_this_week:
            return previous + timedelta(days=later_this_week[0] - previous.weekday())
        week_start = previous - timedelta(days=previous.weekday())
        return week_start + timedelta(weeks=interval, days=days[0])
    if frequency == MONTHLY:
        day = month_day or previous.day
        month_index = previous.month - 1 + interval
        year, month = previous.year + month_index // 12, month_index % 12 + 1
        return _on_day(previous, year, month, day)
    raise ValueError(f"unknown frequency {frequency!r}")


def first_run(start, frequency, weekdays=(), month_day=None):
    """The first run at or after ``start``, on a day the rule allows."""
    if frequency == WEEKLY and weekdays and start.weekday() not in weekdays:
        return next_run(start, WEEKLY, 1, weekdays)
    if frequency == MONTHLY and month_day:
        candidate = _on_day(start, start.year, start.month, month_day)
        return candidate if candidate >= start else next_run(candidate, MONTHLY, 1, month_day=month_day)
    return start


def _on_day(time_of_day, year, month, day):
    last_day = calendar.monthrange(year, month)[1]
    return datetime(year, month, min(day, last_day), time_of_day.hour, time_of_day.minute, time_of_day.second)
