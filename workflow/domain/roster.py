"""The roster of units and how a name written by a person finds its unit.

One normalisation (``name_key``: spaces removed) and one index per roster, built once, so a lookup
costs the same for 10 units as for 5,000."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# 区县: a city's roster lists its districts; 市级部门 and 设区的市 (a province's or city's roster) may
# issue 规章 (立法法 第九十三条), so R8 does not ask them for 0 in the 规章 row.
CATEGORIES = ("部门", "街道乡镇", "区县", "市级部门", "设区的市")
RULE_MAKING_CATEGORIES = frozenset({"市级部门", "设区的市"})


@dataclass(frozen=True, slots=True)
class Unit:
    name: str
    category: str = "部门"
    aliases: tuple[str, ...] = ()
    contact_person: str = ""
    contact_phone: str = ""
    self_reference: str = ""  # how its report names itself (我局 …); "" = derived from the name

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def name_key(name: str) -> str:
    """A unit name compared without its spaces: 「长乐区 教育局」 is 「长乐区教育局」."""
    return "".join(name.split())


class RosterIndex:
    """Every name and alias of a roster, normalised, mapped to its unit."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units = tuple(units)
        self._by_key: dict[str, Unit] = {}
        for unit in self.units:
            for n in unit.names:
                self._by_key.setdefault(name_key(n), unit)

    def find(self, name: str) -> Unit | None:
        """The unit whose name or alias equals ``name`` (after removing spaces)."""
        return self._by_key.get(name_key(name))

    def match(self, name: str) -> Unit | None:
        """The unit ``name`` stands for, as a person would write it: its name or an alias, or else
        the one unit whose name or alias ends with it (「教育局」 for 城东区教育局)."""
        exact = self.find(name)
        if exact is not None:
            return exact
        key = name_key(name)
        if len(key) < 2:
            return None
        matches = {u.name: u for k, u in self._by_key.items() if k.endswith(key)}
        return next(iter(matches.values())) if len(matches) == 1 else None
