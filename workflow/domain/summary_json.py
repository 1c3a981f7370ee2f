"""summary.json as text: every Decimal written as an exact JSON number (12.5, 3.0) and read back
as a Decimal; nothing is ever a float. Pure."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_DECIMAL_MARK = re.compile(r'"\\u0000(-?[0-9]+\.[0-9]+)\\u0000"')


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0")
    return text + "0" if text.endswith(".") else (text if "." in text else text + ".0")


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\0{_decimal_text(value)}\0"
    if isinstance(value, Mapping):
        return {str(k): _marked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(v) for v in value]
    return value


def summary_to_json(summary: Mapping[str, Any]) -> str:
    """The summary as JSON text (UTF-8, indented); every Decimal written exactly, e.g. 12.5."""
    text = json.dumps(_marked(summary), ensure_ascii=False, indent=2)
    return _DECIMAL_MARK.sub(r"\1", text) + "\n"


def load_summary(text: str) -> dict[str, Any]:
    """A summary.json text back as a dict, decimals as Decimal (exact)."""
    data = json.loads(text, parse_float=Decimal)
    if not isinstance(data, dict):
        raise ValueError("文件内容不是 JSON 对象")
    return data
