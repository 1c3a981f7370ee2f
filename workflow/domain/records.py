"""The state of each roster unit after a pass: what the rollup, reports and dashboard are built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from workflow.domain.findings import Finding
from workflow.domain.submission import Number

UnitStatus = Literal["accepted", "rejected", "missing"]
STATUS_NAMES: dict[str, str] = {"accepted": "已通过", "rejected": "未通过", "missing": "未报送"}


@dataclass(frozen=True)
class UnitRecord:
    """One roster unit: its current submission (if any) and what checking it found.

    ``values`` holds every numeric field id of the format, totals recomputed from their parts;
    paths (``source`` and ``outputs``) are relative to the workspace, with forward slashes.
    """

    name: str
    category: str
    status: UnitStatus
    submitted_at: str = ""  # ISO 8601, when the current file arrived
    sha256: str = ""
    source: str = ""  # archived file of the current submission
    original_name: str = ""
    errors: int = 0
    warnings: int = 0
    values: dict[str, Number] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    contact_person: str = ""
    contact_phone: str = ""
    updated: bool = False  # a resubmission replaced an earlier file in the latest pass
    outputs: dict[str, str] = field(default_factory=dict)  # report, feedback, receipt
    # A file that arrived after the current accepted one and was rejected: the accepted one still
    # counts, but the coordinator must see that the unit tried to change its figures.
    newer_rejected: str = ""  # its original file name
    newer_rejected_receipt: str = ""  # its receipt, relative to the workspace
    newer_rejected_errors: int = 0
    newer_rejected_at: str = ""  # ISO 8601 arrival time
