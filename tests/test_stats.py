"""Stats: per-topic figures, mastery, streak, weakest topics, kata status and rendering."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from rnnprep.errors import BankError
from rnnprep.stats import bar, compute_stats, gather, kata_names, render_stats, streak, weakest
from rnnprep.store import MASTERED_STABILITY_DAYS, Store

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=timezone.utc)
TOPICS = {"lstm.q1": "lstm", "lstm.q2": "lstm", "lstm.q3": "lstm", "gru.q1": "gru", "bptt.q1": "bptt"}


def plain(text: str, **styles: object) -> str:
    return text


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "progress.sqlite3") as opened:
        yield opened


def answer(store: Store, qid: str, correct: bool, when: datetime, topic: str | None = None) -> None:
    store.record_review(qid, topic=topic or qid.split(".")[0], rev=1, answer="a", correct=correct,
                        response_time=1.0, now=when)


def test_per_topic_answered_accuracy_due_and_question_counts(store: Store) -> None:
    answer(store, "lstm.q1", True, NOW - timedelta(hours=2))
    answer(store, "lstm.q2", False, NOW - timedelta(hours=2))   # due a minute later: due now
    answer(store, "lstm.q2", True, NOW - timedelta(hours=1))    # learning step: due now
    answer(store, "gru.q1", False, NOW - timedelta(minutes=1, seconds=30))
    answer(store, "mine.q1", True, NOW, topic="custom")          # a user bank's question
    stats = compute_stats(store, topics=TOPICS, katas=[], now=NOW, tz=timezone.utc)
    assert stats["answered"] == 5 and stats["correct"] == 3
    lstm = stats["by_topic"]["lstm"]
    assert (lstm["questions"], lstm["answered"], lstm["correct"], lstm["accuracy"]) == (3, 3, 2, 0.6667)
    assert lstm["due_now"] == 2  # both lstm cards are past their learning step
    assert stats["by_topic"]["gru"]["due_now"] == 1
    assert stats["by_topic"]["bptt"] == {"questions": 1, "answered": 0, "correct": 0,
                                         "accuracy": None, "due_now": 0, "mastered": 0}
    assert stats["by_topic"]["custom"]["questions"] == 1
    assert stats["due_now"] == 3


def test_mastered_means_stability_above_the_threshold(store: Store) -> None:
    when = NOW - timedelta(days=400)
    while (card := store.card("lstm.q1")) is None or card.stability < MASTERED_STABILITY_DAYS:
        answer(store, "lstm.q1", True, when)
        when = store.card("lstm.q1").due
    answer(store, "lstm.q2", True, NOW - timedelta(days=1))
    stats = compute_stats(store, topics=TOPICS, katas=[], now=NOW, tz=timezone.utc)
    assert stats["by_topic"]["lstm"]["mastered"] == 1
    assert stats["mastered"] == 1
    assert stats["mastered_stability_days"] == MASTERED_STABILITY_DAYS


@pytest.mark.parametrize(("days_ago", "expected"), [
    ([0, 1, 2], 3),        # through today
    ([1, 2, 3, 5], 3),     # ends yesterday: still alive
    ([2, 3, 4], 0),        # a missed day breaks it
    ([0, 0, 2], 1),
    ([], 0),
])
def test_streak_counts_consecutive_days_ending_today_or_yesterday(
        store: Store, days_ago: list[int], expected: int) -> None:
    for number, ago in enumerate(days_ago):
        answer(store, f"q{number}.x", True, NOW - timedelta(days=ago))
    assert streak(store, NOW, timezone.utc) == expected


def test_streak_days_follow_the_given_time_zone(store: Store) -> None:
    answer(store, "q.a", True, datetime(2025, 3, 9, 23, 30, tzinfo=timezone.utc))
    answer(store, "q.b", True, datetime(2025, 3, 10, 0, 30, tzinfo=timezone.utc))
    assert streak(store, NOW, timezone.utc) == 2
    assert streak(store, NOW, timezone(timedelta(hours=3))) == 1  # both on the 10th in UTC+3


def test_weakest_needs_enough_answers_and_skips_perfect_topics() -> None:
    rows = {
        "a": {"answered": 10, "accuracy": 0.4},
        "b": {"answered": 2, "accuracy": 0.0},   # too few answers to judge
        "c": {"answered": 5, "accuracy": 1.0},   # perfect: not weak
        "d": {"answered": 8, "accuracy": 0.7},
        "e": {"answered": 9, "accuracy": 0.2},
        "f": {"answered": 9, "accuracy": 0.9},
    }
    assert weakest(rows) == ["e", "a", "d"]


def test_kata_status_lists_registry_katas_in_order_then_unknown_ones(store: Store) -> None:
    store.record_kata_attempt(kata="lstm", passed=False, seed=1, failing_tests=["t"], diagnosis=[], now=NOW)
    store.record_kata_attempt(kata="lstm", passed=True, seed=2, failing_tests=[], diagnosis=[], now=NOW)
    store.record_kata_attempt(kata="gru", passed=False, seed=3, failing_tests=["t"], diagnosis=[], now=NOW)
    store.record_kata_attempt(kata="retired", passed=False, seed=4, failing_tests=[], diagnosis=[], now=NOW)
    katas = compute_stats(store, topics={}, katas=["rnn_cell", "lstm", "gru"], now=NOW)["katas"]
    assert list(katas) == ["rnn_cell", "lstm", "gru", "retired"]
    assert katas["rnn_cell"] == {"status": "not started", "attempts": 0, "last_attempt": None}
    assert (katas["lstm"]["status"], katas["lstm"]["attempts"]) == ("passed", 2)
    assert katas["gru"]["status"] == "failing"


def test_kata_names_are_the_registrys_learning_path() -> None:
    from rnnprep import registry

    assert kata_names() == registry.default().names()
    assert kata_names()[0] == "rnn_cell"


@pytest.mark.parametrize(("fraction", "unicode", "expected"), [
    (0.0, True, " " * 10), (1.0, True, "█" * 10), (0.55, True, "█████▌    "),
    (None, True, " " * 10), (0.5, False, "#####....."), (1.7, False, "#" * 10),
])
def test_bar(fraction: float | None, unicode: bool, expected: str) -> None:
    assert bar(fraction, unicode=unicode) == expected


def test_render_shows_headline_topics_weakest_and_katas(store: Store) -> None:
    for minute in range(4):
        answer(store, "gru.q1", minute == 0, NOW - timedelta(minutes=minute))
    answer(store, "lstm.q1", True, NOW)
    store.record_kata_attempt(kata="lstm", passed=True, seed=1, failing_tests=[], diagnosis=[], now=NOW)
    stats = compute_stats(store, topics=TOPICS, katas=["rnn_cell", "lstm"], now=NOW, tz=timezone.utc)
    text = render_stats(stats, plain)
    assert text.splitlines()[0].startswith("5 answered, 40% correct, streak 1 day,")
    assert "Weakest: gru (25%)" in text
    gru_line = next(line for line in text.splitlines() if line.startswith("gru "))
    assert "██▌" in gru_line and "25%" in gru_line
    assert any(line.split()[:3] == ["rnn_cell", "not", "started"] for line in text.splitlines())
    ascii_text = render_stats(stats, plain, unicode=False)
    assert "█" not in ascii_text and "###" in ascii_text


def test_render_with_no_answers_points_to_the_quiz(store: Store) -> None:
    stats = compute_stats(store, topics=TOPICS, katas=[], now=NOW)
    assert render_stats(stats, plain).startswith("No answers yet: start with `rnnprep quiz`.")


def test_gather_turns_broken_content_into_warnings(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dict[str, tuple[str, int]]:
        raise BankError("questions/lstm.yaml:3 [lstm.q1]: missing field 'prompt'")

    monkeypatch.setattr("rnnprep.stats.shipped_questions", broken)
    monkeypatch.setattr("rnnprep.stats.kata_names", lambda: ["rnn_cell"])
    answer(store, "lstm.q1", True, NOW)
    stats, warnings = gather(store, now=NOW)
    assert stats["answered"] == 1 and stats["by_topic"]["lstm"]["questions"] == 1
    assert list(stats["katas"]) == ["rnn_cell"]
    assert len(warnings) == 1 and "questions/lstm.yaml:3" in warnings[0]


def test_a_question_whose_rev_changed_is_neither_due_nor_mastered(store: Store) -> None:
    for day in range(8):  # enough right answers for a long stability
        store.record_review("lstm.q1", topic="lstm", rev=1, answer="a", correct=True,
                            response_time=1.0, now=NOW - timedelta(days=400 - 50 * day))
    later = NOW + timedelta(days=3650)  # long after: the card is due
    before = compute_stats(store, topics=TOPICS, katas=[], now=later, revs={"lstm.q1": 1})
    assert before["by_topic"]["lstm"]["due_now"] == 1
    after = compute_stats(store, topics=TOPICS, katas=[], now=later, revs={"lstm.q1": 2})
    assert after["by_topic"]["lstm"]["due_now"] == 0 and after["by_topic"]["lstm"]["mastered"] == 0
    assert after["by_topic"]["lstm"]["answered"] == 8  # the history itself is kept
