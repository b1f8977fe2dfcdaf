"""The in-memory form of a question bank: plain frozen dataclasses, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random
from typing import Any

SCHEMA = "rnnprep/v1"
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Choice:
    """One option of an mcq/multi question."""

    text: str
    feedback: str | None = None


@dataclass(frozen=True)
class Tolerance:
    """How far a numeric answer may be from the truth."""

    absolute: float = 0.0
    relative: float = 1e-9

    def accepts(self, given: float, truth: float) -> bool:
        """True when `given` is within the tolerance of `truth`."""
        return abs(given - truth) <= max(self.absolute, self.relative * abs(truth))


@dataclass(frozen=True)
class ParamSpec:
    """Where a param's value is drawn from: an inclusive integer range or a list."""

    low: int = 0
    high: int = 0
    choices: tuple[int | float, ...] = ()

    def draw(self, rng: Random) -> int | float:
        """One value, uniformly."""
        return rng.choice(self.choices) if self.choices else rng.randint(self.low, self.high)

    def extremes(self) -> tuple[int | float, int | float]:
        """The smallest and largest value (the cases lint and tests always try)."""
        if self.choices:
            return min(self.choices), max(self.choices)
        return self.low, self.high


@dataclass(frozen=True)
class Question:
    """One question, as written in a bank (params not yet drawn)."""

    id: str
    topic: str
    difficulty: str
    type: str
    prompt: str
    explanation: str
    source: str = "<memory>"
    line: int = 0
    bank: str = ""
    rev: int = 1
    tags: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    answer: Any = None
    accept: tuple[str, ...] = ()
    regex: str | None = None
    fuzzy: float | None = None
    items: tuple[str, ...] = ()
    params: dict[str, ParamSpec] = field(default_factory=dict)
    expr: str | None = None
    tolerance: Tolerance = field(default_factory=Tolerance)
    check: str | None = None
    shuffle: bool = True  # mcq/multi: False pins the written order ("all of the above")
    phrasings_right: tuple[str, ...] = ()  # short: answers the content tests require to pass
    phrasings_wrong: tuple[str, ...] = ()  # short: near misses the content tests require to fail
    model_answer: str | None = None  # open: what a strong answer says
    key_points: tuple[str, ...] = ()  # open: the points the learner ticks off

    @property
    def where(self) -> str:
        """`file:line` of the question, for messages."""
        return f"{self.source}:{self.line}"


@dataclass(frozen=True)
class Bank:
    """A whole bank file."""

    id: str
    title: str
    version: int
    path: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bank, located by file, line and question id."""

    path: str
    line: int
    question_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        who = f" [{self.question_id}]" if self.question_id else ""
        return f"{where}{who}: {self.message}"
