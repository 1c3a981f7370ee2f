"""The district's own narrative: a UTF-8 Markdown/text file the coordinator writes (pure).

``[report] district_text = "区报告正文.md"`` in workflow.toml names it (relative to the workspace).
Format: lines starting with one ``#`` are comments; ``##``/``###`` lines are headings naming the part
that follows — "一、总体情况" (text before （一）), "（一）主动公开" … "（五）监督保障", "五、…", "六、…"
(the number is what counts; half-width brackets are accepted). Every other non-empty line is one
paragraph. Text before the first heading goes after the report's preamble (e.g. where it is published).
Parts 二–四 are tables generated from the rollup and cannot be written here.

The file ``workflow init`` writes starts with the comment line ``PLACEHOLDER_MARK`` (# 【待修改】…):
while it is there the text counts as untouched boilerplate (``is_placeholder``): a draft report says
so in a 【待补充】 note, a final report is refused (report_docx.district_narrative).
"""

from __future__ import annotations

from workflow.errors import TemplateProblem
from workflow.report.text import clean_text, jurisdiction

ONE_PARTS = ("text_active", "text_request", "text_management", "text_platform", "text_supervision")

_ORDINALS = "一二三四五六七八九十"
PLACEHOLDER_TAG = "【待修改】"
PLACEHOLDER_MARK = (
    f"# {PLACEHOLDER_TAG}本文件为默认文字，请按本地实际情况修改各部分内容；修改完成后删除本行，"
    "删除本行表示已修改。"
)


def is_placeholder(text: str) -> bool:
    """True while the file still has the 【待修改】 comment line ``workflow init`` put in it."""
    for line in clean_text(text.lstrip("\ufeff")).split("\n"):
        stripped = line.strip()
        comment = stripped.startswith("#") and not stripped.startswith("##")
        if comment and stripped.lstrip("#").strip().startswith(PLACEHOLDER_TAG):
            return True
    return False


def parse_district_text(
    text: str, source: str = "区报告正文", line_word: str = "行"
) -> dict[str, str]:
    """Split the district's narrative file into parts by its headings.

    Lines starting with one ``#`` are comments; ``##``/``###`` lines are headings: "一、总体情况" (text before （一）), "（一）…"–"（五）…"
    (the five parts of 一), "五、…" and "六、…". Text before the first heading goes after the
    report's preamble. Returns {"preamble", "overview", "text_active", …, "text_other"}.
    ``line_word`` names a line in messages (段 for a Word document read by ``district_docx``).
    """
    keys = {f"（{_ORDINALS[i]}）": key for i, key in enumerate(ONE_PARTS)}
    keys.update({"一、": "overview", "五、": "text_problems", "六、": "text_other"})
    parts: dict[str, list[str]] = {"preamble": []}
    current = "preamble"
    for number, line in enumerate(clean_text(text.lstrip("\ufeff")).split("\n"), start=1):
        if not line.lstrip().startswith("#"):
            parts.setdefault(current, []).append(line)
            continue
        if not line.lstrip().startswith("##"):
            continue  # "# …": the file's title or a comment for the coordinator
        heading = line.strip().lstrip("#").strip().replace("(", "（").replace(")", "）")
        key = next((k for prefix, k in keys.items() if heading.startswith(prefix)), None)
        if key is None:
            allowed = "一、总体情况、（一）至（五）、五、六、"
            raise TemplateProblem(
                f"{source} 第 {number} {line_word}的标题「{heading}」无法识别。"
                f"可用的标题以 {allowed} 开头；二、三、四部分的表格由汇总数据生成，无需填写。"
            )
        current = key
        parts.setdefault(key, [])
    return {k: "\n".join(lines).strip() for k, lines in parts.items()}


def default_district_text(district: str, year: int) -> str:
    """A starting text for the district narrative file (the coordinator edits it).

    Its first line is ``PLACEHOLDER_MARK``: the file counts as boilerplate until it is deleted.
    """
    area = jurisdiction(district)
    whole, level = area.whole, area.level
    return f"""{PLACEHOLDER_MARK}
# {area.government}{year}年政府信息公开工作年度报告（正文）
# 以一个“#”开头的行是说明，不会出现在报告中；以“##”“###”开头的行是标题，请勿改动标题的序号；其余文字可自由修改，每行一段。

## 一、总体情况
{year}年，{district}认真贯彻落实《中华人民共和国政府信息公开条例》和上级政务公开工作部署，持续推进决策、执行、管理、服务、结果公开，政务公开工作取得新进展。

### （一）主动公开
{whole}各单位坚持“以公开为常态、不公开为例外”，依托{level}政府门户网站、政务新媒体等渠道，及时主动公开政府信息。

### （二）依申请公开
{whole}各单位依法规范办理政府信息公开申请，严格执行登记、审核、答复等程序，按时答复申请人。

### （三）政府信息管理
{whole}加强政府信息公开保密审查和发布审核，动态更新政府信息公开指南和目录。

### （四）政府信息公开平台建设
{whole}持续优化政府门户网站政府信息公开专栏，及时更新栏目内容，提升平台服务能力。

### （五）监督保障
{whole}将政务公开工作纳入绩效考核，加强业务培训和社会监督，落实政务公开工作责任。

## 五、存在的主要问题及改进情况
{whole}政务公开工作仍存在个别单位信息更新不够及时、政策解读形式较单一等问题。下一步，将加强督促指导和业务培训，持续提升政务公开质效。

## 六、其他需要报告的事项
{whole}认真落实上级年度政务公开工作要点，逐项明确责任单位和完成时限；人大代表建议和政协委员提案办理结果按规定向社会公开。
"""
