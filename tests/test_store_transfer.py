"""Export, import (idempotent, scheduling rebuilt) and reset of the progress store."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from rnnprep.errors import RnnprepError
from rnnprep.store import Store
from rnnprep.store.transfer import (
    export_progress,
    import_progress,
    read_export,
    reset_store,
    write_export,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def fill(store: Store, start: datetime, prefix: str = "") -> None:
    """A few days of answers on two questions and two kata attempts."""
    for day in range(5):
        for number, qid in enumerate((f"{prefix}lstm.q1", f"{prefix}gru.q1")):
            store.record_review(qid, topic=qid.split(".")[0].removeprefix(prefix), rev=1,
                                answer=f"day{day}", correct=(day + number) % 3 != 0,
                                response_time=1.5, now=start + timedelta(days=day, minutes=number))
    store.record_kata_attempt(kata="lstm", passed=False, seed=3, failing_tests=["test_shape"],
                              diagnosis=["lstm.gate-order"], now=start)
    store.record_kata_attempt(kata="lstm", passed=True, seed=4, failing_tests=[], diagnosis=[],
                              now=start + timedelta(days=1))


def test_round_trip_into_an_empty_store_rebuilds_the_same_schedule(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.sqlite3") as source:
        fill(source, T0)
        data = export_progress(source, now=T0 + timedelta(days=9))
        write_export(data, tmp_path / "out" / "progress.json")
        cards, reviews, attempts = source.cards(), source.reviews(), source.kata_attempts()
    with Store.open(tmp_path / "b.sqlite3") as target:
        summary = import_progress(target, read_export(tmp_path / "out" / "progress.json"))
        assert (summary.reviews_added, summary.attempts_added) == (10, 2)
        assert target.reviews() == reviews
        assert target.kata_attempts() == attempts
        assert target.cards() == cards
        assert target.kata_status()["lstm"].passed


def test_importing_twice_changes_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.sqlite3") as source:
        fill(source, T0)
        data = export_progress(source)
    with Store.open(tmp_path / "b.sqlite3") as target:
        import_progress(target, data)
        before = (target.reviews(), target.cards(), target.kata_attempts())
        again = import_progress(target, data)
        assert (again.reviews_added, again.reviews_known) == (0, 10)
        assert (again.attempts_added, again.attempts_known) == (0, 2)
        assert (target.reviews(), target.cards(), target.kata_attempts()) == before


def test_merging_two_machines_replays_answers_in_time_order(tmp_path: Path) -> None:
    with Store.open(tmp_path / "laptop.sqlite3") as laptop, \
            Store.open(tmp_path / "desktop.sqlite3") as desktop, \
            Store.open(tmp_path / "both.sqlite3") as both:
        # the same question answered on two machines on alternating days
        for day in range(6):
            machine = laptop if day % 2 else desktop
            for store in (machine, both):
                store.record_review("rnn.q", topic="rnn", rev=1, answer="x", correct=day != 3,
                                    response_time=1.0, now=T0 + timedelta(days=day * 3))
        import_progress(laptop, export_progress(desktop))
        assert laptop.card("rnn.q") == both.card("rnn.q")
        assert len(laptop.reviews()) == 6


def test_read_export_rejects_other_json_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(RnnprepError, match="not an rnnprep progress export") as raised:
        read_export(path)
    assert str(path) in str(raised.value)


def test_read_export_rejects_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{ not json")
    with pytest.raises(RnnprepError, match=r"Cannot read .*broken\.json"):
        read_export(path)


@pytest.mark.parametrize(("change", "message"), [
    ({"correct": "yes"}, r"reviews\[0\]\.correct is missing or not bool"),
    ({"rev": True}, r"reviews\[0\]\.rev is missing or not int"),
    ({"reviewed_at": "yesterday"}, r"reviews\[0\]\.reviewed_at is not an ISO 8601 time"),
    ({"reviewed_at": "2025-03-01T09:00:00"}, r"reviews\[0\]\.reviewed_at has no timezone"),
])
def test_read_export_names_the_bad_entry(tmp_path: Path, change: dict, message: str) -> None:
    with Store.open(tmp_path / "a.sqlite3") as source:
        fill(source, T0)
        data = export_progress(source)
    data["reviews"][0].update(change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RnnprepError, match=message):
        read_export(path)


def test_a_newer_export_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.json"
    path.write_text(json.dumps({"format": "rnnprep-progress", "version": 99, "reviews": []}))
    with pytest.raises(RnnprepError, match="Upgrade rnnprep"):
        read_export(path)


def test_reset_moves_the_store_and_its_wal_aside_and_keeps_it_readable(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    store = Store.open(path)
    fill(store, T0)
    keeper = sqlite3.connect(path)  # a second connection keeps the WAL from being checkpointed away
    keeper.execute("SELECT count(*) FROM reviews").fetchone()
    store.close()
    keeper.close()
    backup = reset_store(path, now=T0)
    assert backup == tmp_path / "progress.sqlite3.bak-20250301T090000Z"
    assert not path.exists()
    with Store.open(backup) as old:
        assert len(old.reviews()) == 10
    with Store.open(path) as fresh:
        assert fresh.reviews() == []


def test_reset_never_overwrites_an_earlier_backup(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"first")
    first = reset_store(path, now=T0)
    path.write_bytes(b"second")
    second = reset_store(path, now=T0)
    assert first != second
    assert first is not None and second is not None
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")


def test_reset_without_a_store_does_nothing(tmp_path: Path) -> None:
    assert reset_store(tmp_path / "progress.sqlite3") is None
