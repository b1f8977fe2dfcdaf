"""The quiz loop: ask, mark, explain, record, summarise. Knows nothing of click.

At the prompt: an answer, `?` a hint (when the question has hints), `s` skip, `q` stop.
After any verdict, the next prompt also takes `:r` ("I was right": the last answer counts
as right, recorded as an override), `:h` or `:e` (a right answer was hard or easy). An open
question reads two lines: your answer (or just Enter after thinking it through), then the
numbers of the key points you made.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Protocol

from rnnprep.bank import Question
from rnnprep.bank.types import (
    EASY,
    GOOD,
    HARD,
    RATING_NAMES,
    TYPES,
    Asked,
    InvalidAnswer,
    Mark,
    Open,
)
from rnnprep.quiz.asking import ask

SKIP, HINT, QUIT = "s", "?", "q"
ADJUSTMENTS = {":r": "right", ":right": "right", ":h": "hard", ":hard": "hard", ":e": "easy", ":easy": "easy"}


class Console(Protocol):
    """Where the quiz talks to the learner."""

    interactive: bool  # a person at a terminal (tips, the follow-up prompt); False for a pipe

    def show(self, text: str = "") -> None:
        """Print a block of text (wrapped to the terminal when there is one)."""

    def read(self, prompt: str) -> str | None:
        """One line; None at the end of input. Ctrl-C raises KeyboardInterrupt."""

    def style(self, text: str, **styles: object) -> str:
        """Colour text when the terminal allows it."""


class Recorder(Protocol):
    """Where answers go the moment they are marked (the progress store)."""

    def record(self, asked: Asked, answer: str, mark: Mark, seconds: float) -> str | None:
        """Save one answer; returns its id (None when nothing is saved)."""

    def adjust(self, answer_id: str, rating: int, overridden: bool) -> None:
        """Change a saved answer's rating; `overridden` when the learner said they were right."""


@dataclass
class Answered:
    """One marked answer, as the summary counts it."""

    topic: str
    correct: bool
    answer_id: str | None = None
    overridden: bool = False
    seconds: float = 0.0
    note: str = ""  # the mark's note (an open question's rating)


