"""Turn a bank question into one concrete ask: params drawn, choices shuffled, texts rendered."""

from __future__ import annotations

import re
from random import Random
from typing import Any

from rnnprep.bank import Question
from rnnprep.bank.types import TYPES, Asked


def ask(question: Question, rng: Random) -> Asked:
    """Draw params (if any), shuffle what the type shuffles, compute the truth, render the texts."""
    params = {name: spec.draw(rng) for name, spec in question.params.items()}
    kind = TYPES[question.type]
    truth, order = kind.prepare(question, params, rng)
    draft = Asked(question, params, question.prompt, question.explanation, question.hints, truth, order)
    values = {**params, "answer": kind.describe(draft)}
    return Asked(
        question=question,
        params=params,
        prompt=render(question.prompt, values),
        explanation=render(question.explanation, values),
        hints=tuple(render(hint, values) for hint in question.hints),
        truth=truth,
        order=order,
    )


def render(text: str, values: dict[str, Any]) -> str:
    """Fill `{NAME}` for the given names; other braces (`h_{t-1}`) stay as written, `{{`/`}}` are escapes."""

    def fill(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(fill, text)


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
