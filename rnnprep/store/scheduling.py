"""FSRS scheduling of questions, on top of the `fsrs` package (imported only when a card moves).

A card row holds the FSRS state of one question at one `rev`. Each answer carries its
FSRS rating: automatic grading gives Again (1) to a wrong answer and Good (3) to a right
one; the learner may rate a right answer Hard (2) or Easy (4), say "I was right" (Good),
and open questions are self-rated from the key points made. Fuzzing is off so that
replaying a question's reviews (after an import or an amendment) rebuilds exactly the card
the live updates built.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fsrs import Card, Scheduler

# A question counts as mastered once FSRS expects it to be remembered for this long.
MASTERED_STABILITY_DAYS = 21.0


@dataclass(frozen=True)
class CardState:
    """The FSRS state of one question, as stored in the `cards` table."""

    question_id: str
    topic: str
    rev: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


def utc(now: datetime | None) -> datetime:
    """`now` as an aware UTC datetime (the current time when None); naive times are refused."""
    if now is None:
        return datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass a timezone-aware time")
    return now.astimezone(timezone.utc)


def to_text(moment: datetime) -> str:
    """The stored form of a time: fixed-width ISO 8601 UTC, so text order is time order."""
    return utc(moment).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    """The inverse of to_text."""
    return datetime.fromisoformat(text).astimezone(timezone.utc)


@cache
def scheduler() -> Scheduler:
    """The one FSRS scheduler (default parameters, deterministic)."""
    from fsrs import Scheduler

    return Scheduler(enable_fuzzing=False)


AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


def rating_of(correct: bool, rating: int | None = None) -> int:
    """The stored rating, or the automatic one (Good if right, Again if wrong)."""
    if rating in (AGAIN, HARD, GOOD, EASY):
        return int(rating)  # type: ignore[arg-type]
    return GOOD if correct else AGAIN


def advance(
    previous: CardState | None, *, question_id: str, topic: str, rev: int, rating: int,
    now: datetime,
) -> CardState:
    """The card after one rated answer; a missing card or a changed `rev` starts afresh."""
    from fsrs import Rating

    start = previous is None or previous.rev != rev
    card = _new_card(now) if start else _to_fsrs(previous)
    card, _ = scheduler().review_card(card, Rating(rating), review_datetime=utc(now))
    return _from_fsrs(card, question_id=question_id, topic=topic, rev=rev)


def replay(question_id: str, reviews: Iterable[tuple[str, int, int, datetime]]) -> CardState | None:
    """Rebuild a card from its reviews (topic, rev, rating, time), oldest first."""
    card: CardState | None = None
    for topic, rev, rating, moment in reviews:
        card = advance(card, question_id=question_id, topic=topic, rev=rev, rating=rating, now=moment)
    return card


def _new_card(now: datetime) -> Card:
    """A fresh FSRS card (card_id given: fsrs sleeps 1 ms to invent one otherwise)."""
    from fsrs import Card

    return Card(card_id=0, due=utc(now))


def _to_fsrs(state: CardState) -> Card:
    """A stored card as an fsrs.Card."""
    from fsrs import Card, State

    return Card(
        card_id=0,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def _from_fsrs(card: Card, *, question_id: str, topic: str, rev: int) -> CardState:
    """An fsrs.Card as a storable card."""
    return CardState(
        question_id=question_id,
        topic=topic,
        rev=rev,
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=utc(card.due),
        last_review=utc(card.last_review) if card.last_review else None,
    )
