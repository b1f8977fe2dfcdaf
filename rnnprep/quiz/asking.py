"""Turn a bank question into one concrete ask: params drawn, texts rendered, the truth computed."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from random import Random
from typing import Any

from rnnprep.bank import Question
from rnnprep.bank.expr import evaluate


@dataclass(frozen=True)
class Asked:
    """A question as put to the learner this time."""

    question: Question
    params: dict[str, int | float]
    prompt: str
    explanation: str
    hints: tuple[str, ...]
    truth: Any  # letter | frozenset of letters | bool | number | tuple | None (short) | letters (order)
    order: tuple[int, ...] = ()  # for `order`: display position -> index into question.items

    @property
    def letters(self) -> str:
        """The answer letters on offer (choices, or the shuffled items of an order question)."""
        count = len(self.question.choices) or len(self.question.items)
        return string.ascii_lowercase[:count]


def ask(question: Question, rng: Random) -> Asked:
    """Draw params (if any), compute the answer and render the texts."""
    params = {name: spec.draw(rng) for name, spec in question.params.items()}
    truth: Any = evaluate(question.expr, params) if question.expr else question.answer
    order: tuple[int, ...] = ()
    if question.type == "order":
        order = _shuffled(len(question.items), rng)
        truth = "".join(string.ascii_lowercase[order.index(i)] for i in range(len(order)))
    shown_answer = describe(question, truth)
    values = {**params, "answer": shown_answer}
    return Asked(
        question=question,
        params=params,
        prompt=render(question.prompt, values),
        explanation=render(question.explanation, values),
        hints=tuple(render(hint, values) for hint in question.hints),
        truth=truth,
        order=order,
    )


def _shuffled(count: int, rng: Random) -> tuple[int, ...]:
    """A permutation of range(count) that is never the identity (the answer must not be 'abcd')."""
    order = list(range(count))
    while count > 1 and order == sorted(order):
        rng.shuffle(order)
    return tuple(order)


def render(text: str, values: dict[str, Any]) -> str:
    """Fill `{NAME}` for the given names; other braces (`h_{t-1}`) stay as written, `{{`/`}}` are escapes."""

    def fill(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(fill, text)


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def describe(question: Question, truth: Any) -> str:
    """The correct answer as the learner should see it."""
    if question.type == "mcq":
        return f"{truth}) {question.choices[ord(truth) - 97].text}"
    if question.type == "multi":
        return ", ".join(sorted(truth))
    if question.type == "truefalse":
        return "true" if truth else "false"
    if question.type == "numeric":
        return format_number(truth)
    if question.type == "shape":
        return "(" + ", ".join(str(v) for v in truth) + ")"
    if question.type == "short":
        return question.accept[0] if question.accept else f"text matching /{question.regex}/"
    return str(truth)


def format_number(value: float) -> str:
    """Integers without a trailing .0, others with up to 6 significant digits."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"
