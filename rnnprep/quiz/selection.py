"""Choose which questions a quiz asks, from the filters the learner gave."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random

from rnnprep.bank import Question
from rnnprep.errors import RnnprepError


@dataclass(frozen=True)
class Filters:
    """The quiz's filter options; empty means 'any'."""

    topics: tuple[str, ...] = ()
    difficulties: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


def topics_of(questions: Sequence[Question]) -> dict[str, int]:
    """Topic -> number of questions, in first-seen order."""
    counts: dict[str, int] = {}
    for question in questions:
        counts[question.topic] = counts.get(question.topic, 0) + 1
    return counts


def _unknown(kind: str, option: str, wanted: Sequence[str], known: Sequence[str]) -> None:
    """Raise a clear error when an option names something that does not exist."""
    for value in wanted:
        if value not in known:
            close = difflib.get_close_matches(value, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            listing = f" Known {kind}s: {', '.join(known)}." if len(known) <= 12 else ""
            raise RnnprepError(f"{option} {value!r}: no such {kind}.{hint}{listing}")


def select(questions: Sequence[Question], filters: Filters, rng: Random) -> list[Question]:
    """The questions matching every filter, shuffled with `rng` (ids keep the order given)."""
    _unknown("topic", "--topic", filters.topics, list(topics_of(questions)))
    _unknown("question id", "--id", filters.ids, [q.id for q in questions])
    if filters.ids:
        by_id = {q.id: q for q in questions}
        return [by_id[qid] for qid in dict.fromkeys(filters.ids)]
    chosen = [
        q
        for q in questions
        if (not filters.topics or q.topic in filters.topics)
        and (not filters.difficulties or q.difficulty in filters.difficulties)
        and (not filters.types or q.type in filters.types)
    ]
    rng.shuffle(chosen)
    return chosen
