"""Every report of ``workflow demo`` reads as a published report: no sentence said twice, no list of
zero counts, one voice per report, the clerk's own words kept, dates that can be true."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document

from workflow.cli import demo
from workflow.report.text import self_reference

T0 = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
ZERO = re.compile(r"(?<![0-9.])0(?:件|条|个|元|万元)")


def _clock():
    ticks = iter(range(1000))
    return lambda: T0 + timedelta(minutes=30 * next(ticks))


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[Path, list[str]]:
    made = demo.create_demo(tmp_path_factory.mktemp("w") / "演示", clock=_clock(), pdf=False)
    docs = sorted((made.workspace / "outbox" / str(made.year)).rglob("*.docx"))
    return {doc: [p.text for p in Document(str(doc)).paragraphs] for doc in docs}


def sentences(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in re.split(r"(?<=[。！？])", p) if len(s.strip()) > 1]


def test_the_demo_has_every_report(reports):
    names = [p.name for p in reports]
    assert len(names) == 7 and sum("人民政府" in n for n in names) == 1


def test_no_sentence_occurs_twice_in_a_report(reports):
    for doc, paragraphs in reports.items():
        said = sentences(paragraphs)
        twice = {s for s in said if said.count(s) > 1}
        assert not twice, (doc.name, twice)


def test_no_sentence_lists_three_zero_counts(reports):
    for doc, paragraphs in reports.items():
        for sentence in sentences(paragraphs):
            assert len(ZERO.findall(sentence)) < 3, (doc.name, sentence)


def test_one_voice_per_unit_report(reports):
    for doc, paragraphs in reports.items():
        if "人民政府" in doc.name:
            continue
        unit = paragraphs[-2]  # the signature: name, then date
        we = self_reference(unit)
        text = "".join(paragraphs)
        assert "本机关" not in text.replace("本机关不掌握", ""), doc.name
        assert f"，{we}" in text, (doc.name, we)


def test_dates_are_in_the_january_after_the_year(reports):
    for doc, paragraphs in reports.items():
        if "人民政府" in doc.name:
            continue
        y, m, d = map(int, re.fullmatch(r"(\d+)年(\d+)月(\d+)日", paragraphs[-1]).groups())
        assert date(2026, 1, 1) <= date(y, m, d) <= date(2026, 1, 31), (doc.name, paragraphs[-1])


def test_the_clerks_own_words_are_kept_verbatim(reports):
    seed = next(p for d, p in reports.items() if "人力资源" in d.name)
    assert "无其他需要报告的事项。" in seed  # beside the fee sentence, not replaced by it
    assert "2025年度，我局受理“依申请公开政府信息”数为2件。" in seed
    assert sum("收费通知" in p for p in seed) == 1
