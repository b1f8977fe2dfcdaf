"""The quiz: pick questions, ask them, grade, explain, record and summarise.

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
from rnnprep.quiz.asking import Asked
from rnnprep.quiz.grading import Verdict
from rnnprep.quiz.selection import Filters, select, topics_of
from rnnprep.quiz.session import Console, Summary, run_quiz

if TYPE_CHECKING:
    from rnnprep.store import Store

__all__ = ["Console", "Filters", "QuizOptions", "Summary", "plan_questions", "run", "topic_counts"]


@dataclass(frozen=True)
class QuizOptions:
    """Everything `rnnprep quiz` was asked to do."""

    filters: Filters = field(default_factory=Filters)
    count: int | None = 10
    seed: int | None = None
    banks: tuple[Path, ...] = ()
    mode: str = "default"  # default | new | review | all


def topic_counts(banks: tuple[Path, ...] = ()) -> dict[str, int]:
    """Topic -> number of questions, for `--list-topics`."""
    return topics_of(load_questions(banks))


def plan_questions(options: QuizOptions, store: Store | None, now: datetime) -> tuple[list[Question], str]:
    """The questions to ask, in order, and a note when the schedule leaves none."""
    rng = Random(options.seed)
    # Open questions need the self-rating flow of the quiz issue; until then they are not asked.
    askable = [q for q in load_questions(options.banks) if q.type != "open"]
    candidates = select(askable, options.filters, rng)
    if not candidates:
        return [], "No questions match these filters."
    mode = "all" if options.filters.ids or store is None else options.mode
    if mode != "all":
        assert store is not None
        by_id = {q.id: q for q in candidates}
        candidates = [by_id[qid] for qid in store.plan([(q.id, q.rev) for q in candidates], mode=mode, now=now)]
        if not candidates:
            return [], _nothing_due(store, list(by_id), mode)
    count = options.count if options.count is not None else len(candidates)
    return candidates[:count], ""


def _nothing_due(store: Store, ids: list[str], mode: str) -> str:
    """Say when the next review is, and how to practise anyway."""
    if mode == "new":
        return "You have seen every question that matches; try --review or --all."
    upcoming = store.next_due(ids)
    when = f" The next review is due {upcoming:%Y-%m-%d %H:%M} UTC." if upcoming else ""
    return f"Nothing is due for review.{when} Use --all to practise anyway, or --new for unseen questions."


def run(options: QuizOptions, console: Console, store: Store | None) -> Summary | None:
    """Run one quiz; every graded answer is committed to `store` the moment it is graded."""
    now = datetime.now(timezone.utc)
    questions, note = plan_questions(options, store, now)
    if not questions:
        console.show(note)
        return None

    def record(asked: Asked, answer: str, verdict: Verdict, seconds: float) -> None:
        if store is not None:
            question = asked.question
            store.record_review(question.id, topic=question.topic, rev=question.rev, answer=answer,
                                correct=verdict.correct, response_time=seconds)

    # Params are drawn from their own stream so --seed fixes them independently of selection.
    return run_quiz(questions, console, Random(options.seed), on_graded=record)
