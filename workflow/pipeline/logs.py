"""Where a pass's log lines go: every line with its traceback to ``<state>/workflow.log``, and to
stderr the message alone — a traceback is for the maintainer's log file, never for the console
(a file that makes the checker fail is a rejection with a receipt, see ``check_step``)."""

from __future__ import annotations

import contextlib
import copy
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

LOG_NAME = "workflow.log"
log = logging.getLogger("workflow")


class NoTraceback(logging.Formatter):
    """A formatter that leaves out the exception's traceback (the log file keeps it)."""

    def format(self, record: logging.LogRecord) -> str:
        bare = copy.copy(record)
        bare.exc_info = None
        bare.exc_text = None
        bare.stack_info = None
        return super().format(bare)


def add_handlers(state_dir: Path, *, stamped: bool, console_level: int) -> list[logging.Handler]:
    """The log file (everything, tracebacks included) and stderr (messages only); the handlers
    added, to remove afterwards. Without a writable state folder: stderr alone."""
    stamp = "%(asctime)s " if stamped else ""
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(NoTraceback(stamp + "%(message)s", "%Y-%m-%d %H:%M:%S"))
    console.setLevel(console_level)
    handlers.append(console)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(state_dir / LOG_NAME, encoding="utf-8")
    except OSError:
        pass  # the pass itself reports an unusable state folder
    else:
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        handlers.append(file_handler)
    for handler in handlers:
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handlers


def remove_handlers(handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        log.removeHandler(handler)
        handler.close()


@contextlib.contextmanager
def pass_logging(state_dir: Path) -> Iterator[None]:
    """``--once``: warnings and errors on stderr as plain lines, everything in the log file."""
    handlers = add_handlers(state_dir, stamped=False, console_level=logging.WARNING)
    try:
        yield
    finally:
        remove_handlers(handlers)
