"""The demo's calendar: which report year it shows, and the day it is played on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime


def season_clock(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """The demo's clock, inside the collection season of the year it shows: in January the real
    clock; otherwise 1月20日 10:00 of this year, running forward as the real clock does. The demo then
    shows units reporting before their 1月31日 deadline instead of a season long past."""
    start = clock()
    if start.month == 1:
        return clock
    shift = start.replace(month=1, day=20, hour=10, minute=0, second=0, microsecond=0) - start
    return lambda: clock() + shift


def demo_year(now: datetime) -> int:
    """The report year of the demo at ``now``: the last year that has ended, so that its reports
    can be dated, as real ones are, in the January after it."""
    return now.year - 1
