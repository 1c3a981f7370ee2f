"""A workspace's settings as plain data (loaded from workflow.toml by ``workspace.config``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from workflow.domain.roster import RosterIndex, Unit

CONFIG_NAME = "workflow.toml"
BLANK_POLICIES = ("error", "warning")


@dataclass(frozen=True)
class Settings:
    workspace: Path
    district: str
    year: int
    format: str = "gov2021"
    deadline: str = ""  # "YYYY-MM-DD"; default 1月31日 of year+1
    # where the district's report is published and whom to ask (its preamble, the export)
    website_url: str = ""
    contact_address: str = ""
    contact_postcode: str = ""
    contact_phone: str = ""
    contact_person: str = ""
    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    archive: Path = Path("archive")
    state: Path = Path(".workflow")  # ledger, lock, logs (local disk)
    every_minutes: int = 10
    settle_seconds: float = 2.0
    blank_policy: str = (
        "error"  # blank, "/", "无", "—" in a number cell: error, or warning counted as 0
    )
    max_file_mb: int = 20
    previous_summary: Path | None = None  # last year's summary.json
    previous_reports: Path | None = None  # or a folder of last year's published reports
    previous_source: str = ""  # where that summary was copied from (`workflow init --from`)
    district_text: Path | None = None  # the district's own narrative for its report
    pdf: bool | str = "typst"  # "typst", "office", or "" / False for none (True means typst)
    units: tuple[Unit, ...] = field(default=())
    config_path: Path = Path(CONFIG_NAME)
    roster_file: Path | None = None  # the roster spreadsheet (单位名单.xlsx) the units came from

    def path(self, relative: Path) -> Path:
        """A workspace path made absolute."""
        return relative if relative.is_absolute() else self.workspace / relative

    @property
    def inbox_dir(self) -> Path:
        return self.path(self.inbox)

    @property
    def outbox_dir(self) -> Path:
        return self.path(self.outbox)

    @property
    def archive_dir(self) -> Path:
        return self.path(self.archive)

    @property
    def state_dir(self) -> Path:
        return self.path(self.state)

    @property
    def year_outbox(self) -> Path:
        return self.outbox_dir / str(self.year)

    @property
    def unit_deadline(self) -> str:
        return self.deadline or f"{self.year + 1}-01-31"

    @cached_property
    def roster(self) -> RosterIndex:
        """The roster's names and aliases, indexed once."""
        return RosterIndex(self.units)

    def find_unit(self, name: str) -> Unit | None:
        """The roster unit whose name or alias equals ``name`` (after trimming spaces)."""
        return self.roster.find(name)


def match_unit(settings: Settings, name: str) -> Unit | None:
    """The roster unit ``name`` stands for, as a person would write it: its name or an alias, or
    else the one unit whose name or alias ends with it (「教育局」 for 城东区教育局)."""
    return settings.roster.match(name)
