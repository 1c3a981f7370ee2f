"""Click's usage errors and help headings reach the user in Chinese."""

import pytest
from click.testing import CliRunner

from workflow.cli.commands import cli


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["init"], "错误：缺少参数 'DIRECTORY'"),
        (["init", "d"], "错误：缺少选项 '--year'"),
        (["init", "d", "--year", "2025"], "错误：缺少选项 '--district'"),
        (["no-such"], "错误：没有名为 'no-such' 的命令。"),
        (["template", "--format", "x"], "'x' 不在可选值 'gov2021', 'gov2019' 之中"),
        (["--help"], "显示本帮助并退出。"),
    ],
    ids=[
        "missing-argument",
        "missing-option",
        "missing-district",
        "no-such-command",
        "bad-choice",
        "help",
    ],
)
def test_click_speaks_chinese(args: list[str], expected: str):
    result = CliRunner().invoke(cli, args)
    assert expected in result.output
    assert "Usage:" not in result.output and "Error:" not in result.output
