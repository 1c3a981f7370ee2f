"""Every setting type- and range-checked, folders that do not overlap, and `workflow init` that
writes any district name as valid TOML: bad values exit 2 naming key, value and an example."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from workflow.errors import ConfigError
from workflow.workspace.config import load_settings
from workflow.workspace.init import create_workspace, toml_string

REPO = Path(__file__).resolve().parent.parent

BASE = """
[district]
name = "长乐区"
year = 2025
{district}
[paths]
{paths}
[schedule]
{schedule}
[check]
{check}
[report]
{report}
[[units]]
name = "长乐区教育局"
"""


def config(**parts: str) -> str:
    keys = ("district", "paths", "schedule", "check", "report")
    return BASE.format(**{k: parts.get(k, "") for k in keys})


BAD = [
    # (id, section text, key named, an example shown)
    ("every-zero", {"schedule": "every_minutes = 0"}, "schedule.every_minutes", "every_minutes = 10"),
    ("every-float", {"schedule": "every_minutes = 2.5"}, "schedule.every_minutes", "every_minutes"),
    ("every-inf", {"schedule": "every_minutes = inf"}, "schedule.every_minutes", "every_minutes"),
    ("every-huge", {"schedule": "every_minutes = 9223372036854775807"}, "schedule.every_minutes", "every_minutes"),
    ("every-text", {"schedule": 'every_minutes = "10"'}, "schedule.every_minutes", "every_minutes"),
    ("every-bool", {"schedule": "every_minutes = true"}, "schedule.every_minutes", "every_minutes"),
    ("settle-inf", {"schedule": "settle_seconds = inf"}, "schedule.settle_seconds", "settle_seconds = 2"),
    ("settle-nan", {"schedule": "settle_seconds = nan"}, "schedule.settle_seconds", "settle_seconds"),
    ("settle-negative", {"schedule": "settle_seconds = -1"}, "schedule.settle_seconds", "settle_seconds"),
    ("settle-huge", {"schedule": "settle_seconds = 1e300"}, "schedule.settle_seconds", "settle_seconds"),
    ("settle-text", {"schedule": 'settle_seconds = "2"'}, "schedule.settle_seconds", "settle_seconds"),
    ("max-mb-inf", {"check": "max_file_mb = inf"}, "check.max_file_mb", "max_file_mb = 20"),
    ("max-mb-huge", {"check": "max_file_mb = 99999999999999999"}, "check.max_file_mb", "max_file_mb"),
    ("max-mb-zero", {"check": "max_file_mb = 0"}, "check.max_file_mb", "max_file_mb"),
    ("pdf-string", {"report": 'pdf = "false"'}, "report.pdf", 'pdf = "typst"'),
    ("pdf-number", {"report": "pdf = 0"}, "report.pdf", 'pdf = "typst"'),
    ("blank-policy", {"check": 'blank_policy = "ignore"'}, "check.blank_policy", 'blank_policy = "error"'),
    ("deadline-bad", {"district": 'deadline = "2026-02-30"'}, "district.deadline", "deadline ="),
    ("deadline-words", {"district": 'deadline = "明年一月底"'}, "district.deadline", "deadline ="),
    ("deadline-number", {"district": "deadline = 20260131"}, "district.deadline", "deadline ="),
    ("url-number", {"district": "website_url = 1"}, "district.website_url", "website_url ="),
    ("inbox-number", {"paths": "inbox = 1"}, "paths.inbox", "inbox ="),
    ("inbox-empty", {"paths": 'inbox = ""'}, "paths.inbox", "inbox ="),
    ("inbox-root", {"paths": 'inbox = "."'}, "paths.inbox", "inbox ="),
    ("outbox-parent", {"paths": 'outbox = ".."'}, "paths.outbox", "outbox ="),
    ("same-folder", {"paths": 'inbox = "x"\noutbox = "x"'}, "paths.inbox", "paths.outbox"),
    ("archive-in-outbox", {"paths": 'archive = "outbox/archive"'}, "paths.outbox", "paths.archive"),
    ("state-in-inbox", {"paths": 'state = "inbox/.state"'}, "paths.inbox", "paths.state"),
    ("outbox-holds-inbox", {"paths": 'outbox = "data"\ninbox = "data/in"'}, "paths.inbox", "paths.outbox"),
]  # fmt: skip


@pytest.mark.parametrize(("parts", "key", "example"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_setting_names_key_value_and_example(tmp_path, parts, key, example):
    path = tmp_path / "workflow.toml"
    path.write_text(config(**parts), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert key in message and example in message, message
    assert str(path) in message


def test_good_values_load(tmp_path):
    path = tmp_path / "workflow.toml"
    text = config(
        district='deadline = "2026-03-31"',
        schedule="every_minutes = 60\nsettle_seconds = 0.5",
        check="max_file_mb = 50",
        report="pdf = false",
        paths='inbox = "收件箱"\noutbox = "发件箱"\nstate = "/tmp/x-state-elsewhere"',
    )
    path.write_text(text, "utf-8")
    s = load_settings(path)
    assert (s.every_minutes, s.settle_seconds, s.max_file_mb, s.pdf) == (60, 0.5, 50, "")
    assert s.unit_deadline == "2026-03-31"


@pytest.mark.parametrize("case", ["every-inf", "settle-huge", "max-mb-huge", "pdf-string"])
def test_cli_exit_2_never_5(tmp_path, case):
    parts = next(b[1] for b in BAD if b[0] == case)
    (tmp_path / "workflow.toml").write_text(config(**parts), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "--once"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "程序内部错误" not in done.stderr


NAMES = ['长乐"区', "长乐\\区", "长乐\n区", "长乐\t区'", "区]\n[paths]\ninbox = '/'"]


@pytest.mark.parametrize("name", NAMES)
def test_init_writes_any_district_name_as_valid_toml(tmp_path, name):
    config_path = create_workspace(tmp_path / "ws", district=name, year=2025, format_id="gov2021")
    data = tomllib.loads(config_path.read_text("utf-8"))
    assert data["district"]["name"] == name
    assert load_settings(config_path).district == name


def test_init_refuses_a_name_with_control_characters(tmp_path):
    with pytest.raises(ConfigError, match="无法保存的字符"):
        create_workspace(tmp_path / "ws", district="a\x01b", year=2025, format_id="gov2021")
    assert not (tmp_path / "ws").exists()


def test_toml_string_round_trips():
    for name in NAMES:
        assert tomllib.loads(f"x = {toml_string(name)}")["x"] == name
