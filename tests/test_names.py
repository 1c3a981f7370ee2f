"""Names of output files and folders are valid on Windows whatever a unit is called."""

import pytest

from workflow.domain.names import safe_name
from workflow.pipeline.outputs import unit_report_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("长乐区教育局", "长乐区教育局"),
        ("住房和城乡建设局/区人防办", "住房和城乡建设局_区人防办"),
        ('a:b*c?d"e<f>g|h\\i', "a_b_c_d_e_f_g_h_i"),
        ("单位名称. ", "单位名称"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("", "未命名"),
        ("\x07控制符", "_控制符"),
        ("长" * 100, "长" * 60),  # 180 bytes of UTF-8: room for 校验结果_ and temporary suffixes
        ('a<b>:"c"/d\\e|f?g*', "a_b___c__d_e_f_g_"),
    ],
    ids=["plain", "slash", "forbidden", "trailing-dot-space", "reserved", "reserved-ext", "empty",
         "control", "long", "every-forbidden-character"],
)  # fmt: skip
def test_safe_name(text: str, expected: str):
    assert safe_name(text) == expected


def test_unit_report_name_has_no_folder_separator():
    name = unit_report_name("城东区住房和城乡建设局/区人防办", 2025)
    assert "/" not in name and name.endswith("年政府信息公开工作年度报告.docx")
