"""The progress store: every graded answer and kata attempt, and each question's FSRS card."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from rnnprep.errors import StoreError
from rnnprep.status import FAILING, PASSED
from rnnprep.store import schema
from rnnprep.store.scheduling import CardState, advance, from_text, rating_of, replay, to_text, utc

PLAN_MODES = ("default", "new", "review", "all")


@dataclass(frozen=True)
class KataStatus:
    """What the store knows of one kata: `last_passed` is the outcome of the latest attempt."""

    kata: str
    attempts: int
    passed: bool
    last_attempt: datetime
    last_passed: bool

    @property
    def status(self) -> str:
        """PASSED once any attempt passed, else FAILING (NOT_STARTED has no KataStatus)."""
        return PASSED if self.passed else FAILING


class Store:
    """An open progress store; each write is one short transaction committed at once."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.connection = connection

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open or create the store at `path` (WAL, busy timeout, migrations); StoreError if unusable."""
        path = Path(path)
        return cls(path, schema.connect(path))

    @classmethod
    def open_for_reading(cls, path: Path) -> Store:
        """A read-only view (an in-memory copy): for stats and export, never written back."""
        path = Path(path)
        return cls(path, schema.connect_for_reading(path))

    def close(self) -> None:
        """Close the connection (every write is already committed)."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the lock up front so concurrent writers wait.

        A failed write (locked beyond the busy timeout, disk full, read-only) is a StoreError.
        """
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            raise StoreError(f"Could not save to the progress store {self.path} ({error}). "
                             f"{schema.access_advice(self.path)}") from error
        except sqlite3.ProgrammingError:
            raise  # our misuse of the connection, not a damaged file: never tell the user to reset
        except sqlite3.DatabaseError as error:
            raise StoreError(f"The progress store {self.path} is damaged ({error}); your answer could "
                             f"not be saved. {schema.RESET_ADVICE}") from error

    # --- answers and scheduling -------------------------------------------------------

    def record_review(
        self, question_id: str, *, topic: str, rev: int, answer: str, correct: bool,
        response_time: float, rating: int | None = None, now: datetime | None = None,
    ) -> str:
        """Save one graded answer and move the question's FSRS card; returns the answer's uid.

        ``rating`` defaults to Good for a right answer and Again for a wrong one.
        """
        uid = _new_uid()
        with self.transaction() as conn:
            # the clock is read under the write lock, so time order is commit order
            moment = utc(now)
            previous = self.card(question_id)
            score = rating_of(correct, rating)
            card = advance(previous, question_id=question_id, topic=topic, rev=rev,
                           rating=score, now=moment)
            conn.execute(
                "INSERT INTO reviews (uid, question_id, topic, rev, reviewed_at, answer, correct,"
                " response_time, rating) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (uid, question_id, topic, rev, to_text(moment), answer,
                 int(correct), float(response_time), score),
            )
            self.save_card(card)
        return uid

    def amend_review(self, uid: str, *, rating: int, overridden: bool = False) -> None:
        """Change a saved answer's rating ("I was right" sets overridden and counts it right),
        then rebuild its question's card from all its answers."""
        with self.transaction() as conn:
            row = conn.execute("SELECT question_id, correct FROM reviews WHERE uid = ?", (uid,)).fetchone()
            if row is None:
                raise StoreError(f"No saved answer {uid} to change in {self.path}.")
            question_id, correct = row
            conn.execute(
                "UPDATE reviews SET rating = ?, correct = ?, overridden = ? WHERE uid = ?",
                (int(rating), 1 if overridden else int(correct), int(overridden), uid),
            )
            self.rebuild_card(question_id)

    def rebuild_card(self, question_id: str) -> None:
        """Replay a question's answers (in time order) into its card (inside `transaction()`)."""
        rows = self.connection.execute(
            "SELECT topic, rev, correct, rating, reviewed_at FROM reviews WHERE question_id = ?"
            " ORDER BY reviewed_at, id", (question_id,),
        ).fetchall()
        card = replay(question_id, ((topic, rev, rating_of(bool(correct), rating), from_text(at))
                                    for topic, rev, correct, rating, at in rows))
        if card is not None:
            self.save_card(card)

    def card(self, question_id: str) -> CardState | None:
        """The stored FSRS card of a question, or None if it was never answered."""
        row = self.connection.execute(
            "SELECT question_id, topic, rev, state, step, stability, difficulty, due, last_review"
            " FROM cards WHERE question_id = ?", (question_id,),
        ).fetchone()
        return _card_from_row(row) if row else None

    def cards(self) -> list[CardState]:
        """Every stored card."""
        rows = self.connection.execute(
            "SELECT question_id, topic, rev, state, step, stability, difficulty, due, last_review"
            " FROM cards ORDER BY question_id"
        ).fetchall()
        return [_card_from_row(row) for row in rows]

    def save_card(self, card: CardState) -> None:
        """Insert or replace a card (call inside `transaction()`)."""
        self.connection.execute(
            "INSERT OR REPLACE INTO cards (question_id, topic, rev, state, step, stability,"
            " difficulty, due, last_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (card.question_id, card.topic, card.rev, card.state, card.step, card.stability,
             card.difficulty, to_text(card.due),
             to_text(card.last_review) if card.last_review else None),
        )

    def plan(
        self, questions: Sequence[tuple[str, int]], *, mode: str = "default",
        now: datetime | None = None,
    ) -> list[str]:
        """Order candidate (id, rev) pairs for a quiz.

        "default": due reviews (most overdue first), then new ones (never answered, or
        `rev` changed) in the given order; "new": only new; "review": only due;
        "all": every candidate in the given order.
        """
        if mode not in PLAN_MODES:
            raise ValueError(f"unknown plan mode {mode!r}; expected one of {PLAN_MODES}")
        if mode == "all":
            return [question_id for question_id, _ in questions]
        moment = to_text(utc(now))
        known = {row[0]: (row[1], row[2]) for row in
                 self.connection.execute("SELECT question_id, rev, due FROM cards")}
        new: list[str] = []
        due: list[tuple[str, str]] = []
        for question_id, rev in questions:
            stored = known.get(question_id)
            if stored is None or stored[0] != rev:
                new.append(question_id)
            elif stored[1] <= moment:
                due.append((stored[1], question_id))
        due_ids = [question_id for _, question_id in sorted(due, key=lambda pair: pair[0])]
        return {"default": due_ids + new, "new": new, "review": due_ids}[mode]

    def new_started_today(self, now: datetime | None = None, tz: tzinfo | None = None) -> int:
        """How many questions were answered for the first time today (local day, or tz's)."""
        moment = utc(now).astimezone(tz) if tz is not None else utc(now).astimezone()
        start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        row = self.connection.execute(
            "SELECT count(*) FROM (SELECT question_id FROM reviews GROUP BY question_id"
            " HAVING min(reviewed_at) >= ?)", (to_text(start),),
        ).fetchone()
        return int(row[0])

    def due_forecast(self, days: int = 7, now: datetime | None = None, tz: tzinfo | None = None) -> list[int]:
        """Cards due on each of the next `days` local days; day 0 includes everything overdue."""
        moment = utc(now).astimezone(tz) if tz is not None else utc(now).astimezone()
        start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        counts = [0] * days
        for (due,) in self.connection.execute("SELECT due FROM cards"):
            offset = (from_text(due).astimezone(start.tzinfo).date() - start.date()).days
            if offset < days:
                counts[max(0, offset)] += 1
        return counts

    def next_due(self, question_ids: Iterable[str]) -> datetime | None:
        """The earliest due time among these questions' cards (None if none was answered)."""
        wanted = set(question_ids)
        dues = [due for question_id, due in
                self.connection.execute("SELECT question_id, due FROM cards")
                if question_id in wanted]
        return from_text(min(dues)) if dues else None

    def reviews(self) -> list[dict[str, object]]:
        """Every graded answer, oldest first, as plain dicts (times as datetimes)."""
        rows = self.connection.execute(
            "SELECT uid, question_id, topic, rev, reviewed_at, answer, correct, response_time,"
            " rating, overridden FROM reviews ORDER BY reviewed_at, id"
        ).fetchall()
        return [
            {"uid": uid, "question_id": qid, "topic": topic, "rev": rev,
             "reviewed_at": from_text(at), "answer": answer, "correct": bool(correct),
             "response_time": response_time, "rating": rating_of(bool(correct), rating),
             "overridden": bool(overridden)}
            for uid, qid, topic, rev, at, answer, correct, response_time, rating, overridden in rows
        ]

    # --- katas ---------------------------------------------------------------------

    def record_kata_attempt(
        self, *, kata: str, passed: bool, seed: int, failing_tests: list[str],
        diagnosis: list[str], now: datetime | None = None,
    ) -> None:
        """Save one `kata --check` outcome: the seed, the failing tests and diagnosis ids."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO kata_attempts (uid, kata, attempted_at, passed, seed, failing_tests,"
                " diagnosis) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_new_uid(), kata, to_text(utc(now)), int(passed), seed,
                 json.dumps(list(failing_tests)), json.dumps(list(diagnosis))),
            )

    def kata_attempts(self) -> list[dict[str, object]]:
        """Every kata attempt, oldest first, as plain dicts (times as datetimes)."""
        rows = self.connection.execute(
            "SELECT uid, kata, attempted_at, passed, seed, failing_tests, diagnosis"
            " FROM kata_attempts ORDER BY attempted_at, id"
        ).fetchall()
        return [
            {"uid": uid, "kata": kata, "attempted_at": from_text(at), "passed": bool(passed),
             "seed": seed, "failing_tests": json.loads(failing), "diagnosis": json.loads(diag)}
            for uid, kata, at, passed, seed, failing, diag in rows
        ]

    def kata_status(self) -> dict[str, KataStatus]:
        """Per attempted kata: attempts, passed ever, time and outcome of the latest attempt."""
        status: dict[str, KataStatus] = {}
        for attempt in self.kata_attempts():  # oldest first: the last one seen is the latest
            name = str(attempt["kata"])
            before = status.get(name)
            passed = bool(attempt["passed"])
            status[name] = KataStatus(
                kata=name,
                attempts=(before.attempts if before else 0) + 1,
                passed=passed or (before.passed if before else False),
                last_attempt=attempt["attempted_at"],  # type: ignore[arg-type]
                last_passed=passed,
            )
        return status


def _new_uid() -> str:
    """A random id that makes a row unique across machines (os.urandom: uuid imports `platform`)."""
    return os.urandom(16).hex()


def _card_from_row(row: tuple) -> CardState:
    """A `cards` row as a CardState."""
    question_id, topic, rev, state, step, stability, difficulty, due, last_review = row
    return CardState(
        question_id=question_id, topic=topic, rev=rev, state=state, step=step,
        stability=stability, difficulty=difficulty, due=from_text(due),
        last_review=from_text(last_review) if last_review else None,
    )
