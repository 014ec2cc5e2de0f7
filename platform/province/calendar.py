"""Working days on the official calendar (public holidays and 调休 kept as data).

A day is a working day when it is Monday–Friday and not a public holiday, or when it
is a weekend day declared a make-up working day (调休上班). Exceptions live in
province.CalendarDay (public schema, readable from every prefecture's schema); a year
with no CalendarYear row has no exceptions entered yet and counts Monday–Friday only.

Counting rule for deadlines ("within N working days"): the day of the event does not
count; the deadline is the N-th working day after it, inclusive (the reply is on time
if it arrives on that day).
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass

from .models import CalendarDay, CalendarYear

@dataclass(frozen=True)
class Exceptions:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def exceptions_between(first: dt.date, last: dt.date) -> Exceptions:
    """One query for every exception in [first, last]."""
    rows = CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "kind")
    holidays, workdays = set(), set()
    for day, kind in rows:
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    return Exceptions(frozenset(holidays), frozenset(workdays))


def is_working_day(day: dt.date) -> bool:
    return exceptions_between(day, day).is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (n >= 1); n == 0 gives `start` itself."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return start
    window = dt.timedelta(days=2 * n + 30)  # ample: at least 5 working days in 7, minus holidays
    loaded_until = start + window
    exc = exceptions_between(start, loaded_until)
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        if day > loaded_until:  # only with an unusual calendar; load the next stretch
            exc = exceptions_between(day, day + window)
            loaded_until = day + window
        if exc.is_working_day(day):
            counted += 1
    return day


def subtract_working_days(end: dt.date, n: int) -> dt.date:
    """The n-th working day before `end` (n >= 1); n == 0 gives `end`."""
    if n <= 0:
        return end
    exc = exceptions_between(end - dt.timedelta(days=2 * n + 30), end)
    day, counted = end, 0
    while counted < n:
        day -= dt.timedelta(days=1)
        if exc.is_working_day(day):
            counted += 1
    return day


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days in (first, last]: how many working days after `first` `last` falls."""
    if last <= first:
        return 0
    exc = exceptions_between(first, last)
    return sum(1 for i in range(1, (last - first).days + 1) if exc.is_working_day(first + dt.timedelta(days=i)))


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's end (Jan 31 + 1 month = Feb 28/29)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def official_years() -> list[int]:
    return list(CalendarYear.objects.values_list("year", flat=True))


def is_official(year: int) -> bool:
    return CalendarYear.objects.filter(year=year).exists()
