"""The archive and the outbox as folders we can write: a clear OutputError (exit 4) instead of a
traceback when they are not."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from workflow.domain.settings import Settings
from workflow.errors import OutputError
from workflow.store import archive


@contextlib.contextmanager
def output_errors(what: str, key: str, settings: Settings) -> Iterator[None]:
    """An OSError while writing the archive or the outbox is the operator's OutputError (exit 4);
    whatever was taken from the inbox is in the ledger and is finished by the next pass."""
    try:
        yield
    except archive.ArchiveMismatch as exc:
        raise OutputError(f"{what}：{exc}。请检查磁盘后重试；收件箱中的文件仍保留。") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = f"：{exc.filename}" if exc.filename else ""
        raise OutputError(
            f"{what}（{reason}{where}）。请检查磁盘空间和文件夹权限，或在 "
            f"{settings.config_path.name} 的 {key} 中改为可写的文件夹；已处理的文件均已记录，"
            "下次处理时继续。"
        ) from exc


_FOLDER_KEYS = (
    ("outbox_dir", "发件箱（输出目录）", "outbox"),
    ("archive_dir", "存档目录", "archive"),
)


def check_inbox(settings: Settings) -> None:
    """The inbox exists and can be listed: a share that is not mounted is the operator's problem
    (exit 4), never an empty inbox ("没有新文件") that publishes as if nothing had arrived."""
    inbox = settings.inbox_dir
    fix = (
        f"若收件箱在共享文件夹或网络盘上，请确认已连接（挂载）并可访问；若路径有误，请在 "
        f"{settings.config_path.name} 的 [paths] inbox 中改正。本次未处理任何文件，也未更新发件箱。"
    )
    if not inbox.exists():
        raise OutputError(f"收件箱 {inbox} 不存在或无法访问。{fix}")
    if not inbox.is_dir():
        raise OutputError(f"收件箱 {inbox} 是一个文件，不是文件夹。{fix}")
    try:
        with os.scandir(inbox) as entries:
            next(entries, None)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"无法读取收件箱 {inbox}（{reason}）。{fix}") from exc


def check_folders(settings: Settings) -> None:
    """The inbox can be read, the outbox and the archive are folders we can write, or an
    OutputError says which and how to fix it (before anything is taken from the inbox)."""
    check_inbox(settings)
    for attr, what, key in _FOLDER_KEYS:
        path: Path = getattr(settings, attr)
        fix = f"或在 {settings.config_path.name} 的 [paths] {key} 中指定另一个文件夹"
        if path.exists() and not path.is_dir():
            raise OutputError(
                f"{what} {path} 是一个文件，不是文件夹。请移走或重命名这个文件，{fix}。"
            )
        probe = path / f".workflow-write-test-{os.getpid()}"
        try:
            path.mkdir(parents=True, exist_ok=True)
            try:
                probe.write_bytes(b"")
            finally:
                probe.unlink(missing_ok=True)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise OutputError(
                f"{what} {path} 无法写入（{reason}）。请检查磁盘空间是否充足、该文件夹及其上级文件夹是否存在、"
                f"运行本程序的账户是否有写入权限，{fix}。"
            ) from exc
