"""FSRS scheduling through the store, with fixed clocks (no sleeping)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import pytest

import rnnprep
from rnnprep.store import Store
from rnnprep.store.scheduling import advance, replay, utc

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "progress.sqlite3") as opened:
        yield opened


def review_when_due(store: Store, qid: str, outcomes: list[bool]) -> list[timedelta]:
    """Answer `qid` each time it falls due; return the interval granted after each answer."""
    now, intervals = T0, []
    for correct in outcomes:
        store.record_review(qid, topic="rnn", rev=1, answer="x", correct=correct,
                            response_time=1.0, now=now)
        card = store.card(qid)
        assert card is not None
        intervals.append(card.due - now)
        now = card.due
    return intervals


def test_right_answers_push_the_next_review_further_each_time(store: Store) -> None:
    intervals = review_when_due(store, "q", [True] * 6)
    assert intervals[0] == timedelta(minutes=10)  # fsrs learning step after a first Good
    graduated = intervals[1:]
    assert all(later > earlier for earlier, later in pairwise(graduated))
    assert graduated[-1] > timedelta(days=30)


def test_a_wrong_answer_brings_the_question_back_within_minutes(store: Store) -> None:
    review_when_due(store, "q", [True] * 4)
    before = store.card("q")
    assert before is not None
    wrong_at = before.due
    store.record_review("q", topic="rnn", rev=1, answer="x", correct=False, response_time=1.0,
                        now=wrong_at)
    after = store.card("q")
    assert after is not None
    assert after.due - wrong_at <= timedelta(minutes=10)
    assert after.stability < before.stability
    assert store.plan([("q", 1)], mode="review", now=wrong_at + timedelta(minutes=10)) == ["q"]


def test_first_answer_wrong_is_due_again_after_one_minute(store: Store) -> None:
    assert review_when_due(store, "q", [False])[0] == timedelta(minutes=1)


def test_scheduling_is_deterministic_so_a_replay_rebuilds_the_same_card(store: Store) -> None:
    review_when_due(store, "q", [True, False, True, True, False, True, True])
    live = store.card("q")
    with store.transaction():
        store.connection.execute("DELETE FROM cards")
        store.rebuild_card("q")
    assert store.card("q") == live


def test_replay_restarts_when_rev_changes() -> None:
    history = [("rnn", 1, 3, T0), ("rnn", 1, 3, T0 + timedelta(days=1)),
               ("rnn", 2, 1, T0 + timedelta(days=2))]
    card = replay("q", history)
    fresh = advance(None, question_id="q", topic="rnn", rev=2, rating=1,
                    now=T0 + timedelta(days=2))
    assert card == fresh


def test_utc_converts_aware_times_and_defaults_to_now() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert utc(datetime(2025, 3, 1, 18, 0, tzinfo=tokyo)) == T0
    assert utc(None).tzinfo == timezone.utc


def test_importing_the_store_loads_neither_fsrs_nor_numpy_nor_torch() -> None:
    code = ("import sys, rnnprep.store, rnnprep.cli.stats, rnnprep.cli.progress; "
            "print(sorted(m for m in ('fsrs', 'numpy', 'torch') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(Path(rnnprep.__file__).parent.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.strip() == "[]"


def test_a_rating_moves_the_card_as_fsrs_says(store: Store) -> None:
    for rating, qid in ((2, "hard"), (3, "good"), (4, "easy")):
        store.record_review(qid, topic="rnn", rev=1, answer="x", correct=True, rating=rating,
                            response_time=1.0, now=T0)
    dues = [store.card(q).due for q in ("hard", "good", "easy")]
    assert dues[0] < dues[1] < dues[2]


def test_an_override_counts_the_answer_right_and_rebuilds_the_card(store: Store) -> None:
    uid = store.record_review("q", topic="rnn", rev=1, answer="x", correct=False, response_time=1.0, now=T0)
    wrong_due = store.card("q").due
    store.amend_review(uid, rating=3, overridden=True)
    review = store.reviews()[-1]
    assert review["correct"] is True and review["overridden"] is True and review["rating"] == 3
    assert store.card("q").due > wrong_due
    good = advance(None, question_id="q", topic="rnn", rev=1, rating=3, now=T0)
    assert store.card("q") == good


def test_new_questions_started_today_and_the_forecast(store: Store) -> None:
    for qid in ("a", "b"):
        store.record_review(qid, topic="rnn", rev=1, answer="x", correct=True, response_time=1.0, now=T0)
    store.record_review("a", topic="rnn", rev=1, answer="x", correct=True, response_time=1.0,
                        now=T0 + timedelta(hours=1))
    assert store.new_started_today(T0 + timedelta(hours=2), tz=timezone.utc) == 2
    assert store.new_started_today(T0 + timedelta(days=1, hours=2), tz=timezone.utc) == 0
    forecast = store.due_forecast(7, T0, tz=timezone.utc)
    assert len(forecast) == 7 and sum(forecast) == 2
