"""``workflow demo``: a ready-to-explore workspace for a sample district, filled and processed.

福州市长乐区, the report year a coordinator would be working on (``demo_year``): eight units. The
人社局 submits the real published 2021 report (workflow/seed.py), moved to that year; four more submit realistic valid files; the 自然资源和规划局 submits one
with errors and gets an annotated return; the 市场监督管理局 submits, then corrects its file (two
passes, so the outbox shows what changed); the 住房和城乡建设局 never submits.
The same generator makes the files of the tests and the benchmark (``sample_values``,
``sample_texts``, ``write_submission``).
"""

from __future__ import annotations

import dataclasses
import random
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from workflow.cli.demo_calendar import demo_year
from workflow.cli.demo_config import DEMO_CONTACT, topic_list, workspace_config
from workflow.domain.settings import CONFIG_NAME, Settings
from workflow.domain.submission import Number
from workflow.errors import ConfigError
from workflow.formats.seed import SEED_TEXTS, SEED_UNIT, SEED_YEAR, seed_values
from workflow.formats.spec import Format, load_format
from workflow.report.district_text import PLACEHOLDER_MARK, default_district_text
from workflow.report.text import self_reference
from workflow.workspace.config import load_settings
from workflow.workspace.init import DISTRICT_TEXT_NAME

DEMO_DISTRICT = "福州市长乐区"
DEMO_FORMAT = "gov2021"

# name, alias, category, contact person, phone, topics (what the unit's narrative talks about)
DEMO_UNITS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (SEED_UNIT, "区人社局", "部门", "局办公室", "0591-28813573", ""),
    (
        "福州市长乐区教育局",
        "区教育局",
        "部门",
        "陈晓玲",
        "0591-28921075",
        "招生入学、学校收费、教育经费使用和学生资助",
    ),
    (
        "福州市长乐区卫生健康局",
        "区卫健局",
        "部门",
        "林志强",
        "0591-28922361",
        "医疗机构监管、疫苗接种、公共卫生服务和计划生育奖励扶助",
    ),
    (
        "福州市长乐区市场监督管理局",
        "区市场监管局",
        "部门",
        "郑丽华",
        "0591-28899412",
        "食品安全抽检、企业登记注册、“双随机、一公开”抽查和价格监督",
    ),
    (
        "福州市长乐区自然资源和规划局",
        "区自然资源局",
        "部门",
        "王建明",
        "0591-28836620",
        "土地征收、建设用地审批、规划许可和不动产登记",
    ),
    (
        "福州市长乐区住房和城乡建设局",
        "区住建局",
        "部门",
        "黄伟",
        "0591-28851187",
        "保障性住房、建筑市场监管和老旧小区改造",
    ),
    (
        "福州市长乐区吴航街道办事处",
        "吴航街道",
        "街道乡镇",
        "李秀英",
        "0591-28817730",
        "社区服务、低保救助、退役军人服务和城市管理",
    ),
    (
        "福州市长乐区营前街道办事处",
        "营前街道",
        "街道乡镇",
        "张海燕",
        "0591-28657215",
        "征地拆迁安置、乡村振兴项目、惠民惠农资金发放和防汛防台",
    ),
)
VALID = (
    "福州市长乐区教育局",
    "福州市长乐区卫生健康局",
    "福州市长乐区吴航街道办事处",
    "福州市长乐区营前街道办事处",
)
WITH_ERRORS = "福州市长乐区自然资源和规划局"
RESUBMITS = "福州市长乐区市场监督管理局"
NEVER = "福州市长乐区住房和城乡建设局"


def _rng(name: str) -> random.Random:
    return random.Random(zlib.crc32(name.encode("utf-8")))


def _apply_values(spec: Format, rng: random.Random) -> dict[str, Number]:
    """Part 三, consistent: per column new + carried = results + carry_over (R1, R2)."""
    grid = spec.apply
    out: dict[str, Number] = {}
    results = [r for r in grid.rows if r.result]
    weights = {"granted": 8, "partial": 3, "unable_no_info": 4, "denied_third_party": 1}
    for col in (c for c in grid.columns if not c.computed):
        base = {"natural": 9, "business": 3, "other": 1}.get(col.id, 0)
        new = rng.randint(0, base * 2) if base else rng.randint(0, 1)
        carried = rng.randint(0, 1) if new else 0
        carry_over = rng.randint(0, min(1, new + carried))
        handled = new + carried - carry_over
        counts = dict.fromkeys((r.id for r in results), 0)
        pool = [r.id for r in results for _ in range(weights.get(r.id, 0))] or [results[0].id]
        for _ in range(handled):
            counts[rng.choice(pool)] += 1
        out[grid.field_id(next(r for r in grid.rows if r.id == "new"), col)] = new
        out[grid.field_id(next(r for r in grid.rows if r.id == "carried"), col)] = carried
        out[grid.field_id(next(r for r in grid.rows if r.id == "carry_over"), col)] = carry_over
        for row in results:
            out[grid.field_id(row, col)] = counts[row.id]
    return out


