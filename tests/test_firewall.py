"""No single file can stop the district (issue 10, items 1 and 2): whatever a file's name, bytes,
text or numbers make the program do, the file ends accepted or rejected with a receipt, and the
pass goes on. Each case is a real file on disk, edited at the XML level where Excel writes it so."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import xml_edits
from test_pipeline import EDU, HEALTH, STREET, drop, make_workspace

from workflow.read.cell_values import COUNT_MAX, MONEY_MAX, SIGNED_MAX, parse_number
from workflow.store.ledger import Ledger


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path / "工作区")


def run_cli(settings, capfd) -> tuple[int, str, str]:
    """``workflow --once`` in this process: its exit code, stdout and stderr."""
    from workflow.cli.commands import main

    argv = sys.argv
    sys.argv = ["workflow", "--once", "--config", str(settings.workspace / "workflow.toml")]
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        sys.argv = argv
    out, err = capfd.readouterr()
    return int(exit_info.value.code or 0), out, err


def receipts(settings) -> dict[str, str]:
    return {
        p.name: p.read_text("utf-8-sig")
        for p in (settings.year_outbox / "反馈").rglob("回执_*.txt")
    }


def ledger_rows(settings):
    with Ledger.open(settings.state_dir) as ledger:
        return ledger.files()


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [80, 83])
def test_a_long_chinese_file_name_is_archived_under_a_short_name(ws, capfd, length):
    name = "长乐区教育局关于报送" + "年" * (length - 10) + ".xlsx"
    assert len(name) == length + 5
    drop(ws, "short.xlsx", EDU)
    (ws.inbox_dir / "short.xlsx").rename(ws.inbox_dir / name)  # a writer's temp name would not fit
    drop(ws, "卫健局.xlsx", HEALTH)
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert "通过 2" in out and "Traceback" not in out + err
    [row] = [r for r in ledger_rows(ws) if r.unit == EDU]
    assert row.original_name == name and row.status == "accepted"
    stored = ws.path(Path(row.archive_path))
    assert stored.is_file() and len(stored.name.encode()) <= 200
    assert stored.name.endswith("….xlsx")
    [receipt] = [t for n, t in receipts(ws).items() if n.startswith("回执_长乐区教育局")]
    assert f"文件名：{name}" in receipt
    assert list(ws.inbox_dir.iterdir()) == []


def test_a_long_name_beside_an_owner_file_still_waits(ws, capfd):
    name = "长" * 83 + ".xlsx"
    drop(ws, "short.xlsx", EDU)
    (ws.inbox_dir / "short.xlsx").rename(ws.inbox_dir / name)
    (ws.inbox_dir / f"~${name[2:]}").write_bytes(b"owner")  # Excel drops leading characters
    assert (ws.inbox_dir / name).is_file()
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert (ws.inbox_dir / name).is_file() and "1 个文件正在复制或已被打开" in out


# -- text --------------------------------------------------------------------------------------


def test_a_cut_emoji_in_a_text_cell_is_cleaned_when_read(ws, capfd):
    path = ws.inbox_dir / "教育局.xlsx"
    drop(ws, path.name, EDU)
    xml_edits.set_text(
        path, path, "基本信息", "B23", "存在问题：表情_xD83D_截断，换页_x000C_符_xD83D__xDE00_"
    )
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert "通过 1" in out
    summary = json.loads((ws.year_outbox / "summary.json").read_text("utf-8"))
    assert summary["units_accepted"] == 1
    [row] = ledger_rows(ws)
    text = json.loads(row.result)["texts"]["text_problems"] if row.result else ""
    assert "\ufffd截断" in text and "\U0001f600" in text and "\x0c" not in text


# -- numbers -----------------------------------------------------------------------------------


def test_huge_money_in_two_files_is_an_r5_error_not_an_overflow(ws, capfd):
    for name, unit in (("教育局.xlsx", EDU), ("卫健局.xlsx", HEALTH)):
        path = ws.inbox_dir / name
        drop(ws, name, unit)
        xml_edits.set_number(path, path, "二、主动公开", "B16", "1.7E+308")
    drop(ws, "街道.xlsx", STREET)
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert "通过 1，退回 2" in out
    for name, text in receipts(ws).items():
        if name in ("回执_教育局.txt", "回执_卫健局.txt"):
            assert "R5" in text and "二、主动公开!B16" in text and "超出合理范围" in text
    summary = json.loads((ws.year_outbox / "summary.json").read_text("utf-8"))
    assert summary["units_accepted"] == 1
    assert (ws.year_outbox / f"长乐区{2025}年政府信息公开工作年度报告汇总表.xlsx").is_file()


def test_a_year_typed_as_enclosed_numbers_is_rejected_with_a_receipt(ws, capfd):
    path = ws.inbox_dir / "教育局.xlsx"
    drop(ws, path.name, EDU)
    xml_edits.set_text(path, path, "基本信息", "B6", "⑴⑵⑶⑷")
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert "退回 1" in out and "Traceback" not in out + err
    [text] = receipts(ws).values()
    assert "基本信息!B6" in text and "⑴⑵⑶⑷" in text


@pytest.mark.parametrize(
    ("raw", "kind", "ok"),
    [
        (COUNT_MAX, "count", True),
        (COUNT_MAX + 1, "count", False),
        (SIGNED_MAX, "signed", True),
        (-SIGNED_MAX - 1, "signed", False),
        (MONEY_MAX, "money", True),
        (MONEY_MAX + Decimal("0.000001"), "money", False),
        (Decimal("5949.088667"), "money", True),
        (Decimal("5949.0886671"), "money", False),
        (Decimal("1.7E+308"), "money", False),
        (Decimal("1E+400"), "count", False),
        ("99999999999", "count", False),
    ],
)
def test_every_number_cell_has_a_range(raw, kind, ok):
    parsed = parse_number(raw, kind)
    assert parsed.ok is ok, parsed
    if ok:
        assert parsed.value == raw and str(parsed.value) == str(raw)  # decimals as typed


# -- the firewall itself -------------------------------------------------------------------------


def test_a_checker_crash_on_one_file_is_a_rejection_with_a_receipt(ws, capfd, monkeypatch):
    import workflow.check.checker as checker

    real = checker.check_file

    def fragile(path, *args, **kwargs):
        if "坏" in path.name:
            raise RuntimeError("boom")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(checker, "check_file", fragile)
    drop(ws, "坏文件.xlsx", EDU)
    drop(ws, "卫健局.xlsx", HEALTH)
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert "通过 1，退回 1" in out
    assert "Traceback" not in out + err and "boom" in err
    text = receipts(ws)["回执_坏文件.txt"]
    assert "本文件无法校验" in text and "Traceback" not in text
    log = (ws.state_dir / "workflow.log").read_text("utf-8")
    assert "Traceback" in log and "RuntimeError: boom" in log
    assert list(ws.inbox_dir.iterdir()) == []
    assert {r.original_name: r.status for r in ledger_rows(ws)} == {
        "坏文件.xlsx": "rejected",
        "卫健局.xlsx": "accepted",
    }


# -- never silently skipped (item 7) ---------------------------------------------------------------


def test_a_name_starting_with_a_tilde_is_a_submission_not_a_lock_file(ws, capfd):
    drop(ws, "~教育局年报.xlsx", EDU)
    (ws.inbox_dir / "~$教育局年报.xlsx").unlink(missing_ok=True)
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert "通过 1" in out
    assert [r.original_name for r in ledger_rows(ws)] == ["~教育局年报.xlsx"]


def test_files_in_deeper_folders_are_listed_with_the_reason(ws, capfd):
    deep = ws.inbox_dir / "区教育局" / "2025年" / "终稿"
    deep.mkdir(parents=True)
    drop(ws, "区教育局/2025年/终稿/年报.xlsx", EDU)
    drop(ws, "卫健局.xlsx", HEALTH)
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert "收件箱中有 1 个文件未接收" in out
    assert "区教育局/2025年/终稿/年报.xlsx：位于第二层或更深的子文件夹中" in out
    assert (deep / "年报.xlsx").is_file()
    page = (ws.outbox_dir / "index.html").read_text("utf-8")
    assert "区教育局/2025年/终稿/年报.xlsx" in page and "更深的子文件夹" in page
    # listed again by the next pass, and gone from the list once moved where it belongs
    code, out, err = run_cli(ws, capfd)
    assert "区教育局/2025年/终稿/年报.xlsx" in out
    (deep / "年报.xlsx").rename(ws.inbox_dir / "区教育局" / "年报.xlsx")
    code, out, err = run_cli(ws, capfd)
    assert code == 0 and "通过 1" in out and "未接收" not in out
    page = (ws.outbox_dir / "index.html").read_text("utf-8")
    assert "更深的子文件夹" not in page


def test_a_file_name_that_is_not_utf8_is_rejected_or_accepted_not_stuck(ws, capfd):
    import os

    drop(ws, "a.xlsx", EDU)
    os.rename(bytes(ws.inbox_dir / "a.xlsx"), bytes(ws.inbox_dir) + b"/\xff\xfe\xb3\xa4.xlsx")
    code, out, err = run_cli(ws, capfd)
    assert code == 0, err
    assert "通过 1" in out and "Traceback" not in out + err and "Logging error" not in err
    [row] = ledger_rows(ws)
    assert row.original_name == "\ufffd\ufffd\ufffd\ufffd.xlsx"
    assert os.listdir(bytes(ws.inbox_dir)) == []
