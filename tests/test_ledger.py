"""The ledger: schema version, one transaction per outcome, exact numbers, what is published."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.findings import Finding, Severity
from workflow.errors import OutputError
from workflow.store.ledger import (
    SCHEMA_VERSION,
    Ledger,
    Sighting,
    decode_findings,
    decode_values,
    encode_result,
)


def _row(sha: str, unit: str = "区教育局", status: str = "accepted", **extra):
    return {
        "sha256": sha,
        "original_name": f"{sha}.xlsx",
        "inbox_path": f"{sha}.xlsx",
        "arrived": "2026-01-10T09:00:00+08:00",
        "processed": "2026-01-10T09:00:05+08:00",
        "unit": unit,
        "year": 2025,
        "status": status,
        "archive_path": f"archive/2025/{status}/{sha}.xlsx",
        "run_id": "r1",
        **extra,
    }


def test_new_ledger_has_schema_version(tmp_path):
    with Ledger.open(tmp_path) as ledger:
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert ledger.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_newer_schema_is_refused_with_a_message(tmp_path):
    Ledger.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "ledger.sqlite3")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(OutputError, match="更新版本"):
        Ledger.open(tmp_path)


def test_corrupt_ledger_is_an_operator_error(tmp_path):
    (tmp_path / "ledger.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(OutputError, match="台账"):
        Ledger.open(tmp_path)


def test_superseding_is_one_transaction_and_survives_reopen(tmp_path):
    with Ledger.open(tmp_path) as ledger:
        old = ledger.add_file(_row("a" * 64), current_unit="区教育局")
        change = {
            "unit": "区教育局",
            "field": "apply_new_natural",
            "label": "自然人",
            "old": 3,
            "new": 5,
        }
        new = ledger.add_file(
            _row("b" * 64),
            current_unit="区教育局",
            supersede=(old, "archive/2025/superseded/a.xlsx"),
            changes=[change],
        )
    with Ledger.open(tmp_path) as ledger:
        assert ledger.current() == {"区教育局": new}
        assert ledger.file(old).status == "superseded"
        assert ledger.file(old).archive_path == "archive/2025/superseded/a.xlsx"
        assert ledger.unpublished_changes() == [
            {
                "unit": "区教育局",
                "field": "apply_new_natural",
                "label": "自然人",
                "old": "3",
                "new": "5",
            }
        ]
        assert [r.sha256[0] for r in ledger.by_sha("b" * 64)] == ["b"]


def test_a_renamed_units_old_key_is_dropped_when_it_gets_a_new_current_file(tmp_path):
    with Ledger.open(tmp_path) as ledger:
        old = ledger.add_file(_row("a" * 64), current_unit="区教育局")
        new = ledger.add_file(
            _row("b" * 64), current_unit="区教育体育局", drop_current=["区教育局"]
        )
        assert ledger.current() == {"区教育体育局": new} and old != new


def test_recheck_replaces_the_outcome_and_republishes(tmp_path):
    with Ledger.open(tmp_path) as ledger:
        file_id = ledger.add_file(_row("a" * 64) | {"status": "rejected"})
        ledger.mark_published("r1", "cfg1")
        ledger.recheck_file(
            file_id,
            {"status": "accepted", "unit": "区文旅局", "errors": 0},
            current_unit="区文旅局",
        )
        row = ledger.file(file_id)
        assert (row.status, row.unit, row.published) == ("accepted", "区文旅局", 0)
        assert ledger.current() == {"区文旅局": file_id}
        assert ledger.needs_publish("cfg1"), "the new outcome is published"


def test_publication_tracks_generation_and_config(tmp_path):
    with Ledger.open(tmp_path) as ledger:
        assert ledger.needs_publish("cfg1")
        ledger.add_file(_row("a" * 64))
        ledger.mark_published("r1", "cfg1")
        assert not ledger.needs_publish("cfg1")
        assert ledger.needs_publish("cfg2"), "a changed config republishes"
        assert all(r.published for r in ledger.files())
        ledger.update_file(1, state="archived")
        assert not ledger.needs_publish("cfg1"), "a state change alone changes no output"
        ledger.update_file(1, status="superseded")
        assert ledger.needs_publish("cfg1")


def test_sightings_round_trip(tmp_path):
    seen = [
        Sighting("a.xlsx", 10, 123, "2026-01-10T09:00:00+08:00", 2),
        Sighting("子/b.xlsx", 0, 5, "x"),
    ]
    with Ledger.open(tmp_path) as ledger:
        ledger.save_sightings(seen)
        assert ledger.sightings() == {s.path: s for s in seen}
        ledger.save_sightings([])
        assert ledger.sightings() == {}


def test_runs_are_numbered_past_existing_manifests(tmp_path):
    with Ledger.open(tmp_path) as ledger:
        first = ledger.start_run("t", "20260110-090000")
        second = ledger.start_run("t", "20260110-090000", min_seq=41)
    assert (first, second) == ("20260110-090000-0001", "20260110-090000-0042")


numbers = st.one_of(
    st.integers(min_value=0, max_value=10**12),
    st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
)


@given(st.dictionaries(st.from_regex(r"[a-z_]{1,20}", fullmatch=True), numbers))
def test_values_round_trip_exactly(values):
    data = __import__("json").loads(encode_result(values, {}, []))
    back = decode_values(data)
    assert back == values
    assert all(type(back[k]) is type(v) for k, v in values.items()), (
        "Decimal stays Decimal, int stays int"
    )


def test_findings_round_trip():
    finding = Finding(
        "R3",
        Severity.ERROR,
        "总计应为 12",
        ("apply_new_total",),
        ("三、依申请公开!J6",),
        12,
        Decimal("13"),
    )
    data = __import__("json").loads(encode_result({}, {"unit_name": "区教育局"}, [finding]))
    (back,) = decode_findings(data)
    assert (back.rule, back.severity, back.cells, back.expected) == (
        "R3",
        Severity.ERROR,
        finding.cells,
        12,
    )
    assert data["texts"] == {"unit_name": "区教育局"}


def _state(ledger: Ledger) -> tuple:
    conn = ledger.conn
    return (
        conn.execute("SELECT id, status, archive_path FROM files ORDER BY id").fetchall(),
        conn.execute("SELECT unit, file_id FROM current ORDER BY unit").fetchall(),
        conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0],
        ledger.meta("generation"),
    )


@pytest.mark.parametrize("fail_at", ["current", "supersede", "changes", "generation"])
def test_a_failure_in_the_middle_of_a_ledger_write_leaves_the_earlier_state(tmp_path, fail_at):
    """add_file is one transaction: the file row, the unit's current submission, the superseded
    file, the field changes and the generation commit together or not at all."""
    with Ledger.open(tmp_path) as ledger:
        first = ledger.add_file(_row("a" * 64), current_unit="区教育局")
        before = _state(ledger)
        real = ledger.conn

        class Failing:
            """The connection, failing on the statement that writes ``fail_at``."""

            def __getattr__(self, name):
                return getattr(real, name)

            def __enter__(self):
                return real.__enter__()

            def __exit__(self, *exc):
                return real.__exit__(*exc)

            def _maybe_fail(self, sql):
                marks = {
                    "current": "INSERT INTO current",
                    "supersede": "SET status = 'superseded'",
                    "changes": "INSERT INTO changes",
                    "generation": "INSERT INTO meta",
                }
                if marks[fail_at] in sql:
                    raise sqlite3.OperationalError("database or disk is full")

            def execute(self, sql, *args):
                self._maybe_fail(sql)
                return real.execute(sql, *args)

            def executemany(self, sql, *args):
                self._maybe_fail(sql)
                return real.executemany(sql, *args)

        ledger.conn = Failing()  # type: ignore[assignment]
        with pytest.raises(sqlite3.OperationalError):
            ledger.add_file(
                _row("b" * 64),
                current_unit="区教育局",
                supersede=(first, "archive/2025/superseded/x.xlsx"),
                changes=[{"unit": "区教育局", "field": "f", "label": "l", "old": 1, "new": 2}],
            )
        ledger.conn = real
        assert _state(ledger) == before
