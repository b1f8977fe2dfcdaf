"""The quiz: pick questions, ask them, mark, explain, record and summarise.

Library API (the CLI only parses options and calls `run`):
    run(QuizOptions(...), console, store) -> Summary
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING

from rnnprep.bank import Question, load_questions
from rnnprep.bank.model import DIFFICULTIES
from rnnprep.bank.types import Asked, Mark
from rnnprep.quiz.selection import Filters, select, topics_of
from rnnprep.quiz.session import Console, Summary, run_quiz

if TYPE_CHECKING:
    from rnnprep.store import Store

__all__ = ["Console", "Filters", "QuizOptions", "Summary", "plan_questions", "run", "topic_counts"]

NEW_PER_DAY = 20  # new questions a day by default, as Anki's new cards/day


@dataclass(frozen=True)
class QuizOptions:
    """Everything `rnnprep quiz` was asked to do."""

    filters: Filters = field(default_factory=Filters)
    count: int | None = 10
    seed: int | None = None
    banks: tuple[Path, ...] = ()
    mode: str = "default"  # default | new | review | all
    new_per_day: int = NEW_PER_DAY


def topic_counts(banks: tuple[Path, ...] = ()) -> dict[str, int]:
    """Topic -> number of questions, for `--list-topics`."""
    return topics_of(load_questions(banks))


def gently(questions: list[Question]) -> list[Question]:
    """New questions easy first, then medium, then hard (the given order within each)."""
    rank = {difficulty: i for i, difficulty in enumerate(DIFFICULTIES)}
    return sorted(questions, key=lambda q: rank.get(q.difficulty, len(rank)))


def plan_questions(options: QuizOptions, store: Store | None, now: datetime) -> tuple[list[Question], str]:
    """The questions to ask, in order, and a note when the schedule leaves none or few."""
    rng = Random(options.seed)
    candidates = select(load_questions(options.banks), options.filters, rng)
    if not candidates:
        return [], "No questions match these filters."
    mode = "all" if options.filters.ids or store is None else options.mode
    note = ""
    if mode != "all":
        assert store is not None
        by_id = {q.id: q for q in candidates}
        planned = store.plan([(q.id, q.rev) for q in candidates], mode=mode, now=now)
        due = [by_id[qid] for qid in store.plan([(q.id, q.rev) for q in candidates], mode="review", now=now)]
        fresh = gently([by_id[qid] for qid in planned if by_id[qid] not in due])
        due = due if mode != "new" else []
        started = store.new_started_today(now)
        room = max(0, options.new_per_day - started)
        wanted = len(fresh) if options.count is None else max(0, options.count - len(due))
        if len(fresh) > room and options.filters.difficulties == ():
            if min(wanted, len(fresh)) > room:  # the limit, not the count, is what holds questions back
                note = (f"New questions are limited to {options.new_per_day} a day (--new-per-day): {started} "
                        f"started today, so {room} more today; more tomorrow, or pass a higher limit.")
            fresh = fresh[:room]
        candidates = due + fresh
        if not candidates:
            return [], note or _nothing_due(store, list(by_id), mode)
    count = options.count if options.count is not None else len(candidates)
    return candidates[:count], note


def _nothing_due(store: Store, ids: list[str], mode: str) -> str:
    """Say when the next review is, and how to practise anyway."""
    if mode == "new":
        return "You have seen every question that matches; try --review or --all."
    upcoming = store.next_due(ids)
    when = f" The next review is due {upcoming:%Y-%m-%d %H:%M} UTC." if upcoming else ""
    return f"Nothing is due for review.{when} Use --all to practise anyway, or --new for unseen questions."


class StoreRecorder:
    """Saves every answer the moment it is marked; applies :r/:h/:e to saved answers."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, asked: Asked, answer: str, mark: Mark, seconds: float) -> str | None:
        question = asked.question
        return self.store.record_review(question.id, topic=question.topic, rev=question.rev, answer=answer,
                                        correct=mark.correct, rating=mark.rating, response_time=seconds)  # fmt: skip

    def adjust(self, answer_id: str, rating: int, overridden: bool) -> None:
        self.store.amend_review(answer_id, rating=rating, overridden=overridden)


def run(options: QuizOptions, console: Console, store: Store | None) -> Summary | None:
    """Run one quiz; every marked answer is committed to `store` the moment it is marked."""
    now = datetime.now(timezone.utc)
    questions, note = plan_questions(options, store, now)
    if note:
        console.show(note)
    if not questions:
        return None
    # Params and choice orders come from their own stream: --seed fixes them apart from selection.
    return run_quiz(questions, console, Random(options.seed), StoreRecorder(store) if store is not None else None)
