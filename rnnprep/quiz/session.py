"""The quiz loop: ask, grade, explain, record, and summarise. Knows nothing of click."""

from __future__ import annotations

import string
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Protocol

from rnnprep.bank import Question
from rnnprep.quiz.asking import Asked, ask, describe
from rnnprep.quiz.grading import InvalidAnswer, Verdict, grade

SKIP = "s"
HINT = "?"
QUIT = "q"


class Console(Protocol):
    """Where the quiz talks to the learner."""

    def show(self, text: str = "") -> None:
        """Print a block of text."""

    def read(self, prompt: str) -> str | None:
        """Read one answer; None at end of input or on Ctrl-C."""

    def style(self, text: str, **styles: object) -> str:
        """Colour text when the terminal allows it."""


OnGraded = Callable[[Asked, str, Verdict, float], None]


@dataclass
class Tally:
    """Answers per topic."""

    answered: int = 0
    correct: int = 0


@dataclass
class Summary:
    """What happened in one quiz."""

    by_topic: dict[str, Tally] = field(default_factory=dict)
    skipped: int = 0
    unasked: int = 0  # questions left when the learner stopped (q, end of input, Ctrl-C)

    @property
    def answered(self) -> int:
        return sum(t.answered for t in self.by_topic.values())

    @property
    def correct(self) -> int:
        return sum(t.correct for t in self.by_topic.values())

    def add(self, topic: str, correct: bool) -> None:
        tally = self.by_topic.setdefault(topic, Tally())
        tally.answered += 1
        tally.correct += int(correct)


def run_quiz(questions: Sequence[Question], console: Console, rng: Random,
             on_graded: OnGraded | None = None) -> Summary:
    """Ask every question in turn; stop cleanly at end of input, Ctrl-C or `q`."""
    summary = Summary()
    for number, question in enumerate(questions, start=1):
        asked = ask(question, rng)
        console.show(format_question(asked, number, len(questions), console))
        outcome = _answer_loop(asked, console, on_graded)
        if outcome is None:
            summary.unasked = len(questions) - number + 1
            break
        if outcome is SKIP:
            summary.skipped += 1
            console.show(console.style("Skipped.", dim=True) + f" Answer: {describe(asked.question, asked.truth)}\n")
            continue
        summary.add(question.topic, outcome.correct)
    console.show(format_summary(summary, console))
    return summary


def _answer_loop(asked: Asked, console: Console, on_graded: OnGraded | None) -> Verdict | str | None:
    """Read until a valid answer, a skip, or the end of input; re-ask on invalid input."""
    hints = list(asked.hints)
    started = time.monotonic()
    while True:
        text = console.read("> ")
        if text is None or text.strip().lower() == QUIT:
            return None
        text = text.strip()
        if text.lower() == SKIP:
            return SKIP
        if text == HINT:
            console.show(console.style(f"Hint: {hints.pop(0)}", fg="cyan") if hints else "No more hints for this question.")
            continue
        try:
            verdict = grade(asked, text)
        except InvalidAnswer as problem:
            console.show(f"{problem} ({HINT} hint, {SKIP} skip, {QUIT} quit)")
            continue
        elapsed = time.monotonic() - started
        if on_graded is not None:
            on_graded(asked, text, verdict, elapsed)  # saved before anything else can go wrong
        console.show(format_verdict(asked, verdict, console))
        return verdict


def format_question(asked: Asked, number: int, total: int, console: Console) -> str:
    """The question block: header, prompt, options and how to answer."""
    question = asked.question
    header = console.style(f"[{number}/{total}] {question.topic} · {question.difficulty} · {question.id}", dim=True)
    lines = [header, console.style(asked.prompt, bold=True)]
    if question.choices:
        lines += [f"  {string.ascii_lowercase[i]}) {choice.text}" for i, choice in enumerate(question.choices)]
    if question.type == "order":
        lines += [f"  {string.ascii_lowercase[pos]}) {question.items[i]}" for pos, i in enumerate(asked.order)]
    lines.append(console.style(_HOW[question.type] + (f", {HINT} hint" if asked.hints else "") + f", {SKIP} skip", dim=True))
    return "\n".join(lines)


_HOW = {
    "mcq": "one letter",
    "multi": "all letters that apply, e.g. a,c",
    "truefalse": "t or f",
    "numeric": "a number",
    "shape": "a shape, e.g. (4, 10, 32)",
    "short": "a word or short phrase",
    "order": "the letters in the right order, e.g. cabd",
}


def format_verdict(asked: Asked, verdict: Verdict, console: Console) -> str:
    """Right/wrong, feedback on what was picked, the answer and the explanation."""
    if verdict.correct:
        lines = [console.style("✓ Correct.", fg="green", bold=True)]
    else:
        lines = [console.style("✗ Not quite.", fg="red", bold=True) + f" Answer: {verdict.expected}"]
    lines += [f"  {note}" for note in verdict.feedback]
    lines.append(asked.explanation)
    if asked.question.references:
        lines.append(console.style("See: " + "; ".join(asked.question.references), dim=True))
    return "\n".join(lines) + "\n"


def format_summary(summary: Summary, console: Console) -> str:
    """Per-topic results; the last line is exactly `Score: X/N`."""
    lines = [console.style("Summary", bold=True)]
    for topic, tally in sorted(summary.by_topic.items()):
        lines.append(f"  {topic:<16} {tally.correct}/{tally.answered}")
    if summary.skipped:
        lines.append(f"  skipped          {summary.skipped}")
    if summary.unasked:
        lines.append(f"  not answered     {summary.unasked} (stopped early)")
    if not summary.by_topic:
        lines.append("  No questions answered.")
    lines.append(f"Score: {summary.correct}/{summary.answered}")
    return "\n".join(lines)