def sample_values(spec: Format, name: str) -> dict[str, Number]:
    """Plausible, consistent input values for unit ``name`` (deterministic per name)."""
    rng = _rng(name)
    out: dict[str, Number] = {}
    for f in spec.fields_of("active"):
        if f.kind == "money":
            out[f.id] = Decimal(rng.randint(0, 5000)) / 100
        elif f.row == "rules":
            out[f.id] = 0  # 区县 units make no 规章 (R8)
        elif f.column == "in_force":
            out[f.id] = rng.randint(5, 40)
        elif f.kind == "signed":
            out[f.id] = rng.randint(-3, 3)
        else:
            out[f.id] = rng.choice([0, 0, 1, 2, rng.randint(3, 120)])
    out |= _apply_values(spec, rng)
    for f in spec.fields_of("review"):
        if not f.computed:
            out[f.id] = 1 if f.column == "upheld" and rng.random() < 0.3 else 0
    for f in spec.fields_of("info"):
        if f.numeric:
            out[f.id] = Decimal(0) if f.kind == "money" else 0
    if "overview_active_count" in spec.fields:
        out["overview_active_count"] = rng.randint(60, 600)
    return out


def _total(values: Mapping[str, Number], prefix: str, suffix: str) -> Number:
    return sum((v for k, v in values.items() if k.startswith(prefix) and k.endswith(suffix)), 0)


def sample_texts(name: str, year: int, values: Mapping[str, Number], topics: str) -> dict[str, str]:
    """基本信息 and narrative for unit ``name``, agreeing with ``values`` (R6, R10) and worded
    differently for each unit (R13)."""
    rng = _rng(name + "text")
    short = name.removeprefix(DEMO_DISTRICT)
    we = self_reference(name)  # the voice of the report the generated sentences use too
    first, *rest = topic_list(topics) if topics else ("日常工作",)
    new = _total(values, "apply_new_", "") - values.get("apply_new_total", 0)
    review = sum(
        v
        for k, v in values.items()
        if k.startswith(("review_", "suit_")) and not k.endswith("_total")
    )
    count = values.get("overview_active_count", 0)
    opener = rng.choice(["围绕", "聚焦", "紧扣"])
    return {
        "unit_name": name,
        "report_year": str(year),
        "report_date": f"{year + 1}-01-{rng.randint(15, 28):02d}",
        "website_url": "http://www.fzcl.gov.cn/",
        "contact_address": f"福州市长乐区{rng.choice(['吴航街道', '航城街道', '营前街道'])}{rng.choice(['和平路', '郑和路', '文武砂路'])}{rng.randint(1, 300)}号",
        "contact_person": "办公室",
        "contact_postcode": "350200",
        "contact_phone": f"0591-28{rng.randint(100000, 999999)}",
        "text_active": (
            f"{year}年，{we}{opener}{topics or '中心工作'}等群众关心的事项，主动公开政府信息{count}条。"
            f"其中{first}类信息通过门户网站专栏集中发布，{'、'.join(rest) or '其他信息'}相关信息同步推送至政务新媒体。"
        ),
        "text_request": (
            f"本年度共收到政府信息公开申请{new}件，均在法定期限内答复。"
            + rng.choice(["申请内容主要集中在", "申请人关注的重点是", "所涉事项多与"])
            + f"{first}{'相关' if rng.random() < 0.5 else '方面'}。"
        ),
        "text_management": rng.choice(
            [
                f"建立信息发布前保密审查和合法性审查“双审”机制，{short}办公室统一把关，全年未发生泄密和错发信息的情况。",
                f"对照政务公开事项标准目录，逐项梳理{first}领域的公开要素，动态更新信息公开指南和目录。",
                f"落实政府信息管理动态调整机制，对{rest[0] if rest else first}方面已公开信息开展清理，及时更新失效内容。",
            ]
        ),
        "text_platform": rng.choice(
            [
                f"依托区政府门户网站“政府信息公开”专栏和“长乐发布”微信公众号，开设{first}专题，做到栏目常态维护。",
                f"在办事大厅设置政务公开专区，配备查阅终端，方便群众现场查询{(rest or [first])[-1]}信息。",
            ]
        ),
        "text_supervision": (
            f"将政务公开工作纳入{short}年度绩效考核，明确分管领导和专职人员。"
            + ("全年开展业务培训2次，" if rng.random() < 0.5 else "全年组织自查3次，")
            + (
                "本年度未发生因政府信息公开引起的行政复议、行政诉讼。"
                if review == 0
                else f"本年度涉及政府信息公开的行政复议、行政诉讼案件{review}件，结果均获维持。"
            )
        ),
        "text_problems": (
            f"存在的问题：一是{first}信息的解读形式较单一；二是基层工作人员业务水平有待提高。"
            f"改进情况：{year + 1}年将{rng.choice(['增加图解、视频解读', '开展专题培训', '完善发布审核流程'])}，"
            f"上年度提出的{rng.choice(['栏目更新不及时', '公开内容不够全面'])}问题已整改到位。"
        ),
        "text_other": rng.choice(
            [f"{year}年度{we}未发出收费通知，未收取信息处理费。", "无其他需要报告的事项。"]
        ),
    }


