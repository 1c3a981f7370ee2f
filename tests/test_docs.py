"""The README documents every command and every setting; every command has Chinese help."""

from pathlib import Path

import click
import pytest

from workflow.cli.commands import cli
from workflow.workspace.config import _SECTIONS, _UNIT_KEYS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
COMMANDS = sorted(cli.commands)
SETTINGS = sorted(
    (section, key) for section, keys in _SECTIONS.items() for key in keys if section != "units"
)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str):
    command = cli.commands[name]
    assert command.help and any("\u4e00" <= ch <= "\u9fff" for ch in command.help)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str):
    assert f"`workflow {name}" in README


@pytest.mark.parametrize(("section", "key"), SETTINGS, ids=[f"{s}.{k}" for s, k in SETTINGS])
def test_every_setting_is_in_the_readme(section: str, key: str):
    rows = [line for line in README.splitlines() if line.startswith(f"| `[{section}]")]
    assert any(key in row for row in rows), (
        f"[{section}] {key} is not in the README's settings table"
    )


@pytest.mark.parametrize("key", sorted(_UNIT_KEYS))
def test_every_roster_key_is_in_the_readme(key: str):
    assert any(key in line for line in README.splitlines() if line.startswith("| `[[units]]"))


def test_top_level_options_have_help():
    for param in cli.params:
        assert isinstance(param, click.Option) and param.help