@dataclass
class Summary:
    """What happened in one quiz."""

    answers: list[Answered] = field(default_factory=list)
    skipped: int = 0
    unasked: int = 0  # questions left when the learner stopped (q, end of input, Ctrl-C)
    interrupted: bool = False  # stopped with Ctrl-C

    @property
    def answered(self) -> int:
        return len(self.answers)

    @property
    def correct(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def overridden(self) -> int:
        return sum(a.overridden for a in self.answers)

    def by_topic(self) -> dict[str, tuple[int, int]]:
        """topic -> (correct, answered)."""
        table: dict[str, tuple[int, int]] = {}
        for answer in self.answers:
            right, total = table.get(answer.topic, (0, 0))
            table[answer.topic] = (right + answer.correct, total + 1)
        return table


class Stop(Exception):
    """The learner asked to stop (q or the end of input)."""


def run_quiz(questions: Sequence[Question], console: Console, rng: Random,
             recorder: Recorder | None = None) -> Summary:  # fmt: skip
    """Ask every question in turn; stop cleanly at `q`, the end of input or Ctrl-C."""
    summary = Summary()
    number = 0
    try:
        for number, question in enumerate(questions, start=1):
            asked = ask(question, rng)
            console.show(format_question(asked, number, len(questions), console))
            answer_question(asked, console, recorder, summary)
        number = len(questions) + 1
    except Stop:
        summary.unasked = len(questions) - number + 1
    except KeyboardInterrupt:
        console.show()
        summary.interrupted = True
        summary.unasked = len(questions) - number + 1
    console.show(format_summary(summary, console))
    return summary


def _read(console: Console, summary: Summary, recorder: Recorder | None, prompt: str = "> ") -> str:
    """The next line that is not a command; handles q, the end of input and :r/:h/:e."""
    while True:
        text = console.read(prompt)
        if text is None or text.strip().lower() == QUIT:
            raise Stop
        command = ADJUSTMENTS.get(text.strip().lower())
        if command is None:
            return text
        console.show(_adjust(command, summary, recorder))


def _adjust(command: str, summary: Summary, recorder: Recorder | None) -> str:
    """Apply :r, :h or :e to the last answer; the sentence saying what happened."""
    if not summary.answers:
        return "There is no earlier answer to change yet."
    last = summary.answers[-1]
    if command == "right":
        if last.correct:
            return "Your last answer already counts as right."
        last.correct, last.overridden = True, True
        rating, said = GOOD, "Counted as right (recorded as your override)."
    else:
        if not last.correct:
            return "Only a right answer can be rated hard or easy; :r counts a wrong one as right."
        rating = HARD if command == "hard" else EASY
        said = f"Rated {RATING_NAMES[rating]}: it comes back {'sooner' if rating == HARD else 'later'}."
    if recorder is not None and last.answer_id is not None:
        recorder.adjust(last.answer_id, rating, last.overridden)
    return said


def answer_question(asked: Asked, console: Console, recorder: Recorder | None, summary: Summary,
                    clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
    """Take the learner's answer to one shown question: mark, record, explain (or skip).

    Raises Stop at `q` or the end of input, KeyboardInterrupt at Ctrl-C. `clock` times the
    answer (a mock interview passes its own, so tests can run on a fake clock).
    """
    if asked.question.type == Open.name:
        _open_question(asked, console, recorder, summary, clock)
    else:
        _closed_question(asked, console, recorder, summary, clock)


def _closed_question(asked: Asked, console: Console, recorder: Recorder | None, summary: Summary,
                     clock: Callable[[], float]) -> None:  # fmt: skip
    """Read until a valid answer or a skip, then mark, record and explain."""
    kind = asked.kind
    hints = list(asked.hints)
    started = clock()
    while True:
        text = _read(console, summary, recorder).strip()
        if text.lower() == SKIP:
            summary.skipped += 1
            console.show(format_skip(asked, console))
            return
        if text == HINT:
            if hints:
                console.show(console.style(f"Hint: {hints.pop(0)}", fg="cyan"))
            else:
                console.show("No more hints for this question." if asked.hints else "This question has no hints.")
            continue
        try:
            mark = kind.mark(asked, text)
        except InvalidAnswer as problem:
            console.show(f"{problem} ({key_help(asked)})")
            continue
        _record(asked, text, mark, clock() - started, console, recorder, summary)
        return


def _open_question(asked: Asked, console: Console, recorder: Recorder | None, summary: Summary,
                   clock: Callable[[], float]) -> None:  # fmt: skip
    """Your answer (or a moment's thought), the model answer and key points, your rating."""
    kind = TYPES[Open.name]
    assert isinstance(kind, Open)
    started = clock()
    answer = _read(console, summary, recorder).strip()
    if answer.lower() == SKIP:
        summary.skipped += 1
        console.show("\n".join(kind.reveal(asked)))
        return
    console.show("\n".join(kind.reveal(asked)))
    while True:
        try:
            text = _read(console, summary, recorder, "Key points you made (e.g. 1,3; 0 none; a all)> ").strip()
        except (KeyboardInterrupt, Stop):
            console.show("\n(Not rated, so this answer was not saved.)")
            raise
        try:
            points = kind.parse(asked, text)
        except InvalidAnswer as problem:
            console.show(str(problem))
            continue
        mark = kind.judge(asked, points)
        _record(asked, answer or "(thought through)", mark, clock() - started, console, recorder, summary)
        return


def _record(asked: Asked, answer: str, mark: Mark, seconds: float, console: Console,
            recorder: Recorder | None, summary: Summary) -> None:  # fmt: skip
    """Save first (nothing the learner answered is lost), then count and explain."""
    answer_id = recorder.record(asked, answer, mark, seconds) if recorder is not None else None
    summary.answers.append(Answered(asked.question.topic, mark.correct, answer_id, seconds=seconds, note=mark.note))
    console.show(format_verdict(asked, mark, console))


def key_help(asked: Asked) -> str:
    """What can be typed at this question's prompt."""
    parts = [asked.kind.answer_help]
    if asked.hints:
        parts.append(f"{HINT} hint")
    parts += [f"{SKIP} skip", f"{QUIT} quit"]
    return " · ".join(parts)


def format_question(asked: Asked, number: int, total: int, console: Console) -> str:
    """The question block: header, prompt, choices or items, and how to answer."""
    question = asked.question
    header = console.style(f"[{number}/{total}] {question.topic} · {question.difficulty} · {question.id}", dim=True)
    return header + "\n" + format_prompt(asked, console)


def format_prompt(asked: Asked, console: Console) -> str:
    """The prompt, the choices or items, and how to answer."""
    lines = [console.style(asked.prompt, bold=True), *asked.kind.shown(asked)]
    lines.append(console.style(key_help(asked), dim=True))
    return "\n".join(lines)


def _explained(asked: Asked, console: Console) -> list[str]:
    """The explanation and the references."""
    lines = [asked.explanation] if asked.explanation else []
    if asked.question.references:
        lines.append(console.style("See: " + "; ".join(asked.question.references), dim=True))
    return lines


def format_verdict(asked: Asked, mark: Mark, console: Console) -> str:
    """Right/wrong, feedback on what was picked, the answer, the explanation, and a tip."""
    if asked.question.type == Open.name:
        lines = [console.style(mark.note, fg="green" if mark.correct else "yellow", bold=True)]
    elif mark.correct:
        lines = [console.style("✓ Correct.", fg="green", bold=True)]
    else:
        lines = [console.style("✗ Not quite.", fg="red", bold=True) + f" Answer: {mark.expected}"]
    if mark.note and asked.question.type != Open.name:
        lines.append(f"  {mark.note}")
    lines += [f"  {note}" for note in mark.feedback]
    lines += _explained(asked, console)
    if console.interactive and asked.question.type != Open.name:  # an open question is rated already
        tip = "Think you were right? :r at the next prompt." if not mark.correct else "Too hard or too easy? :h or :e at the next prompt."
        lines.append(console.style(tip, dim=True))
    return "\n".join(lines) + "\n"


def format_skip(asked: Asked, console: Console) -> str:
    """A skip still teaches: the answer and the explanation."""
    lines = [console.style("Skipped.", dim=True) + f" Answer: {asked.kind.describe(asked)}"]
    return "\n".join([*lines, *_explained(asked, console)]) + "\n"


def format_summary(summary: Summary, console: Console) -> str:
    """Per-topic results; the last line is exactly `Score: X/N`."""
    lines = [console.style("Summary", bold=True)]
    for topic, (right, total) in sorted(summary.by_topic().items()):
        lines.append(f"  {topic:<18} {right}/{total}")
    if summary.overridden:
        lines.append(f"  overridden         {summary.overridden} (counted right at your word)")
    if summary.skipped:
        lines.append(f"  skipped            {summary.skipped}")
    if summary.unasked:
        why = "interrupted" if summary.interrupted else "stopped early"
        lines.append(f"  not answered       {summary.unasked} ({why})")
    if not summary.answers:
        lines.append("  No questions answered.")
    lines.append(f"Score: {summary.correct}/{summary.answered}")
    return "\n".join(lines)
