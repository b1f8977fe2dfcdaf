"""Parse and grade one answer, for every question type."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from rnnprep.bank.expr import ExprError, evaluate
from rnnprep.quiz.asking import Asked, describe

TRUE_WORDS = {"t", "true", "y", "yes"}
FALSE_WORDS = {"f", "false", "n", "no"}


class InvalidAnswer(ValueError):
    """The text is not an answer to this question; the message says how to answer."""


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer and what to tell the learner."""

    correct: bool
    expected: str
    feedback: tuple[str, ...] = field(default_factory=tuple)


def grade(asked: Asked, text: str) -> Verdict:
    """Grade `text` as an answer to `asked`; raises InvalidAnswer if it is not one."""
    kind = asked.question.type
    given = _PARSERS[kind](asked, text)
    correct, feedback = _JUDGES[kind](asked, given)
    return Verdict(correct, describe(asked.question, asked.truth), tuple(feedback))


def _letters(asked: Asked, text: str) -> list[str]:
    """Letters typed as `a,c`, `a c`, `ac` or `(a)`."""
    cleaned = re.sub(r"[\s,;()\[\]]+", "", text.lower())
    if not cleaned or any(ch not in asked.letters for ch in cleaned):
        span = f"{asked.letters[0]}-{asked.letters[-1]}"
        raise InvalidAnswer(f"Answer with letters {span}.")
    return list(cleaned)


def _parse_mcq(asked: Asked, text: str) -> str:
    letters = _letters(asked, text.rstrip(").").strip())
    if len(letters) != 1:
        raise InvalidAnswer(f"Pick one letter, {asked.letters[0]}-{asked.letters[-1]}.")
    return letters[0]


def _parse_multi(asked: Asked, text: str) -> frozenset[str]:
    letters = _letters(asked, text)
    if len(set(letters)) != len(letters):
        raise InvalidAnswer("Each letter once, e.g. a,c.")
    return frozenset(letters)


def _parse_truefalse(asked: Asked, text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidAnswer("Answer t (true) or f (false).")


def _parse_numeric(asked: Asked, text: str) -> float:
    # 1,024 and 1_024 are thousands; arithmetic such as 4*32*(10+32+2) is welcome.
    cleaned = re.sub(r"(?<=\d)[,_](?=\d{3}\b)", "", text.strip())
    try:
        value = evaluate(cleaned, {})
    except (ExprError, RecursionError):
        raise InvalidAnswer("Type a number, e.g. 1024, 0.25, 1e-3 or 4*32*(10+32+2).") from None
    if isinstance(value, tuple):
        raise InvalidAnswer("Type a single number, not a list.")
    return value


def _parse_shape(asked: Asked, text: str) -> tuple[int, ...]:
    cleaned = re.sub(r"torch\.size|[()\[\]]", " ", text.strip().lower())
    parts = [p for p in re.split(r"[\s,x×]+", cleaned) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise InvalidAnswer("Type a shape, e.g. (4, 10, 32) or 4,10,32.")
    return tuple(int(p) for p in parts)


def _parse_order(asked: Asked, text: str) -> str:
    letters = _letters(asked, text)
    if sorted(letters) != list(asked.letters):
        raise InvalidAnswer(f"Use every letter {asked.letters[0]}-{asked.letters[-1]} once, e.g. {asked.letters[::-1]}.")
    return "".join(letters)


def normalise(text: str) -> str:
    """Case-folded, whitespace collapsed, quotes and a final full stop removed."""
    text = re.sub(r"\s+", " ", str(text)).strip().strip("`'\"").rstrip(".").strip()
    return text.casefold()


def _parse_short(asked: Asked, text: str) -> str:
    if not normalise(text):
        raise InvalidAnswer("Type a short answer (s skips, ? shows a hint).")
    return text


def _judge_mcq(asked: Asked, given: str) -> tuple[bool, list[str]]:
    if given == asked.truth:
        return True, []
    feedback = asked.question.choices[ord(given) - 97].feedback
    return False, [feedback] if feedback else []


def _judge_multi(asked: Asked, given: frozenset[str]) -> tuple[bool, list[str]]:
    if given == asked.truth:
        return True, []
    choices = asked.question.choices
    notes = [f"{letter}) {choices[ord(letter) - 97].feedback}"
             for letter in sorted(given - asked.truth) if choices[ord(letter) - 97].feedback]
    missed = sorted(asked.truth - given)
    if missed:
        notes.append(f"You left out: {', '.join(missed)}.")
    return False, notes


def _judge_equal(asked: Asked, given: Any) -> tuple[bool, list[str]]:
    return given == asked.truth, []


def _judge_numeric(asked: Asked, given: float) -> tuple[bool, list[str]]:
    return asked.question.tolerance.accepts(given, asked.truth), []


def _judge_shape(asked: Asked, given: tuple[int, ...]) -> tuple[bool, list[str]]:
    if given == asked.truth:
        return True, []
    if len(given) != len(asked.truth):
        plural = "s" if len(given) != 1 else ""
        return False, [f"That has {len(given)} dimension{plural}; the answer has {len(asked.truth)}."]
    return False, []


def _judge_short(asked: Asked, given: str) -> tuple[bool, list[str]]:
    question = asked.question
    answer = normalise(given)
    accepted = [normalise(a) for a in question.accept]
    if answer in accepted:
        return True, []
    if question.regex and re.fullmatch(question.regex, answer, flags=re.IGNORECASE):
        return True, []
    if question.fuzzy and accepted:
        best = max(difflib.SequenceMatcher(None, answer, a).ratio() for a in accepted)
        if best >= question.fuzzy:
            return True, ["Accepted; mind the spelling."]
    return False, []


_PARSERS = {
    "mcq": _parse_mcq,
    "multi": _parse_multi,
    "truefalse": _parse_truefalse,
    "numeric": _parse_numeric,
    "shape": _parse_shape,
    "short": _parse_short,
    "order": _parse_order,
}

_JUDGES = {
    "mcq": _judge_mcq,
    "multi": _judge_multi,
    "truefalse": _judge_equal,
    "numeric": _judge_numeric,
    "shape": _judge_shape,
    "short": _judge_short,
    "order": _judge_equal,
}
