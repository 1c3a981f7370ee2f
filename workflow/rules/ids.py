"""Rule ids and their Chinese titles: every id a check can emit, named for every output."""

from __future__ import annotations

RULE_TITLES: dict[str, str] = {
    "R1": "第一项加第二项等于第三项加第四项",
    "R2": "办理结果总计",
    "R3": "申请人总计",
    "R4": "复议诉讼总计",
    "R5": "数字填写规范",
    "R6": "正文与表格一致",
    "R7": "与上年结转数衔接",
    "R8": "规章和现行有效件数",
    "R9": "信息处理费",
    "R10": "复议诉讼结果表述",
    "R11": "年度对应的报告格式",
    "R12": "成文日期",
    "R13": "内容雷同",
    "total-typed-over": "合计格被手工改写",
    "year-mismatch": "年度不符",
    "unit-unknown": "单位不在名单中",
    "required-missing": "必填项未填写",
    "narrative-missing": "正文未填写",
    "contact-missing": "联系方式未填写",
    "rollup-incomplete": "下级汇总未含全部单位",
}
# Ids emitted by the reader (workflow.read.workbook), titled here so every output can name them.
READER_TITLES: dict[str, str] = {
    "file-not-spreadsheet": "不是电子表格",
    "file-unsupported": "不支持的文件类型",
    "file-corrupt": "文件损坏",
    "file-encrypted": "文件已加密",
    "file-empty": "空文件",
    "file-too-large": "文件过大",
    "file-unreadable": "无法打开文件",
    "template-other-format": "表格格式不符",
    "template-stale": "模板版本过旧",
    "template-unknown": "非统一下发的模板",
    "labels-not-found": "找不到表格栏目",
    "macros-present": "含有宏",
    "date-invalid": "日期无法识别",
    "format-legacy": "非 .xlsx 格式",
    # a published report (workflow.read.report)
    "report-not-recognized": "不是年度报告",
    "report-cells-unread": "报告数字未能读取",
    "report-single-other": "其他处理只印一行",
    "amount-in-yuan": "金额以元为单位",
    "name-hidden-sheet": "名称指向隐藏工作表",
    "names-labels-disagree": "名称与表格标题不在同一工作表",
    "table-second-copy": "表格有两份",
    "input-formula": "数字格中是公式",
    "external-links": "含外部链接",
}
RULE_IDS: frozenset[str] = frozenset(RULE_TITLES)  # every id check_submission can emit
# Ids added by the pipeline (workflow.pipeline.one_pass), which knows where in the inbox a file was dropped.
PIPELINE_TITLES: dict[str, str] = {
    "unit-folder-mismatch": "文件夹与单位名称不符",
    "file-check-failed": "本文件无法校验",
}


def rule_title(rule: str) -> str:
    """A short Chinese name for a rule id ("" when unknown)."""
    return RULE_TITLES.get(rule) or READER_TITLES.get(rule) or PIPELINE_TITLES.get(rule, "")


_BALANCE_RULES = frozenset({"R1", "R2", "R3", "R4"})


def rule_label(rule: str) -> str:
    """A rule as a department reads it: the official R-number with its Chinese name
    (``R1（勾稽关系：第一项加第二项等于第三项加第四项）``), or for the project's own ids only the
    Chinese name (``［必填项未填写］``); the id itself stays in JSON and docs/rules.md."""
    title = rule_title(rule)
    if not title:
        return rule
    if rule in _BALANCE_RULES:
        return f"{rule}（勾稽关系：{title}）"
    if rule[:1] == "R" and rule[1:].isascii() and rule[1:].isdigit():
        return f"{rule}（{title}）"
    return f"［{title}］"
