"""workflow.toml: good settings load; every bad one is a ConfigError naming file, key and fix (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.cli import commands as cli
from workflow.errors import EXIT_CONFIG, ConfigError
from workflow.workspace.config import load_settings

GOOD = """
[district]
name = "长乐区"
year = 2021
format = "gov2021"

[paths]
inbox = "收件箱"

[[units]]
name = "福州市长乐区人力资源和社会保障局"
aliases = ["区人社局"]
category = "部门"

[[units]]
name = "福州市长乐区吴航街道办事处"
category = "街道乡镇"
"""


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "workflow.toml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_good_config_loads(tmp_path):
    settings = load_settings(_write(tmp_path, GOOD))
    assert (settings.district, settings.year, settings.format) == ("长乐区", 2021, "gov2021")
    assert settings.inbox_dir == tmp_path.resolve() / "收件箱"
    assert settings.find_unit(" 区人社局 ").name == "福州市长乐区人力资源和社会保障局"
    assert [u.category for u in settings.units] == ["部门", "街道乡镇"]


def test_folder_means_its_workflow_toml(tmp_path):
    _write(tmp_path, GOOD)
    assert load_settings(tmp_path).district == "长乐区"


BAD = [
    ("missing-name", GOOD.replace('name = "长乐区"\n', ""), ["district.name", "[district]"]),
    ("missing-year", GOOD.replace("year = 2021\n", ""), ["district.year"]),
    ("missing-district", "[paths]" + GOOD.split("[paths]")[1], ["[district]"]),
    ("year-type", GOOD.replace("year = 2021", 'year = "2021"'), ["district.year", "整数"]),
    ("year-range", GOOD.replace("year = 2021", "year = 1999"), ["district.year", "1999"]),
    (
        "unknown-format",
        GOOD.replace('"gov2021"', '"gov2020"'),
        ["district.format", "gov2020", "gov2021", "gov2019"],
    ),
    (
        "unknown-key",
        GOOD.replace("[paths]", '[paths]\noutput = "x"'),
        ["[paths]", "output", "outbox"],
    ),
    ("unknown-section", GOOD + '\n[mail]\nto = "a"\n', ["[mail]", "district"]),
    (
        "unknown-unit-key",
        GOOD.replace('category = "部门"', 'category = "部门"\nphone = "1"'),
        ["[[units]]", "phone"],
    ),
    ("duplicate-unit", GOOD + '\n[[units]]\nname = "区人社局"\n', ["区人社局", "重复", "删去"]),
    ("bad-category", GOOD.replace('"街道乡镇"', '"乡镇"'), ["category", "部门", "街道乡镇"]),
    ("bad-aliases", GOOD.replace('["区人社局"]', '"区人社局"'), ["aliases", "["]),
    ("bad-toml", GOOD.replace('name = "长乐区"', 'name = "长乐区'), ["TOML", "引号"]),
    (
        "bad-policy",
        GOOD + '\n[check]\nblank_policy = "ignore"\n',
        ["check.blank_policy", "warning"],
    ),
    ("bad-every", GOOD + "\n[schedule]\nevery_minutes = 0\n", ["schedule.every_minutes"]),
]


@pytest.mark.parametrize(("text", "needles"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_config_names_file_key_and_fix(tmp_path, text, needles):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message
    assert info.value.exit_code == EXIT_CONFIG


def test_not_utf8(tmp_path):
    path = _write(tmp_path, GOOD.encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(path)


def test_utf8_with_bom_is_fine(tmp_path):
    assert load_settings(_write(tmp_path, "\ufeff" + GOOD)).year == 2021


def test_missing_file_says_how_to_create_one(tmp_path):
    with pytest.raises(ConfigError, match="workflow init"):
        load_settings(tmp_path / "workflow.toml")


def _main(monkeypatch, argv: list[str]) -> int:
    monkeypatch.setattr("sys.argv", ["workflow", *argv])
    try:
        cli.main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.parametrize(
    "text",
    [
        GOOD.replace('"gov2021"', '"gov2020"'),
        GOOD + '\n[[units]]\nname = "区人社局"\n',
        "[district\n",
    ],
    ids=["unknown-format", "duplicate-unit", "bad-toml"],
)
def test_cli_bad_config_exits_2_with_one_message(tmp_path, monkeypatch, capsys, text):
    path = _write(tmp_path, text)
    assert (
        _main(monkeypatch, ["template", "--config", str(path), "--out", str(tmp_path / "t.xlsx")])
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("错误：配置文件") and str(path) in err
    assert "Traceback" not in err
    assert not (tmp_path / "t.xlsx").exists()


def test_cli_missing_config_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert _main(monkeypatch, ["template"]) == 2
    assert "找不到配置文件" in capsys.readouterr().err


def test_cli_unknown_unit_exits_2(tmp_path, monkeypatch, capsys):
    path = _write(tmp_path, GOOD)
    assert _main(monkeypatch, ["template", "--config", str(path), "--unit", "区教育局"]) == 2
    err = capsys.readouterr().err
    assert "区教育局" in err and "福州市长乐区人力资源和社会保障局" in err
