"""What every step of a pass shares: the settings, the ledger, the run's id and clock, the summary
being filled in, and the few look-ups intake, re-checks and publication all make."""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from workflow.domain.check_result import CheckResult
from workflow.domain.settings import Settings
from workflow.pipeline.outcome import PassSummary
from workflow.pipeline.status import CurrentMap, outbox_prefix
from workflow.store import archive
from workflow.store.durable import manifest_paths, run_seq, write_json, written_outputs
from workflow.store.ledger import FileRow, Ledger, encode_result

FEEDBACK_DIR = "feedback"  # state/feedback/<token>/<unit>/回执_… : durable copies of all feedback
LEGACY_OUTGOING = "outgoing"  # where earlier versions kept feedback until it was published
STATE_RUNS = "runs"  # state/runs/<run id>.json : copies of the published manifests
Progress = Callable[[int, int], None]


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list | tuple) else int(value or 0)


class PassContext:
    def __init__(self, settings: Settings, ledger: Ledger, now: datetime, **opts: Any) -> None:
        self.s, self.ledger, self.now = settings, ledger, now
        self.stamp = now.isoformat(timespec="seconds")
        self.sleep: Callable[[float], None] = opts.get("sleep") or time.sleep
        self.progress: Progress | None = opts.get("progress")
        self.clock: Callable[[], datetime] | None = opts.get("clock")
        self.state = settings.state_dir
        self.outbox = settings.outbox_dir
        self.prefix = outbox_prefix(settings) + "/"
        self.arrived: dict[str, str] = {}  # inbox path -> when the file was first seen
        seq = max([run_seq(p.stem) for p in manifest_paths(self.outbox)[:1]] + [0])
        self.run_id = ledger.start_run(self.stamp, now.strftime("%Y%m%d-%H%M%S"), seq)
        self.summary = PassSummary(self.run_id, self.outbox, units_total=len(settings.units))
        self._current: CurrentMap | None = None

    def tick(self, done: int, total: int) -> None:
        if self.progress:
            self.progress(done, total)

    @property
    def feedback_root(self) -> str:
        return f"{self.s.year}/反馈"

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.s.workspace.resolve()).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    @cached_property
    def fonts(self) -> str:
        """The installed fonts (``font_signature``), looked up once per pass."""
        from workflow.report.pdf_fonts import font_key, font_signature
        from workflow.report.pdf_typst import workspace_fonts

        return font_signature(font_key(workspace_fonts(self.s)))

    def config_hash(self) -> str:
        from workflow import __version__

        digest = hashlib.sha256(str(__version__).encode())
        digest.update(repr(self.s.units).encode())  # the roster, wherever it is kept
        digest.update(self.fonts.encode())  # official fonts installed: the PDFs are made again
        for path in self.output_inputs():
            digest.update(path.as_posix().encode())
            with contextlib.suppress(OSError):
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def output_inputs(self) -> list[Path]:
        """Files of the workspace that shape the outputs besides the submissions: a change in any
        of them republishes (the config, the district office's text, its own report templates)."""
        paths = [self.s.workspace / self.s.config_path.name]
        if self.s.district_text is not None:
            paths.append(self.s.path(self.s.district_text))
        own = self.s.workspace / "templates" / "docx"
        if own.is_dir():
            paths += sorted(own.glob("*.docx"))
        return paths

    def feedback_source(self, row: FileRow, name: str) -> Path:
        info = row.feedback_paths
        durable = self.state / FEEDBACK_DIR / info["dir"] / name
        legacy = self.state / LEGACY_OUTGOING / info["dir"] / name
        return legacy if not durable.exists() and legacy.exists() else durable

    def owned_outputs(self) -> set[str]:
        """Outbox paths this tool wrote: listed by any run manifest (the outbox's or the state
        folder's copies), or moved into place by a publication that died before its manifest."""
        pending = set(json.loads(self.ledger.meta("pending_outputs", "[]")))
        folders = (self.outbox / STATE_RUNS, self.state / STATE_RUNS)
        return written_outputs(folders, self.prefix) | pending

    def keep_manifest(self, manifest: Mapping[str, Any]) -> None:
        write_json(self.state / STATE_RUNS / f"{manifest['run_id']}.json", manifest)

    def current_row(self, unit: str) -> tuple[FileRow | None, list[str]]:
        """The unit's current submission, found through the roster (a ledger key may be a name the
        unit had before it was renamed), and the ledger keys it is stored under."""
        if self._current is None:
            self._current = CurrentMap(self.s, self.ledger)
        file_id, keys = self._current.of(unit)
        return (self.ledger.file(file_id) if file_id else None), keys

    def field_changes(
        self, unit: str, old: FileRow, new: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        from workflow.formats.spec import load_format
        from workflow.store.ledger import decode_values

        spec = load_format(self.s.format)
        before = decode_values(old.result_data)
        out = []
        for fid, value in new.items():
            computed = fid in spec.fields and spec.fields[fid].computed
            if fid in before and before[fid] != value and not computed:
                label = spec.fields[fid].label if fid in spec.fields else fid
                out.append(
                    {
                        "unit": unit,
                        "field": fid,
                        "label": label,
                        "old": str(before[fid]),
                        "new": str(value),
                    }
                )
        return out

    def supersede_target(self, old: FileRow, year: int) -> tuple[int, str]:
        """The ledger's record of moving ``old`` into the archive's superseded folder."""
        folder = self.s.archive_dir / str(old.year or year) / archive.FOLDERS["superseded"]
        return old.id, self.rel(folder / Path(old.archive_path).name)

    def refile_superseded(self, old: FileRow, year: int) -> None:
        archive.refile(
            self.s.path(Path(old.archive_path)),
            self.s.archive_dir,
            old.year or year,
            "superseded",
            old.sha256,
        )

    def checked_columns(
        self, result: CheckResult, token: str, files: dict[str, str], replaced: int | None
    ) -> dict[str, Any]:
        """The ledger columns a check's result fills in (format, counts, feedback, result)."""
        return {
            "format": result.format or "",
            "errors": _count(result.errors),
            "warnings": _count(result.warnings),
            "feedback": json.dumps(
                {"dir": token, "folder": self.feedback_root, "files": files}, ensure_ascii=False
            ),
            "result": encode_result(
                dict(result.values), dict(result.texts), list(result.findings), replaced=replaced
            ),
        }
