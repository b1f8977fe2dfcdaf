"""The progress store: recording, planning, kata attempts, migrations and unusable files."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from rnnprep.errors import StoreError
from rnnprep.store import SCHEMA_VERSION, Store

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "data" / "progress.sqlite3") as opened:
        yield opened


def answer(store: Store, qid: str, correct: bool, now: datetime, *, rev: int = 1,
           topic: str = "lstm") -> None:
    store.record_review(qid, topic=topic, rev=rev, answer="a", correct=correct,
                        response_time=2.5, now=now)


def test_open_creates_parents_in_wal_mode_with_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "progress.sqlite3"
    with Store.open(path) as store:
        conn = store.connection
        assert path.is_file()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_record_review_is_committed_and_visible_to_another_connection(store: Store) -> None:
    answer(store, "lstm.q1", True, T0)
    other = sqlite3.connect(store.path)
    rows = other.execute("SELECT question_id, topic, rev, answer, correct, response_time,"
                         " reviewed_at FROM reviews").fetchall()
    other.close()
    assert rows == [("lstm.q1", "lstm", 1, "a", 1, 2.5, "2025-03-01T09:00:00.000000+00:00")]


def test_times_are_stored_in_utc_whatever_zone_is_passed(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    answer(store, "q", True, datetime(2025, 3, 1, 10, 0, tzinfo=paris))
    assert store.reviews()[0]["reviewed_at"] == T0


def test_naive_time_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        answer(store, "q", True, datetime(2025, 3, 1))
    assert store.reviews() == []


def test_plan_default_serves_due_most_overdue_first_then_new_in_given_order(store: Store) -> None:
    answer(store, "old", False, T0)                       # due 1 min later
    answer(store, "older", False, T0 - timedelta(hours=1))  # due an hour earlier
    answer(store, "fresh", True, T0)
    answer(store, "fresh", True, T0 + timedelta(minutes=10))  # graduates: due days later
    candidates = [("new2", 1), ("old", 1), ("fresh", 1), ("new1", 1), ("older", 1)]
    now = T0 + timedelta(minutes=30)
    assert store.plan(candidates, now=now) == ["older", "old", "new2", "new1"]
    assert store.plan(candidates, mode="review", now=now) == ["older", "old"]
    assert store.plan(candidates, mode="new", now=now) == ["new2", "new1"]
    assert store.plan(candidates, mode="all", now=now) == [qid for qid, _ in candidates]


def test_plan_only_considers_the_candidates(store: Store) -> None:
    answer(store, "elsewhere", False, T0)
    assert store.plan([("mine", 1)], now=T0 + timedelta(days=1)) == ["mine"]


def test_a_changed_rev_makes_a_question_new_and_restarts_its_card(store: Store) -> None:
    for day in range(4):
        answer(store, "q", True, T0 + timedelta(days=day * 10))
    grown = store.card("q")
    assert grown is not None and grown.stability > 10
    later = T0 + timedelta(days=31)
    assert store.plan([("q", 2)], mode="new", now=later) == ["q"]
    answer(store, "q", True, later, rev=2)
    restarted = store.card("q")
    assert restarted is not None and restarted.rev == 2
    assert restarted.stability < 5  # the rev-2 card starts from scratch, not from the rev-1 one


def test_unknown_plan_mode_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown plan mode"):
        store.plan([("q", 1)], mode="sometimes")


def test_next_due_is_the_earliest_due_among_the_given_questions(store: Store) -> None:
    answer(store, "a", True, T0)   # learning: due in 10 minutes
    answer(store, "b", False, T0)  # again: due in 1 minute
    answer(store, "c", False, T0 - timedelta(days=1))
    assert store.next_due(["a", "b"]) == T0 + timedelta(minutes=1)
    assert store.next_due(["a"]) == T0 + timedelta(minutes=10)
    assert store.next_due(["never-seen"]) is None


def test_kata_attempts_and_status(store: Store) -> None:
    store.record_kata_attempt(kata="lstm", passed=False, seed=7, failing_tests=["test_bias"],
                              diagnosis=["lstm.gate-order"], now=T0)
    store.record_kata_attempt(kata="lstm", passed=True, seed=8, failing_tests=[], diagnosis=[],
                              now=T0 + timedelta(hours=1))
    store.record_kata_attempt(kata="lstm", passed=False, seed=9, failing_tests=["t"],
                              diagnosis=[], now=T0 + timedelta(hours=2))
    store.record_kata_attempt(kata="gru", passed=False, seed=1, failing_tests=["t"],
                              diagnosis=[], now=T0)
    status = store.kata_status()
    assert set(status) == {"lstm", "gru"}
    lstm = status["lstm"]
    assert (lstm.attempts, lstm.passed, lstm.last_passed, lstm.status) == (3, True, False, "passed")
    assert lstm.last_attempt == T0 + timedelta(hours=2)
    assert status["gru"].status == "failing"
    first = store.kata_attempts()[0]
    assert (first["seed"], first["failing_tests"], first["diagnosis"]) == (
        7, ["test_bias"], ["lstm.gate-order"])


# The schema as rnnprep first released it (version 1), frozen here on purpose.
V1_SQL = """
PRAGMA application_id = 1380863568;
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY, question_id TEXT NOT NULL, topic TEXT NOT NULL,
    rev INTEGER NOT NULL, reviewed_at TEXT NOT NULL, answer TEXT NOT NULL,
    correct INTEGER NOT NULL, response_time REAL NOT NULL);
