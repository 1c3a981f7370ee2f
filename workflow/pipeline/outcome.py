"""What a pass did: each file's outcome and the operator's one-paragraph account of the pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_CHANGES_SHOWN = 12


@dataclass
class FileOutcome:
    name: str  # path in the inbox
    status: str  # accepted | rejected | duplicate | failed
    unit: str = ""
    errors: int = 0
    warnings: int = 0


@dataclass
class PassSummary:
    run_id: str
    outbox: Path
    files: list[FileOutcome] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)  # (inbox path, why it was not taken)
    changes: list[dict[str, Any]] = field(default_factory=list)
    units_total: int = 0
    units_accepted: int = 0
    units_rejected: int = 0
    published: bool = False
    recovered: int = 0
    rechecked: list[str] = field(default_factory=list)  # files checked again after a roster change
    restored: int = 0  # feedback files put back into the outbox
    orphans: str = ""  # status.orphan_notice
    rebuilt: str = ""  # the ledger was rebuilt from the archive (rebuild.rebuild_if_lost)
    notes: list[str] = field(default_factory=list)  # why a pass with nothing new published

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    def describe(self) -> str:
        """The pass in one paragraph of Chinese, for the operator."""
        parts = [f"通过 {self.count('accepted')}", f"退回 {self.count('rejected')}"]
        if self.count("duplicate"):
            parts.append(f"重复 {self.count('duplicate')}")
        if self.count("failed"):
            parts.append(f"处理出错 {self.count('failed')}（已留在收件箱）")
        if self.waiting:
            parts.append(f"等待 {len(self.waiting)}")
        head = (
            f"本次处理 {len(self.files)} 个文件：{'，'.join(parts)}。"
            if self.files
            else "收件箱中没有新文件。"
        )
        if not self.files and self.waiting:
            head = f"收件箱中没有可处理的新文件（{len(self.waiting)} 个文件正在复制或已被打开，稍后处理）。"
        reported = self.units_accepted + self.units_rejected
        lines = [
            head + f"已报 {reported}/{self.units_total} 个单位（已通过 {self.units_accepted}，"
            f"未通过 {self.units_rejected}）。"
        ]
        if self.left:
            lines.append(f"收件箱中有 {len(self.left)} 个文件未接收：")
            lines += [f"  {path}：{why}" for path, why in self.left[:MAX_CHANGES_SHOWN]]
            if len(self.left) > MAX_CHANGES_SHOWN:
                lines.append(f"  ……另有 {len(self.left) - MAX_CHANGES_SHOWN} 个，见工作台页面。")
        if self.rebuilt:
            lines.insert(0, self.rebuilt)
        if self.rechecked:
            lines.append(
                f"单位名单已变更，重新校验了 {len(self.rechecked)} 个此前因单位不在名单中被退回、"
                "现已在名单中的文件：" + "、".join(self.rechecked)
            )
        if self.restored:
            lines.append(f"发件箱中缺失的 {self.restored} 个反馈文件已重新放回。")
        if self.orphans:
            lines.append(self.orphans)
        lines += self.notes
        shown = self.changes[:MAX_CHANGES_SHOWN]
        lines += [f"  {c['unit']}：{c['label']} {c['old']} → {c['new']}" for c in shown]
        if len(self.changes) > len(shown):
            lines.append(
                f"  ……另有 {len(self.changes) - len(shown)} 项变化，见工作台页面的处理记录。"
            )
        where = f"输出目录：{self.outbox}" if self.published else f"输出无变化：{self.outbox}"
        lines.append(where)
        return "\n".join(lines)
