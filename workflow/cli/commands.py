"""The ``workflow`` command: each command parses arguments, calls one library function, prints, exits.

Operator and program errors (WorkflowError) become one Chinese message and an exit code here, in
``main``; nothing below this module prints or exits.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from workflow.cli.text import install as _speak_chinese
from workflow.domain.settings import CONFIG_NAME, Settings
from workflow.errors import EXIT_UNEXPECTED, UsageProblem, WorkflowError
from workflow.workspace.config import load_settings

_speak_chinese()

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path(CONFIG_NAME),
    show_default=True,
    help="工作区配置文件 workflow.toml 的路径。",
)


def _now() -> datetime:
    return datetime.now().astimezone()


def _settings(config_path: Path) -> Settings:
    return load_settings(config_path)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--once",
    is_flag=True,
    help="处理一遍收件箱后退出。退出码：0 处理完成（无论各单位文件是否通过）；2 配置有误；"
    "3 另一个处理进程正在运行；4 输出或存档目录无法写入；5 程序内部错误。",
)
@CONFIG_OPTION
@click.pass_context
def cli(ctx: click.Context, once: bool, config_path: Path) -> None:
    """政府信息公开工作年度报告：收集、校验、汇总各单位报表并生成报告。

    不带命令运行时按计划定时处理收件箱（同 `workflow run`）；加 --once 只处理一遍。
    """
    if ctx.invoked_subcommand is not None:
        return
    if once:
        ctx.exit(_run_once(config_path))
    ctx.invoke(run, config_path=config_path)


class _Progress:
    """A progress bar for long passes, shown only when stdout is a terminal."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and total >= 10:
            self.bar = click.progressbar(length=total, label="处理文件", file=sys.stdout)
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


def _run_once(config_path: Path) -> int:
    from workflow.pipeline.logs import pass_logging
    from workflow.pipeline.one_pass import run_once

    settings = _settings(config_path)
    progress = _Progress() if sys.stdout.isatty() else None
    with pass_logging(settings.state_dir):
        summary = run_once(settings, now=_now(), clock=_now, progress=progress)
    if progress:
        progress.close()
    click.echo(summary.describe())
    return 0


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--district", help="区（县）名称，如 长乐区（用 --from 时沿用上年的）。")
@click.option("--year", required=True, type=int, help="报告年度，如 2025。")
@click.option(
    "--format",
    "format_id",
    default="gov2021",
    type=click.Choice(["gov2021", "gov2019"]),
    show_default=True,
    help="报告格式。",
)
@click.option(
    "--from",
    "previous",
    type=click.Path(path_type=Path),
    help="上年的工作区文件夹：沿用其单位名单、区设置和正文，并以其汇总数据作为上年数据。",
)
def init(
    directory: Path, district: str | None, year: int, format_id: str, previous: Path | None
) -> None:
    """创建一个工作区：配置文件、单位名单表格、区报告正文、inbox/、outbox/、archive/。"""
    from workflow.workspace.init import DISTRICT_DOCX_NAME, create_workspace
    from workflow.workspace.roster_book import ROSTER_NAME

    if previous is not None:
        from workflow.workspace.next_year import create_next_year

        if district:
            raise click.UsageError("用 --from 时区名沿用上年工作区的，请不要同时写 --district。")
        made = create_next_year(directory, year=year, source=previous)
        click.echo(f"已创建 {year} 年度工作区：{made.config.parent}（沿用 {previous}）")
        for line in made.lines:
            click.echo(f"  {line}")
        click.echo(
            "请核对单位名单（增减单位），修改区报告正文，然后运行 `workflow template` 生成填报模板。"
        )
        return
    if not district:
        raise click.UsageError(
            "缺少选项 '--district'（区县名称，如 --district 长乐区）；"
            "新年度沿用上年工作区时用 --from 上年工作区文件夹。"
        )
    config = create_workspace(directory, district=district, year=year, format_id=format_id)
    folder = config.parent
    click.echo(f"已创建工作区：{folder}")
    click.echo(
        f"1. 用 Excel/WPS 打开 {folder / ROSTER_NAME}，在“单位名单”工作表中填写各单位"
        "（可整列粘贴单位名称），保存。"
    )
    click.echo("2. 运行 `workflow template` 生成填报模板，发给各单位。")
    click.echo(f"3. 区政府年度报告的正文请在 {folder / DISTRICT_DOCX_NAME} 中撰写（Word/WPS）。")


