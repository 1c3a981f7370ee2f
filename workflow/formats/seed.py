"""A real department report (福州市长乐区人力资源和社会保障局, 2021, gov2019 tables), as field values.

Source: shared/seeds/000_7cfe14d9f8ebec40.txt. Used by the demo workspace and by tests that must
reproduce a real published report. Part 四 was left blank in the original; here it is 0.
"""

from __future__ import annotations

from decimal import Decimal

from workflow.domain.submission import Number
from workflow.formats.spec import load_format

SEED_UNIT = "福州市长乐区人力资源和社会保障局"
SEED_YEAR = 2021
SEED_FORMAT = "gov2019"

_NONZERO: dict[str, Number] = {
    "active_license_prev": 19,
    "active_license_change": -4,
    "active_license_decisions": 45,
    "active_service_prev": 76,
    "active_service_change": 1,
    "active_service_decisions": 7,
    "active_penalty_prev": 76,
    "active_penalty_decisions": 13,
    "apply_new_natural": 2,
    "apply_new_total": 2,
    "apply_denied_third_party_natural": 2,
    "apply_denied_third_party_total": 2,
    "apply_total_natural": 2,
    "apply_total_total": 2,
    "overview_active_count": 158,
}

SEED_TEXTS: dict[str, str] = {
    "unit_name": SEED_UNIT,
    "report_year": "2021",
    "report_date": "2022-01-26",
    "website_url": "http://www.fzcl.gov.cn/",
    "contact_address": "长乐区文武砂街道文松路666号",
    "contact_postcode": "350207",
    "contact_phone": "0591-28813573",
    "contact_person": "局办公室",
    "text_active": "截至2021年12月31日，我局主动公开政府信息158条，主要涉及就业创业、技能培训、人事人才等方面。",
    "text_request": "2021年度，我局受理“依申请公开政府信息”数为2件。",
    "text_management": (
        "一是成立政府信息公开工作专班。充分认识推进政务公开的重要性，确定专职人员，并积极开展传帮带活动，"
        "对专职人员加强培训、指导，全面完善政务公开工作，提升政务公开工作质量。加强对政府信息的合法性和保密性审核，"
        "按照“以公开为常态、不公开为例外”的原则，确保应公开尽公开。二是加强学习，提升能力。主动安排专职人员通过在线指导、"
        "面对面辅导等方式，学习了解政务公开平台信息发布的工作流程和具体要求。三是对照标准，逐项整改。参照区政府信息公开工作"
        "考核指标的具体点位，全面梳理失分项目和问题根源，确保每项指标都搞清楚、弄明白、整规范。"
    ),
    "text_platform": (
        "通过报刊、广播、电视等媒体及网站专题、政务微博微信、政务客户端（摇工作平台、“掌上社保”APP）及公开栏等传统公开平台，"
        "及时发布我局相关政策、政务及惠民信息，不断拓展丰富信息公开内容，使信息公开更加全面化。"
    ),
    "text_supervision": (
        "一是落实内部管理和责任考核追究制度，把政府信息公开作为我局整体工作的重要组成部分，纳入日常工作安排部署，"
        "并纳入年终目标考核，促进信息公开工作常态化、规范化；二是积极畅通渠道，广泛接受社会监督。在门户网站上公开咨询和投诉渠道；"
        "及时回复社会关切，充分发挥社会监督作用；三是完善社会评议制度，针对评议发现的问题，落实整改措施，进一步规范信息公开工作，"
        "切实发挥评议工作的正向激励作用。"
    ),
    "text_problems": (
        "2021年，我局政务公开工作虽然取得了好的成效，但也存在信息公开及时性和全面性有待进一步加强、政府信息公开平台有待进一步优化、"
        "政务公开工作人员整体业务水平还需提高等问题，采取了以下改进措施：\n"
        "1.继续充实公开内容。进一步做好公开和依申请公开两类政府信息的界定，完善主动公开的政府信息目录，及时更新栏目内容，"
        "加强对公众关注度高的人社业务数据信息的梳理、发布。\n"
        "2.加大业务培训力度。加强对政府信息公开工作人员的业务知识和技能培训，增强业务能力和政务公开意识，提升政府信息公开质效。\n"
        "3.提高政务公开质量。及时更新我局机构简介、人事信息、财政预决算、行政权力运行结果、业务数据等信息。"
        "提升政策文件解读质量，丰富统计数据解读形式。"
    ),
    "text_other": "无其他需要报告的事项。",
}


def seed_values(format_id: str = SEED_FORMAT) -> dict[str, Number]:
    """Every numeric field of ``format_id`` with the seed's numbers (0 elsewhere).

    For gov2021, the gov2019-only fields are dropped and 其他处理 goes to ``other_misc``.
    """
    spec = load_format(format_id)
    values: dict[str, Number] = {
        f.id: (Decimal("0") if f.kind == "money" else 0) for f in spec.numeric_fields
    }
    for key, value in _NONZERO.items():
        if key in values:
            values[key] = value
    return values
