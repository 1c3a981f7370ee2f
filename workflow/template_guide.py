"""The text of the template's 填报说明 sheet: how to fill it in, what each part means, how to submit.

Pure: lines of (kind, text), kind being "title", "heading" or "text".
"""

from __future__ import annotations

from workflow.layout import SHEET_ACTIVE, SHEET_APPLY, SHEET_CHECK, SHEET_INFO, SHEET_REVIEW
from workflow.spec import Format

Line = tuple[str, str]


def guide_lines(spec: Format, year: int | None, unit_name: str = "") -> list[Line]:
    """The 填报说明 for a template of ``spec`` (for ``year`` and ``unit_name`` when known)."""
    yr = f"{year}" if year else "××××"
    unit = unit_name or "本单位"
    due = f"{year + 1}年1月31日" if year else "次年1月31日"
    lines: list[Line] = [
        ("title", f"{unit}{yr}年政府信息公开工作年度报告填报模板"),
        ("text", f"报告格式：{spec.basis}。"),
        ("text", f"统计期间：{yr}年1月1日至{yr}年12月31日。"),
        ("heading", "一、怎样填写"),
        ("text", "1. 浅黄色格为填写格，其余格已锁定。灰色格（总计）由公式自动计算，不要改写。"),
        (
            "text",
            "2. 数字格已预填 0：没有发生的事项保留 0，不要删除，不要留空，也不要填“/”“无”“—”。",
        ),
        ("text", "3. 件数填写不小于 0 的整数；金额按表中标明的单位填写，可有小数。"),
        (
            "text",
            "4. 不要插入或删除行列，不要修改表格文字和工作表名称，不要改变单元格位置，否则无法汇总。",
        ),
        ("text", "5. 可以从其他表格复制数字后用“选择性粘贴—数值”粘贴；不要粘贴整行整列。"),
        ("heading", "二、各工作表的内容"),
        (
            "text",
            f"「{SHEET_INFO}」：单位名称、年度、成文日期、发布网址、联系方式，以及报告正文各部分"
            "（一、总体情况的五个方面，五、存在的主要问题及改进情况，六、其他需要报告的事项）。",
        ),
        ("text", f"「{SHEET_ACTIVE}」：{spec.active_title}，按第二十条各项分表填写。"),
        ("text", f"「{SHEET_APPLY}」：{spec.apply.title}。{spec.apply.note}"),
        ("text", f"「{SHEET_REVIEW}」：{spec.review.title}。"),
        (
            "text",
            f"「{SHEET_CHECK}」：自动检查勾稽关系和填写格式，每张表顶部也显示本表的检查结果。"
            "显示红色“未通过”时，按提示找到对应的行列改正。",
        ),
    ]
    if any(f.id == "fee_collected_yuan" for f in spec.fields.values()):
        lines.append(
            (
                "text",
                "信息处理费：在「基本信息」中填写发出收费通知件数、金额和实际收取金额（元），"
                "未收取的填 0，并在“六、其他需要报告的事项”中说明。",
            )
        )
    lines += [
        ("heading", "三、勾稽关系（报送前须全部“通过”）"),
        (
            "text",
            "R1：依申请公开表每一列，第一项加第二项之和，等于第三项加第四项之和"
            "（本年新收 + 上年结转 = 本年度办理结果总计 + 结转下年度继续办理）。",
        ),
        (
            "text",
            "R2：（七）总计 = 各项办理结果之和；R3：总计列 = 自然人与法人或其他组织各列之和；"
            "R4：行政复议、行政诉讼各组的总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
        ),
        ("text", "R5：每个填写格都是数字（0 也要填写）；件数为整数；除“本年增/减”外不得为负数。"),
        ("heading", "四、如何报送"),
        (
            "text",
            f"1. 文件命名为“{unit_name or '单位全称'}{yr}年政府信息公开工作年度报告.xlsx”，"
            "保持 xlsx 格式（不要另存为 xls、wps 或 PDF，不要加密码）。",
        ),
        (
            "text",
            f"2. 于{due}前交区政府办公室（政务公开主管部门），放入其指定的收件文件夹；"
            "系统自动校验，并在反馈文件夹中给出回执和校验结果。",
        ),
        ("text", "3. 被退回的，按校验结果改正后重新报送同名文件即可，以最后一次报送为准。"),
    ]
    return lines
