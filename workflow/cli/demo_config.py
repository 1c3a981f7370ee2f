"""The workflow.toml of the demo, the tests and the benchmark (the starting config with a roster),
the demo district office's contact details, and how a unit's topics are listed."""

from __future__ import annotations

from collections.abc import Sequence


def workspace_config(
    district: str,
    year: int,
    units: Sequence[tuple[str, str, str, str, str]],
    *,
    format_id: str = "gov2021",
    settle_seconds: float | None = None,
    pdf: bool | None = None,
) -> str:
    """workflow.toml text: the starting config with ``units`` = (name, alias, category, person,
    phone) as the roster (used by the demo, the tests and the benchmark)."""
    from workflow.workspace.init import config_text

    text = config_text(district, year, format_id, pdf=pdf is not False, district_text=None)
    head = text.split("\n[[units]]\n", 1)[0] + "\n"
    if settle_seconds is not None:
        head = head.replace("[schedule]\n", f"[schedule]\nsettle_seconds = {settle_seconds}\n")
    rows = [
        f'[[units]]\nname = "{name}"\naliases = {[alias] if alias else []}\n'
        f'category = "{category}"\ncontact_person = "{person}"\ncontact_phone = "{phone}"\n'
        for name, alias, category, person, phone in units
    ]
    return head + "\n".join(rows)


DEMO_CONTACT = {
    "website_url": "http://www.fzcl.gov.cn/",
    "contact_person": "政务公开科",
    "contact_address": "福州市长乐区吴航街道郑和中路1号",
    "contact_postcode": "350200",
    "contact_phone": "0591-28881234",
}


def topic_list(topics: str) -> list[str]:
    """ "a、“b、c”和d" → ["a", "“b、c”和d"]: split at 、 outside quotation marks."""
    out, depth, word = [], 0, ""
    for char in topics:
        depth += {"“": 1, "”": -1}.get(char, 0)
        if char == "、" and depth == 0:
            out.append(word)
            word = ""
        else:
            word += char
    return [*out, word]
