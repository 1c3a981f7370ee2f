"""``workflow run``: the same pass as ``--once``, every ``every_minutes``, until SIGINT/SIGTERM.

The only module that imports ``schedule``. A pass runs at start; an exception in a pass is logged
and the loop goes on (``schedule`` itself would stop); a signal (SIGINT or SIGTERM) ends the loop
after the current pass, a second one of either kind aborts at once: exit 130 after SIGINT, 143 after
SIGTERM (the pass stops where it is; the next pass completes it, see ``pipeline``). Log lines carry a timestamp and go to stderr and to ``<state>/workflow.log``.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import schedule

from workflow.domain.settings import Settings
from workflow.errors import BusyError, WorkflowError
from workflow.pipeline import one_pass as pipeline
from workflow.pipeline.logs import LOG_NAME, add_handlers, remove_handlers

__all__ = ["LOG_NAME", "one_pass", "run_forever", "setup_logging"]

log = logging.getLogger("workflow")

# What signal.signal returns and takes back: a Python handler, SIG_DFL/SIG_IGN, or None.
_Handler = Callable[[int, FrameType | None], Any] | int | None


def setup_logging(state_dir: Path) -> list[logging.Handler]:
    """Timestamped lines to stderr and to the workspace log file; returns the handlers added."""
    return add_handlers(state_dir, stamped=True, console_level=logging.INFO)


class Reloading:
    """The settings for each pass, read again from the workspace (the roster spreadsheet or
    workflow.toml edited while the loop runs); a configuration that cannot be used keeps the last
    good one, with the reason in the log."""

    def __init__(self, settings: Settings, reload: Callable[[], Settings] | None) -> None:
        self.settings, self.reload = settings, reload

    def __call__(self) -> Settings:
        if self.reload is not None:
            try:
                self.settings = self.reload()
            except WorkflowError as exc:
                log.error("配置有误，本次仍按上次读到的配置处理：%s", exc)
        return self.settings


def one_pass(settings: Settings | Reloading, clock: Callable[[], datetime]) -> None:
    """Run one pass and log its outcome; never raises (the loop must go on)."""
    if isinstance(settings, Reloading):
        settings = settings()
    try:
        summary = pipeline.run_once(settings, now=clock(), clock=clock)
    except BusyError as exc:
        log.warning("跳过本次：%s", exc)
    except WorkflowError as exc:
        log.error("本次处理失败：%s（下次计划时间重试）", exc)
    except Exception as exc:
        log.exception(
            "本次处理出现程序内部错误（%s: %s），下次计划时间重试。", type(exc).__name__, exc
        )
    else:
        log.info(summary.describe().replace("\n", " | "))


def _install_signals(stop: threading.Event) -> dict[signal.Signals, _Handler]:
    """First SIGINT/SIGTERM: finish the current pass, then stop. A second signal of either kind
    aborts at once: KeyboardInterrupt for SIGINT (exit 130), SystemExit(143) for SIGTERM."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handle(signum: int, frame: object) -> None:
        if stop.is_set():
            log.warning("再次收到停止信号：立即中止（未完成的处理将在下次运行时继续）。")
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            raise SystemExit(128 + signum)
        stop.set()
        log.info("收到停止信号：本次处理完成后退出（再按一次 Ctrl+C 立即中止）。")

    previous: dict[signal.Signals, _Handler] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handle)
    return previous


def run_forever(
    settings: Settings,
    *,
    clock: Callable[[], datetime],
    stop: threading.Event | None = None,
    every_seconds: float | None = None,
    reload: Callable[[], Settings] | None = None,
) -> None:
    """Pass at start, then every ``every_minutes`` (``every_seconds`` overrides, for tests);
    ``reload`` reads the settings again before each pass after the first."""
    stop = stop or threading.Event()
    handlers = setup_logging(settings.state_dir)
    previous = _install_signals(stop)
    interval = every_seconds or settings.every_minutes * 60
    log.info(
        "开始定时处理：每 %s 分钟处理一次收件箱 %s（Ctrl+C 结束）。",
        f"{interval / 60:g}",
        settings.inbox_dir,
    )
    jobs = schedule.Scheduler()
    # schedule annotates the interval as int but takes float seconds (a timedelta); tests use 0.2 s
    current = Reloading(settings, reload)
    jobs.every(interval).seconds.do(one_pass, current, clock)  # type: ignore[arg-type]
    try:
        one_pass(settings, clock)
        while not stop.is_set():
            jobs.run_pending()
            idle = jobs.idle_seconds
            stop.wait(timeout=max(0.05, min(1.0, idle if idle is not None else 1.0)))
        log.info("已停止定时处理。")
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        remove_handlers(handlers)
