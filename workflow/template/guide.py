"""The text of the template's 填报说明 sheet: how to fill it in, what each part means, how to submit.

Pure: lines of (kind, text), kind being "title", "heading" or "text".
"""

from __future__ import annotations

from workflow.formats.layout import SHEET_ACTIVE, SHEET_APPLY, SHEET_CHECK, SHEET_INFO, SHEET_REVIEW
from workflow.formats.spec import Format

Line = tuple[str, str]


def guide_lines(spec: Format, year: int | None, unit_name: str = "") -> list[Line]:
    """The 填报说明 for a template of ``spec`` (for ``year`` and ``unit_name`` when known)."""
    yr = f"{year}" if year else "××××"
    unit = unit_name or "本单位"
    due = f"{year + 1}年1月31日" if year else "次年1月31日"
    day = f"{year + 1}-01-20" if year else "次年1月20日"
    example = f"{unit_name or '××局'}{yr}年政府信息公开工作年度报告.xlsx"
    lines: list[Line] = [
        ("title", f"{unit}{yr}年政府信息公开工作年度报告填报模板"),
        ("text", f"报告格式：{spec.basis}。"),
        ("text", f"统计期间：{yr}年1月1日至{yr}年12月31日。报送截止：{due}。"),
        ("heading", "一、怎样填写"),
        (
            "text",
            "1. 浅黄色格为填写格，其余格已锁定。灰色格是总计，由公式自动计算，不要填写或改写。",
        ),
        (
            "text",
            "2. 数字格已预填 0：没有发生的事项填 0（保留预填的 0），不要删除、不要留空，"
            "也不要填“/”“无”“—”。",
        ),
        ("text", "3. " + _numbers_rule(spec)),
        (
            "text",
            f"4. 「{SHEET_INFO}」中的单位名称、年度、成文日期必须填写（成文日期为统计年度结束后的日期，如 {day}）；"
            "报告正文从 Word 等处粘贴多段文字时，先双击该格（或选中后按 F2）进入编辑状态再粘贴，"
            "否则各段会分散到下面几行；格内换行按 Alt+Enter。",
        ),
        (
            "text",
            "5. 不要插入或删除行列，不要修改表格文字和工作表名称，不要改变单元格位置，否则无法汇总。",
        ),
        ("text", "6. 可以从其他表格复制数字后用“选择性粘贴—数值”粘贴；不要粘贴整行整列。"),
        ("heading", "二、各工作表的内容"),
        (
            "text",
            f"「{SHEET_INFO}」：单位名称、年度、成文日期、发布网址、联系方式，以及报告正文各部分"
            "（一、总体情况的五个方面，五、存在的主要问题及改进情况，六、其他需要报告的事项）。",
        ),
        ("text", f"「{SHEET_ACTIVE}」：{spec.active_title}，按第二十条各项分表填写。"),
        (
            "text",
            f"「{SHEET_APPLY}」：{spec.apply.title}。按申请人情况分列填写，"
            "每一列的勾稽关系见下文 R1。",
        ),
        ("text", f"「{SHEET_REVIEW}」：{spec.review.title}。"),
        (
            "text",
            f"「{SHEET_CHECK}」：自动检查必填项、勾稽关系和填写格式，无需填写，说明见第三部分。",
        ),
    ]
    if any(f.id == "fee_collected_yuan" for f in spec.fields.values()):
        lines.append(
            (
                "text",
                f"信息处理费：在「{SHEET_INFO}」中填写发出收费通知件数、金额和实际收取金额（元），"
                "未收取的填 0，并在“六、其他需要报告的事项”中说明。",
            )
        )
    lines += [
        ("heading", "三、自检和勾稽关系"),
        (
            "text",
            f"填写时，每张表顶部和「{SHEET_CHECK}」表随时显示检查结果：绿色“通过”无需处理；"
            "红色“未通过”须按提示找到对应的单元格改正，全部改正后再报送，否则报送后会被退回；"
            "黄色“提示”表示报告正文某部分尚未填写，不影响报送，但请补充完整。",
        ),
        ("text", "必填：单位名称、年度、成文日期须填写，年度为四位数字。"),
        (
            "text",
            f"R1：「{SHEET_APPLY}」每一列，第一项加第二项之和，等于第三项加第四项之和"
            "（本年新收 + 上年结转 = 本年度办理结果总计 + 结转下年度继续办理）。",
        ),
        (
            "text",
            "R2：（七）总计 = 各项办理结果之和；R3：总计列 = 自然人与法人或其他组织各列之和；"
            "R4：行政复议、行政诉讼各组的总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
        ),
        ("text", "R5：每个填写格都是数字（0 也要填写）；件数为整数；" + _sign_rule(spec)),
        ("heading", "四、如何报送"),
        (
            "text",
            "1. 文件格式：保存为 Excel 工作簿（.xlsx）。使用 WPS 的，保存时也选择 .xlsx；"
            "不要另存为 .xls、.et、.ods 或 PDF，不要设置密码。",
        ),
        (
            "text",
            "2. 文件名：报送文件命名为“单位名称+年度+政府信息公开工作年度报告.xlsx”，"
            f"如“{example}”。填好本模板后“另存为”该文件名即可。",
        ),
        (
            "text",
            f"3. 报送方式：于{due}前，将文件放入区政务公开办（区政府办公室）指定的共享文件夹中的"
            "收件文件夹。",
        ),
        (
            "text",
            "4. 校验反馈：系统定时自动校验，并在区政务公开办告知的输出文件夹中"
            f"“{year or '年度'} → 反馈 → 本单位名称”文件夹里给出回执"
            "“回执_文件名.txt”（可用记事本打开，写明是否通过和发现的问题）；"
            "有问题的，同时给出“校验结果_文件名.xlsx”：即所报送的表格，问题单元格标红（错误）"
            "或标黄（提示）并附批注，第一张工作表列出全部问题。",
        ),
        (
            "text",
            "5. 未通过的，按校验结果改正后重新报送（可用原文件名），以最后一次报送为准。",
        ),
    ]
    return lines


def _numbers_rule(spec: Format) -> str:
    """How numbers are written: counts, money, and (gov2019) the signed 本年增/减 column."""
    text = "件数填写不小于 0 的整数；金额按表中标明的单位填写，可有小数。"
    if any(f.kind == "signed" for f in spec.fields.values()):
        text += "“本年增/减”填整数：增加填正数，减少填负数（如 -4），没有变化填 0。"
    return text


def _sign_rule(spec: Format) -> str:
    if any(f.kind == "signed" for f in spec.fields.values()):
        return "除“本年增/减”外不得为负数。"
    return "不得为负数。"