CREATE INDEX reviews_by_question ON reviews (question_id, reviewed_at);
CREATE TABLE cards (
    question_id TEXT PRIMARY KEY, topic TEXT NOT NULL, rev INTEGER NOT NULL,
    state INTEGER NOT NULL, step INTEGER, stability REAL, difficulty REAL,
    due TEXT NOT NULL, last_review TEXT);
INSERT INTO reviews VALUES (1, 'gru.q1', 'gru', 1, '2025-01-01T08:00:00.000000+00:00', 'b', 0, 3.0);
INSERT INTO reviews VALUES (2, 'gru.q1', 'gru', 1, '2025-01-01T08:05:00.000000+00:00', 'a', 1, 2.0);
INSERT INTO cards VALUES ('gru.q1', 'gru', 1, 1, 0, 0.4, 6.0, '2025-01-01T08:15:00.000000+00:00',
                          '2025-01-01T08:05:00.000000+00:00');
PRAGMA user_version = 1;
"""


def test_a_version_1_file_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(V1_SQL)
    old.close()
    with Store.open(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        reviews = store.reviews()
        assert [(r["question_id"], r["answer"], r["correct"]) for r in reviews] == [
            ("gru.q1", "b", False), ("gru.q1", "a", True)]
        assert len({r["uid"] for r in reviews}) == 2  # every old answer got its own uid
        assert store.plan([("gru.q1", 1)], now=datetime(2025, 1, 2, tzinfo=timezone.utc)) == ["gru.q1"]
        answer(store, "gru.q1", True, datetime(2025, 1, 2, tzinfo=timezone.utc), topic="gru")
        store.record_kata_attempt(kata="gru", passed=True, seed=1, failing_tests=[], diagnosis=[])
        assert store.kata_status()["gru"].passed
    with Store.open(path) as again:  # opening a current file migrates nothing
        assert len(again.reviews()) == 3


@pytest.mark.parametrize("content", [b"this is not a database at all, just text" * 50,
                                     b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_corrupt_file_gives_a_clear_store_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StoreError) as raised:
        Store.open(path)
    message = str(raised.value)
    assert str(path) in message and "rnnprep progress reset" in message
    assert "\n" not in message
    assert path.read_bytes() == content  # nothing the user had is touched


def test_a_newer_schema_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer rnnprep") as raised:
        Store.open(path)
    assert "progress reset" in str(raised.value) and str(path) in str(raised.value)


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not an rnnprep progress store"):
        Store.open(path)


def test_a_directory_in_place_of_the_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "progress.sqlite3").mkdir()
    with pytest.raises(StoreError, match="progress reset"):
        Store.open(tmp_path / "progress.sqlite3")


def test_a_store_locked_beyond_the_busy_timeout_is_a_store_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "progress.sqlite3"
    holder = Store.open(path)
    monkeypatch.setattr("rnnprep.store.schema.BUSY_TIMEOUT_SECONDS", 0.05)
    waiter = Store.open(path)
    holder.connection.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    with pytest.raises(StoreError, match=r"Could not save to the progress store .*locked"):
        answer(waiter, "q", True, T0)
    holder.connection.execute("ROLLBACK")
    answer(waiter, "q", True, T0)  # once the lock is gone, writing works again
    assert len(waiter.reviews()) == 1
    holder.close()
    waiter.close()


def test_a_check_recorded_from_a_watching_thread_is_saved(tmp_path):
    """`kata --watch` and the interview record checks from their watching thread."""
    import threading

    store = Store.open(tmp_path / "progress.sqlite3")
    errors: list[BaseException] = []

    def record() -> None:
        try:
            store.record_kata_attempt(kata="lstm", passed=True, seed=1, failing_tests=[], diagnosis=[])
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=record)
    thread.start()
    thread.join()
    assert not errors and store.kata_status()["lstm"].passed