@cli.command()
@CONFIG_OPTION
@click.option("--unit", help="预填单位名称（须在单位名单中）。")
@click.option("--out", type=click.Path(path_type=Path), help="输出文件路径。")
@click.option(
    "--format",
    "format_id",
    type=click.Choice(["gov2021", "gov2019"]),
    help="不读配置，直接生成该格式的空白模板。",
)
def template(config_path: Path, unit: str | None, out: Path | None, format_id: str | None) -> None:
    """生成填报模板（xlsx）：空白模板，或预填某单位名称和年度的模板。"""
    from workflow.template.workbook import make_template

    settings = None if format_id and not config_path.exists() else _settings(config_path)
    path = make_template(settings, unit=unit, out=out, format_id=format_id, now=_now())
    click.echo(f"已生成填报模板：{path}")


@cli.command()
@CONFIG_OPTION
def run(config_path: Path) -> None:
    """按 [schedule] every_minutes 定时处理收件箱；启动时先处理一遍。Ctrl+C 结束。"""
    from workflow.pipeline.scheduler import run_forever

    run_forever(_settings(config_path), clock=_now, reload=lambda: _settings(config_path))


@cli.command()
@CONFIG_OPTION
def status(config_path: Path) -> None:
    """各单位报送情况：已通过 / 未通过（错误数）/ 未报送，报送时间和文件。"""
    from workflow.pipeline.status import workspace_status

    click.echo(workspace_status(_settings(config_path)).text())


@cli.command("rebuild-ledger")
@CONFIG_OPTION
def rebuild_ledger(config_path: Path) -> None:
    """台账损坏或丢失时：把原台账改名保留，根据存档和运行记录重建台账，并处理一遍。"""
    from workflow.pipeline.one_pass import run_once

    summary = run_once(_settings(config_path), now=_now(), clock=_now, rebuild=True)
    click.echo(summary.describe())


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("demo"))
def demo(directory: Path) -> None:
    """创建演示工作区（默认 ./demo）：示例单位名单和报送文件，并处理一遍，看看结果。"""
    from workflow.cli.demo import create_demo
    from workflow.cli.demo_calendar import season_clock

    clock = season_clock(_now)
    result = create_demo(directory, clock=clock)
    if clock is not _now:
        result.played_on = clock().date()
    click.echo(result.describe())


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（每个文件一个对象）。")
@click.option(
    "--feedback",
    "feedback_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="在此文件夹写出回执和标注后的校验结果表。",
)
@click.pass_context
def check(
    ctx: click.Context,
    files: tuple[Path, ...],
    config_path: Path,
    as_json: bool,
    feedback_dir: Path | None,
) -> None:
    """校验报表文件（不动收件箱、台账和发件箱）。有错误时退出码为 1。"""
    import json

    from workflow.check.command import NO_CONFIG_NOTICE, check_paths, describe

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageProblem(f"找不到要校验的文件：{'、'.join(missing)}。请检查文件名和所在文件夹。")
    explicit = ctx.get_parameter_source("config_path") is click.core.ParameterSource.COMMANDLINE
    settings = _settings(config_path) if explicit or config_path.exists() else None
    if settings is None:
        click.echo(NO_CONFIG_NOTICE, err=as_json)
    results = check_paths(list(files), settings, now=_now(), feedback_dir=feedback_dir)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    else:
        click.echo(describe(results))
    ctx.exit(1 if any(r.status == "rejected" for r in results) else 0)


@cli.command("check-templates")
@CONFIG_OPTION
def check_templates_command(config_path: Path) -> None:
    """检查报告模板（templates/docx/*.docx）：未提供的变量、被 Word 拆开的标记。"""
    from workflow.errors import TemplateProblem
    from workflow.report.docx import check_templates

    settings = _settings(config_path) if config_path.exists() else None
    problems = check_templates(settings)
    if problems:
        raise TemplateProblem("报告模板有问题：\n" + "\n".join(f"  - {p}" for p in problems))
    click.echo("报告模板检查通过：所用变量均有数据，没有被拆开的标记。")


@cli.command("export-rollup")
@CONFIG_OPTION
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="输出文件路径（xlsx）。"
)
@click.option(
    "--allow-incomplete", is_flag=True, help="尚有单位未报送或未通过时仍导出（数据不完整）。"
)
def export_rollup_command(config_path: Path, out: Path, allow_incomplete: bool) -> None:
    """把全区汇总数导出为填好的报送模板，供上级（市级）汇总。"""
    from workflow.rollup.export import export_rollup

    result = export_rollup(
        _settings(config_path), out, now=_now(), allow_incomplete=allow_incomplete
    )
    click.echo(result.describe())


def main() -> None:
    """Entry point: run the CLI, turn operator errors into one message and an exit code."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已中止。", err=True)
        sys.exit(130)
    except WorkflowError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # the one place an unexpected failure becomes an exit code
        click.echo(
            f"程序内部错误（{type(exc).__name__}: {exc}）。请将此信息连同日志发给维护人员。",
            err=True,
        )
        sys.exit(EXIT_UNEXPECTED)
    # With standalone_mode=False, click returns ctx.exit()'s code instead of raising it.
    sys.exit(code if isinstance(code, int) else 0)
