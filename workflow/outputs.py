"""PLACEHOLDER (the integrator replaces this module; keep the signature): what a pass publishes.

Writes only ``<year>/units.json``, the records of the pass, so the pipeline can be built and tested
before the rollup, reports and dashboard exist.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from workflow.config import Settings
from workflow.records import UnitRecord


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def write_outputs(
    settings: Settings, records: list[UnitRecord], out_dir: Path, *, now: datetime, runs: list[dict]
) -> dict[str, str]:
    """Write the outputs of a pass into ``out_dir``; return output name → path relative to it."""
    rel = f"{settings.year}/units.json"
    path = out_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "district": settings.district,
        "year": settings.year,
        "generated": now.isoformat(timespec="seconds"),
        "units": [
            {k: v for k, v in asdict(r).items() if k not in ("findings", "texts")} for r in records
        ],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=_plain), "utf-8")
    return {"units": rel}
