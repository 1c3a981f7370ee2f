"""One pass at a time per workspace: an OS file lock that dies with the process holding it.

POSIX uses ``fcntl.flock``, Windows ``msvcrt.locking`` on one byte far past the PID text, so a
waiting process can still read who holds the lock. Nothing is left behind by ``kill -9``: the OS
drops the lock when the descriptor closes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType

from workflow.errors import BusyError, OutputError

LOCK_NAME = "workflow.store.lock"
_WINDOWS_LOCK_OFFSET = 1 << 20  # the locked byte; the PID is written at offset 0


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def _holder(path: Path) -> str:
    try:
        text = path.read_text("utf-8", errors="replace").strip("\x00 \n")
    except OSError:
        return ""
    return text.split()[0] if text else ""


class WorkspaceLock:
    """``with WorkspaceLock(state_dir):`` — raises BusyError when another process holds it."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(
                f"无法在状态文件夹 {self.path.parent} 中创建锁文件（{exc.strerror}）。本次未处理任何文件。"
                "请确认该文件夹所在磁盘有剩余空间、当前账户有写入权限；状态文件夹应在本机磁盘上，"
                "可在 workflow.toml 的 [paths] state 中改为本机上的其他文件夹。"
            ) from exc
        if not _try_lock(fd):
            os.close(fd)
            pid = _holder(self.path)
            who = f"（PID {pid}）" if pid else ""
            raise BusyError(f"另一个处理进程正在运行{who}，本次未处理。请稍后再试。")
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode().ljust(16, b" "))
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
