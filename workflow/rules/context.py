"""What a submission is checked against besides its own content: the workspace's year, roster,
deadline, last year's summary and other units' texts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from workflow.domain.roster import RosterIndex, Unit


@dataclass(frozen=True)
class CheckContext:
    """What a submission is checked against besides its own content.

    ``year`` and ``units`` are the workspace's (None / empty: no year or roster check, as in
    ``workflow check`` without a config). ``previous`` is last year's summary.json; ``peers`` maps other
    units' names to their texts this year (R13).
    """

    year: int | None = None
    units: tuple[Unit, ...] = ()
    deadline: str = ""  # ISO date of the unit deadline; "" → 1月31日 of year + 1
    previous: Mapping[str, Any] | None = None
    peers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    today: date | None = None  # the checking day: a 成文日期 after it is a typo (R12)
    format: str | None = None  # the workspace's configured format (None: no workspace config)
    from_template: bool = False  # year and units come from the file's own _meta (no config)

    @cached_property
    def roster(self) -> RosterIndex:
        return RosterIndex(self.units)

    def find_unit(self, name: str) -> Unit | None:
        return self.roster.find(name)

    def names_of(self, name: str) -> tuple[str, ...]:
        """A unit's name and its aliases on the roster (just ``name`` when it is not on it)."""
        unit = self.find_unit(name)
        return unit.names if unit else (name,)
