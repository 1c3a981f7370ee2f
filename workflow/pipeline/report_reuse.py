"""Unit reports that a pass does not write again: those whose content did not change.

A pass publishes every accepted unit's report (.docx, .html, PDF). Rendering them all again when one
unit sent a correction made a pass of a large district cost in proportion to the district, not to
the files that came in. So each unit report has a key — the hash of everything it is made from: its
context (the unit's data and text, the district's settings), the renderers' code and templates, the
PDF engine and the fonts chosen — and ``state/unit-reports.json`` records, after each publication,
the key of every published report with the size and modification time of its files.

A report is reused (left in the outbox as it is, listed again by the new manifest) only when its key
is the same, every one of its files is listed by the latest manifest and is still in the outbox with
the size and time recorded. Anything else — a changed unit, a new template, fonts installed, a file
deleted or edited by hand, a lost or unreadable record — writes the report again. The record is a
cache: it is written only after the manifest, so a pass that dies leaves at worst a record that
makes the next pass write more than it needs to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.domain.settings import Settings
from workflow.store.durable import write_json

RECORD_NAME = "unit-reports.json"
_PACKAGE = Path(__file__).resolve().parents[1]
_RENDERERS = ("report/**/*.py", "assets/*", "templates/**/*")


def code_key(extra: Iterable[str] = ()) -> str:
    """The renderers' code and templates (and ``extra``: engine, fonts, a workspace's template)."""
    digest = hashlib.sha256()
    for pattern in _RENDERERS:
        for path in sorted(_PACKAGE.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(_PACKAGE).as_posix().encode())
                digest.update(path.read_bytes())
    for item in extra:
        digest.update(item.encode())
    return digest.hexdigest()


def report_code(settings: Settings, fonts: str) -> str:
    """``code_key`` of this workspace: with its PDF engine, the installed fonts (``fonts``, a
    ``font_signature``: official fonts installed, every PDF is made again), and its own copy of
    the unit report template if it has one."""
    from workflow.pipeline.pdfs import pdf_engine
    from workflow.report.docx import UNIT_TEMPLATE, template_path

    engine = pdf_engine(settings)
    extra = [f"pdf={engine}", fonts if engine else ""]
    own = template_path(settings, UNIT_TEMPLATE)
    if own.is_file():
        extra.append(hashlib.sha256(own.read_bytes()).hexdigest())
    return code_key(extra)


def context_key(code: str, context: Mapping[str, Any]) -> str:
    """The key of a report made from ``context`` by the renderers of ``code``."""
    data = json.dumps(context, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{code}\n{data}".encode()).hexdigest()


@dataclass
class ReportReuse:
    """What the latest publication holds, and the reports of this pass (key and files)."""

    outbox: Path
    state: Path
    listed: set[str]  # the files the latest manifest lists (relative to the outbox)
    code: str
    old: dict[str, Any] = field(default_factory=dict)
    new: dict[str, dict[str, Any]] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)  # files left in the outbox as they are

    recorded: str = ""  # the code of the recorded reports

    @classmethod
    def load(cls, outbox: Path, state: Path) -> ReportReuse:
        """The record of the latest publication (``prepare`` before reusing from it)."""
        try:
            old = json.loads((state / RECORD_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            old = {}
        if not isinstance(old, dict):
            old = {}
        reports = old.get("reports")
        return cls(
            outbox,
            state,
            set(),
            "",
            reports if isinstance(reports, dict) else {},
            recorded=str(old.get("code", "")),
        )

    def prepare(self, listed: set[str], code: str) -> None:
        """For this publication: the files the latest manifest lists, and the renderers' code
        (reports recorded with another code are not reused)."""
        self.listed, self.code = listed, code
        if code != self.recorded:
            self.old = {}

    def touched(self) -> int:
        """How many published unit reports have a file that was deleted or changed by hand since
        it was recorded (then a pass publishes even with nothing new, and writes them again)."""
        return sum(1 for entry in self.old.values() if not self._intact(entry))

    def _intact(self, entry: Any) -> bool:
        stats = entry.get("stats") if isinstance(entry, dict) else None
        for rel, recorded in (stats or {}).items():
            try:
                st = (self.outbox / rel).stat()
            except OSError:
                return False
            if [st.st_size, st.st_mtime_ns] != recorded:
                return False
        return True

    def reuse(self, doc: str, key: str, files: Iterable[str]) -> bool:
        """Whether the report ``doc`` (with ``files``, all relative to the outbox) can stay as it
        is; either way it is part of this pass's record."""
        files = sorted(files)
        self.new[doc] = {"key": key, "files": files}
        entry = self.old.get(doc)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return False
        stats = entry.get("stats") or {}
        if sorted(stats) != files or not all(f in self.listed for f in files):
            return False
        for rel in files:
            try:
                st = (self.outbox / rel).stat()
            except OSError:
                return False
            if [st.st_size, st.st_mtime_ns] != stats[rel]:
                return False
        self.kept.update(files)
        return True

    def pdf_key(self, doc: str) -> str:
        """The typeset copy of ``doc``'s PDF in the typst cache, as last recorded ("" if none)."""
        entry = self.old.get(doc)
        return str(entry.get("pdf_key", "")) if isinstance(entry, dict) else ""

    def drop(self, doc: str, rel: str) -> None:
        """A file of ``doc`` that was not made after all (a PDF that failed)."""
        entry = self.new.get(doc)
        if entry is not None and rel in entry["files"]:
            entry["files"] = [f for f in entry["files"] if f != rel]

    def save(self, pdf_keys: Mapping[str, str]) -> None:
        """After the manifest: the reports now published, with their files' size and time and
        the typst cache key of their PDF (``pdf_keys``), kept in the cache while it is used."""
        reports: dict[str, Any] = {}
        for doc, entry in self.new.items():
            stats = {}
            for rel in entry["files"]:
                try:
                    st = (self.outbox / rel).stat()
                except OSError:
                    break
                stats[rel] = [st.st_size, st.st_mtime_ns]
            else:
                reports[doc] = {
                    "key": entry["key"],
                    "stats": stats,
                    "pdf_key": pdf_keys.get(doc, ""),
                }
        write_json(self.state / RECORD_NAME, {"code": self.code, "reports": reports})
