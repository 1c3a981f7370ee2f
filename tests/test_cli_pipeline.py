"""`workflow --once`, `run` and `status` as a user runs them: real processes, exit codes, messages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from workflow.cli.demo import workspace_config, write_submission
from workflow.crash import CRASH_ENV
from workflow.formats.spec import load_format
from workflow.pipeline import one_pass, scheduler
from workflow.workspace.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
NOW = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
EDU = "长乐区教育局"
UNITS = [(EDU, "区教育局", "部门", "", ""), ("长乐区卫生健康局", "", "部门", "", "")]
SPEC = load_format("gov2021")


def make_ws(root: Path, settle_seconds: float = 0) -> Path:
    for sub in ("inbox", "outbox", "archive"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    config = root / "workflow.toml"
    config.write_text(
        workspace_config("长乐区", YEAR, UNITS, settle_seconds=settle_seconds, pdf=False), "utf-8"
    )
    return config


def drop(config: Path, name: str = "教育局年报.xlsx", unit: str = EDU, **kw) -> Path:
    path = config.parent / "inbox" / name
    write_submission(path, SPEC, unit, YEAR, now=NOW, **kw)
    return path


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop(CRASH_ENV, None)
    return env


def workflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "workflow", *args]
    return subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "workflow", *args]
    return subprocess.Popen(
        cmd, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_once_processes_and_exits_0(tmp_path):
    config = make_ws(tmp_path / "区县 工作区")
    drop(config)
    done = workflow("--once", "--config", str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "本次处理 1 个文件：通过 1，退回 0。已报 1/2 个单位" in done.stdout
    assert "处理文件" not in done.stdout, "no progress bar when stdout is not a terminal"
    again = workflow("--once", cwd=config.parent)
    assert (
        again.returncode == 0
        and "收件箱中没有新文件" in again.stdout
        and "输出无变化" in again.stdout
    )


def test_config_error_exits_2(tmp_path):
    done = workflow("--once", "--config", str(tmp_path / "nope.toml"), cwd=tmp_path)
    assert done.returncode == 2
    assert "找不到配置文件" in done.stderr and "Traceback" not in done.stderr


def test_second_once_while_one_runs_exits_3(tmp_path):
    """Two concurrent --once: the first holds the lock (waiting for its file to settle)."""
    config = make_ws(tmp_path / "ws", settle_seconds=3)
    drop(config)
    lock = config.parent / ".workflow" / "workflow.store.lock"
    first = start("--once", "--config", str(config), cwd=tmp_path)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.05)
    second = workflow("--once", "--config", str(config), cwd=tmp_path)
    out, err = first.communicate(timeout=60)
    assert second.returncode == 3, second.stderr
    assert f"另一个处理进程正在运行（PID {first.pid}）" in second.stderr
    assert first.returncode == 0, err
    assert "通过 1" in out
    assert len(list((config.parent / "outbox" / "runs").iterdir())) == 1


def test_lock_dies_with_its_process(tmp_path):
    config = make_ws(tmp_path / "ws")
    code = (
        "import sys, time; from pathlib import Path; from workflow.store.lock import WorkspaceLock;"
        "WorkspaceLock(Path(sys.argv[1])).acquire(); print('locked', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(config.parent / ".workflow")],
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    busy = workflow("--once", "--config", str(config), cwd=tmp_path)
    assert busy.returncode == 3 and f"PID {holder.pid}" in busy.stderr
    holder.kill()
    holder.wait()
    assert workflow("--once", "--config", str(config), cwd=tmp_path).returncode == 0


def test_outbox_that_is_a_file_exits_4_naming_it_and_loses_nothing(tmp_path):
    config = make_ws(tmp_path / "ws")
    original = drop(config).read_bytes()
    outbox = config.parent / "outbox"
    outbox.rmdir()
    outbox.write_text("not a folder")
    done = workflow("--once", "--config", str(config), cwd=tmp_path)
    assert done.returncode == 4, done.stderr
    assert f"发件箱（输出目录） {outbox} 是一个文件，不是文件夹" in done.stderr
    assert "[paths] outbox" in done.stderr and "Traceback" not in done.stderr
    assert "程序内部错误" not in done.stderr
    assert (config.parent / "inbox" / "教育局年报.xlsx").read_bytes() == original
    assert not list((config.parent / "archive").rglob("*.xlsx")), "nothing taken before the check"
    outbox.unlink()
    outbox.mkdir()
    assert workflow("--once", "--config", str(config), cwd=tmp_path).returncode == 0
    assert (outbox / str(YEAR) / "summary.json").is_file()
    assert [p.read_bytes() for p in (config.parent / "archive").rglob("*.xlsx")] == [original]


def test_archive_that_cannot_be_created_exits_4(tmp_path):
    config = make_ws(tmp_path / "ws")
    drop(config)
    (config.parent / "共享盘").write_text("a file where a folder should be")
    text = config.read_text("utf-8")
    config.write_text(text.replace('archive = "archive"', 'archive = "共享盘/archive"'), "utf-8")
    assert "共享盘/archive" in config.read_text("utf-8")
    done = workflow("--once", "--config", str(config), cwd=tmp_path)
    assert done.returncode == 4, done.stderr
    assert (
        "存档目录" in done.stderr and "无法写入" in done.stderr and "[paths] archive" in done.stderr
    )
    assert (config.parent / "inbox" / "教育局年报.xlsx").is_file()


def test_status_lists_every_unit(tmp_path):
    config = make_ws(tmp_path / "ws")
    drop(config)
    drop(config, "卫健局.xlsx", "长乐区卫生健康局", values={"review_upheld": "/"})
    assert workflow("--once", cwd=config.parent).returncode == 0
    done = workflow("status", cwd=config.parent)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "已报 2/2 个单位（已通过 1，未通过 1，未报送 0）" in lines[0]
    assert lines[1].startswith("最近一次处理：") and lines[1].endswith("完成，处理文件 2 个")
    assert any(
        line.startswith(EDU) and "已通过" in line and "教育局年报.xlsx" in line for line in lines
    )
    assert any(
        line.startswith("长乐区卫生健康局") and "未通过（1 处错误）" in line for line in lines
    )


def test_run_loop_goes_on_after_a_failing_pass(tmp_path, monkeypatch):
    settings = load_settings(make_ws(tmp_path / "ws"))
    calls: list[datetime] = []
    real = one_pass.run_once

    def flaky(s, **kw):
        calls.append(kw["now"])
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return real(s, **kw)

    monkeypatch.setattr(one_pass, "run_once", flaky)
    stop = threading.Event()
    loop = threading.Thread(
        target=scheduler.run_forever,
        args=(settings,),
        kwargs={"clock": lambda: NOW, "stop": stop, "every_seconds": 0.2},
    )
    loop.start()
    deadline = time.monotonic() + 10
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    loop.join(timeout=10)
    assert len(calls) >= 3 and not loop.is_alive()
    log = (settings.state_dir / scheduler.LOG_NAME).read_text("utf-8")
    assert "程序内部错误（RuntimeError: disk on fire）" in log
    assert "收件箱中没有新文件" in log and "已停止定时处理" in log
    assert log.splitlines()[0][:4].isdigit(), "lines start with a timestamp"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_run_ends_cleanly_on_sigterm(tmp_path):
    config = make_ws(tmp_path / "ws")
    drop(config)
    proc = start("run", "--config", str(config), cwd=tmp_path)
    log = config.parent / ".workflow" / scheduler.LOG_NAME
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        log.exists() and "本次处理" in log.read_text("utf-8")
    ):
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "本次处理 1 个文件" in err and "已停止定时处理" in err


_SLOW_PASS = """
import sys, time
from workflow.cli import commands as cli
from workflow.pipeline import one_pass

def slow(settings, **kw):
    print("PASS-START", flush=True)
    time.sleep(60)

one_pass.run_once = slow
sys.argv = ["workflow", "run", "--config", sys.argv[1]]
cli.main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="signals to a child are POSIX")
@pytest.mark.parametrize(
    ("second", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["term", "int"]
)
def test_second_signal_during_a_pass_aborts_at_once(tmp_path, second, code):
    config = make_ws(tmp_path / "ws")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_PASS, str(config)],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "PASS-START"
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert proc.poll() is None, "the first signal lets the pass finish"
    proc.send_signal(second)
    started = time.monotonic()
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == code, err
    assert time.monotonic() - started < 10
    assert "再按一次 Ctrl+C 立即中止" in err and "立即中止（未完成的处理将在下次运行时继续）" in err
    assert "Traceback" not in err