def write_submission(
    path: Path, spec: Format, name: str, year: int, *, now: datetime, roster: tuple[str, ...] = (),
    values: Mapping[str, Any] | None = None, texts: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> None:  # fmt: skip
    """A filled department template at ``path`` (values and texts default to the samples)."""
    from workflow.template.workbook import write_template

    topics = next((u[5] for u in DEMO_UNITS if u[0] == name), "")
    vals = dict(sample_values(spec, name)) | dict(values or {})
    numbers = {k: v for k, v in vals.items() if isinstance(v, int | Decimal)}
    txt = sample_texts(name, year, numbers, topics) | dict(texts or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_template(
        path, spec, now=now, year=year, unit_name=name, roster=roster,
        values=vals, texts=txt, overrides=overrides,
    )  # fmt: skip


def natural_column(spec: Format, new: int, granted: int) -> dict[str, Number]:
    """Part 三's 自然人 column: ``new`` applications, ``granted`` 予以公开, the rest 无法提供."""
    grid = spec.apply
    col = next(c for c in grid.columns if c.id == "natural")
    out: dict[str, Number] = {grid.field_id(r, col): 0 for r in grid.rows if not r.computed}
    out[grid.field_id(next(r for r in grid.rows if r.id == "new"), col)] = new
    out[grid.field_id(next(r for r in grid.rows if r.id == "granted"), col)] = granted
    out[grid.field_id(next(r for r in grid.rows if r.id == "unable_no_info"), col)] = new - granted
    return out


def demo_config(year: int) -> str:
    """workflow.toml of the demo workspace: the starting config with the demo roster, the
    district office's website and contact, and its own report text."""
    text = workspace_config(DEMO_DISTRICT, year, [u[:5] for u in DEMO_UNITS])
    for key, value in DEMO_CONTACT.items():
        text = text.replace(f'{key} = ""', f'{key} = "{value}"', 1)
    return text.replace("[report]\n", f'[report]\ndistrict_text = "{DISTRICT_TEXT_NAME}"\n', 1)


def seed_texts(year: int) -> dict[str, str]:
    """The seed report's own words, moved from 2021 to the demo year."""
    moved = {k: v.replace(str(SEED_YEAR), str(year)) for k, v in SEED_TEXTS.items()}
    moved["report_date"] = SEED_TEXTS["report_date"].replace(str(SEED_YEAR + 1), str(year + 1))
    return moved


@dataclass
class DemoResult:
    workspace: Path
    year: int
    passes: list[Any] = field(default_factory=list)  # PassSummary of each pass
    played_on: date | None = None  # the demo's simulated day, when not today

    def describe(self) -> str:
        ws = self.workspace
        year = ws / "outbox" / str(self.year)
        lines = [f"已创建演示工作区：{ws}（{DEMO_DISTRICT}{self.year}年度，8 个单位）", ""]
        if self.played_on is not None:
            day = f"{self.played_on.year}年{self.played_on.month}月{self.played_on.day}日"
            lines[-1:-1] = [
                f"演示按报送期中的 {day} 处理（各单位应于 {self.year + 1}年1月31日前报送）；"
                "此后在该工作区运行 workflow 按实际日期处理。"
            ]
        for i, summary in enumerate(self.passes, start=1):
            lines.append(f"第 {i} 遍处理：" + summary.describe().replace("\n", "\n  "))
        lines += [
            "",
            "请查看：",
            f"  工作台页面  {ws / 'outbox' / 'index.html'}（用浏览器打开）",
            f"  汇总表、报告  {year}",
            f"  退回与回执  {year / '反馈'}"
            f"（{WITH_ERRORS.removeprefix(DEMO_DISTRICT)}的文件被退回，附标注问题的校验结果）",
            f"  原件存档  {ws / 'archive'}",
            "",
            f"再次处理收件箱：cd {ws} && workflow --once；查看报送情况：workflow status",
        ]
        return "\n".join(lines)


def _report_date(year: int, now: datetime, name: str) -> str:
    """A 成文日期 in the January after ``year`` (R12), a few days before ``now`` when now is in it."""
    day = min(now.date(), date(year + 1, 1, 31)) - timedelta(days=_rng(name).randint(1, 6))
    return max(day, date(year + 1, 1, 1)).isoformat()


def _drop(settings: Settings, now: datetime, name: str, file: str, **kw: Any) -> None:
    roster = tuple(u.name for u in settings.units)
    sub = settings.inbox_dir / (name.removeprefix(DEMO_DISTRICT) if kw.pop("folder", False) else "")
    texts = {"report_date": _report_date(settings.year, now, name)} | kw.pop("texts", {})
    spec = load_format(settings.format)
    write_submission(
        sub / file, spec, name, settings.year, now=now, roster=roster, texts=texts, **kw
    )


def create_demo(
    directory: Path, *, clock: Callable[[], datetime], pdf: bool | None = None
) -> DemoResult:
    """Create the demo workspace in ``directory``, drop the departments' files, run two passes.

    ``pdf`` overrides the config's ``[report] pdf`` for these passes (tests turn LibreOffice off)."""
    from workflow.pipeline.one_pass import run_once

    config = directory / CONFIG_NAME
    if config.exists() or (directory.exists() and any(directory.iterdir())):
        raise ConfigError(
            f"文件夹 {directory} 已存在且不为空，未做任何修改。请换一个文件夹，或先移走它。"
        )
    now = clock()
    year = demo_year(now)
    try:
        for sub in ("inbox", "outbox", "archive"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        text = default_district_text(DEMO_DISTRICT, year).replace(PLACEHOLDER_MARK + "\n", "")
        (directory / DISTRICT_TEXT_NAME).write_text(text, encoding="utf-8")
        config.write_text(demo_config(year), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"无法创建演示工作区 {directory}：{exc.strerror}") from exc
    settings = dataclasses.replace(load_settings(config), settle_seconds=0.0)  # files are complete
    if pdf is not None:
        settings = dataclasses.replace(settings, pdf=pdf)
    spec = load_format(settings.format)
    seed = seed_values(DEMO_FORMAT)
    texts = seed_texts(year) | {"report_date": _report_date(year, now, SEED_UNIT)}
    _drop(
        settings,
        now,
        SEED_UNIT,
        f"长乐区人社局{year}年政府信息公开工作年度报告.xlsx",
        values=seed,
        texts=texts,
    )
    for i, name in enumerate(VALID):
        short = name.removeprefix(DEMO_DISTRICT)
        _drop(settings, now, name, f"{short}{year}年度报表.xlsx", folder=i % 2 == 0)
    wrong = sample_values(spec, WITH_ERRORS)["apply_granted_natural"] + 2
    errors = {"review_upheld": "/", "apply_granted_natural": wrong}
    _drop(
        settings,
        now,
        WITH_ERRORS,
        "自然资源局政务公开年报.xlsx",
        values=errors,
        overrides={"apply_new_total": 30},
    )
    first = natural_column(spec, 3, 2)
    _drop(settings, now, RESUBMITS, "市场监管局年报.xlsx", folder=True, values=first)
    result = DemoResult(directory.resolve(), year)
    result.passes.append(run_once(settings, now=now, clock=clock))
    later = clock()
    fixed = natural_column(spec, 5, 4)
    _drop(settings, later, RESUBMITS, "市场监管局年报（更正）.xlsx", folder=True, values=fixed)
    result.passes.append(run_once(settings, now=later, clock=clock))
    return result
