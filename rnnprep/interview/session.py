"""The mock interview: warm-up, concepts, coding, debrief, each section on its own clock.

Knows nothing of click. Talks through the quiz's Console (so a pipe drives it one answer per
line, as the quiz), times everything with an injected clock (tests use a fake one), and
hands the coding section to a `Coding` object (a watched file on a terminal, commands from
a pipe; see coding.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from random import Random
from typing import Protocol

from rnnprep.bank import Question
from rnnprep.bank.types import Open
from rnnprep.interview.levels import LEVELS, Level, concept_count, easier, harder, warmup_count
from rnnprep.interview.report import (
    RIGHT,
    SKIPPED,
    WRONG,
    CodingRecord,
    InterviewRecord,
    QuestionRecord,
    clock_text,
)
from rnnprep.quiz.asking import ask
from rnnprep.quiz.session import Console, Recorder, Stop, Summary, answer_question, format_prompt

Clock = Callable[[], float]  # monotonic seconds


class Coding(Protocol):
    """The coding section: show the kata, let the learner work until submit, skip or time up."""

    def run(self, kata_name: str, deadline: float) -> CodingRecord:
        """Returns the section's record; raises KeyboardInterrupt on Ctrl-C."""


@dataclass(frozen=True)
class InterviewOptions:
    """What `rnnprep interview` was asked for."""

    minutes: float = 30.0
    level: str = "mid"
    topics: tuple[str, ...] = ()
    seed: int | None = None


@dataclass
class _Section:
    name: str
    budget: float  # seconds
    started: float = 0.0
    records: list[QuestionRecord] = field(default_factory=list)


class Interview:
    """One interview, run section by section."""

    def __init__(self, options: InterviewOptions, questions: list[Question], katas: list[str], console: Console,
                 coding: Coding, recorder: Recorder | None = None, clock: Clock = time.monotonic) -> None:  # fmt: skip
        self.options = options
        self.level: Level = LEVELS[options.level]
        self.console, self.coding, self.recorder, self.clock = console, coding, recorder, clock
        seed = options.seed if options.seed is not None else Random().randrange(2**31)
        self.rng = Random(seed)
        self.record = InterviewRecord(datetime.now().astimezone().isoformat(timespec="milliseconds"), self.level.name,
                                      options.minutes, seed, list(options.topics))  # fmt: skip
        wanted = set(options.topics)
        pool = [q for q in questions if not wanted or q.topic in wanted]
        self.closed = [q for q in pool if q.type != Open.name]
        self.open = [q for q in pool if q.type == Open.name]
        self.katas = [k for k in self.level.katas if k in katas]
        self.summary = Summary()

    # --- the whole interview --------------------------------------------------------------------

    def run(self) -> InterviewRecord:
        """All sections in order; Ctrl-C or `q` ends early with what was done."""
        began = self.clock()
        total = self.options.minutes * 60
        shares = self.level.shares
        self.console.show(self._intro())
        try:
            self._warmup(_Section("warm-up", total * shares[0]))
            self._concepts(_Section("concepts", total * shares[1]))
            self._coding(deadline=began + total)
        except KeyboardInterrupt:
            self.record.ended_early = "interrupted with Ctrl-C"
            if self.record.coding is not None and self.record.coding.outcome == "in progress":
                self.record.coding.outcome = "interrupted"
        except Stop:
            self.record.ended_early = "stopped with q or at the end of input"
        if self.record.coding is None and self.record.ended_early:
            self.record.coding = CodingRecord(self.katas[0] if self.katas else "-", "not reached")
        self.record.seconds = self.clock() - began
        return self.record

    def _intro(self) -> str:
        shares = self.level.shares
        minutes = [round(self.options.minutes * s) for s in shares]
        return "\n".join([
            self.console.style(f"Mock interview · level {self.level.name} · {self.options.minutes:g} minutes", bold=True),
            f"  1. warm-up: about {warmup_count(self.options.minutes)} questions across topics, harder after a right "
            f"answer, easier after a wrong one (~{minutes[0]} min)",
            f"  2. concepts: {concept_count(self.options.minutes)} 'explain...' questions, rated against their key "
            f"points (~{minutes[1]} min)",
            f"  3. coding: one kata, checked on every save; type submit or skip (~{minutes[2]} min, plus what "
            f"the earlier sections leave)",
            "  4. debrief: scores, trend, what to study next",
            self.console.style("Ctrl-C ends early with a partial report; q stops at a question.", dim=True),
        ])  # fmt: skip

    # --- sections ---------------------------------------------------------------------------------

    def _warmup(self, section: _Section) -> None:
        section.started = self.clock()
        difficulty = self.level.start
        asked: set[str] = set()
        count = warmup_count(self.options.minutes)
        for number in range(1, count + 1):
            if self._time_up(section):
                break
            question = self._next_closed(difficulty, asked)
            if question is None:
                break
            asked.add(question.id)
            outcome = self._ask(section, question, f"Warm-up {number}/{count}")
            difficulty = harder(difficulty, self.level) if outcome == RIGHT else easier(difficulty, self.level)

    def _concepts(self, section: _Section) -> None:
        section.started = self.clock()
        chosen = self._open_questions(concept_count(self.options.minutes))
        for number, question in enumerate(chosen, 1):
            if self._time_up(section):
                break
            self._ask(section, question, f"Concepts {number}/{len(chosen)}")

    def _coding(self, deadline: float) -> None:
        if not self.katas:
            self.console.show("No kata of this level is available: the coding section is skipped.")
            return
        kata = self.rng.choice(self.katas)
        self.record.coding = CodingRecord(kata, "in progress")
        started = self.clock()
        left = max(0.0, deadline - started)
        self.console.show("\n" + self.console.style(f"Coding · {kata} · {clock_text(left)} left", bold=True))
        try:
            result = self.coding.run(kata, deadline)
        except KeyboardInterrupt:
            self.record.coding.seconds = self.clock() - started
            raise
        result.seconds = self.clock() - started
        self.record.coding = result

    # --- one question -------------------------------------------------------------------------------

    def _ask(self, section: _Section, question: Question, label: str) -> str:
        """Show, read, mark, record; the outcome (right, wrong or skipped)."""
        asked = ask(question, self.rng)
        left = section.budget - (self.clock() - section.started)
        header = self.console.style(f"{label} · {question.difficulty} · {clock_text(left)} left in the {section.name}", bold=True)
        self.console.show("\n" + header)
        self.console.show(format_prompt(asked, self.console))
        before = len(self.summary.answers)
        started = self.clock()
        answer_question(asked, self.console, self.recorder, self.summary, self.clock)
        seconds = self.clock() - started
        if len(self.summary.answers) > before:
            outcome = RIGHT if self.summary.answers[-1].correct else WRONG
        else:
            outcome = SKIPPED
        note = self.summary.answers[-1].note if question.type == Open.name and outcome != SKIPPED else ""
        record = QuestionRecord(section.name, question.id, question.topic, question.difficulty, question.type,
                                outcome, round(seconds, 1), note)  # fmt: skip
        self.record.questions.append(record)
        section.records.append(record)
        return outcome

    def _time_up(self, section: _Section) -> bool:
        if self.clock() - section.started < section.budget:
            return False
        self.console.show(self.console.style(f"Time is up for the {section.name}.", fg="yellow"))
        return True

    # --- choosing questions -------------------------------------------------------------------------

    def _next_closed(self, difficulty: str, asked: set[str]) -> Question | None:
        """A question at `difficulty` (else the nearest), from the topic least recently asked."""
        recent = [q.topic for q in self.record.questions]
        order = [difficulty, *(d for d in ("medium", "easy", "hard") if d != difficulty)]
        for wanted in order:
            candidates = [q for q in self.closed if q.difficulty == wanted and q.id not in asked]
            if candidates:
                last_seen = {topic: i for i, topic in enumerate(recent)}
                self.rng.shuffle(candidates)
                return min(candidates, key=lambda q: last_seen.get(q.topic, -1))
        return None

    def _open_questions(self, count: int) -> list[Question]:
        """`count` open questions of the level's difficulties, each from another topic if it can be."""
        chosen: list[Question] = []
        for difficulty in (*self.level.concept_difficulties, "easy", "medium", "hard"):
            candidates = [q for q in self.open if q.difficulty == difficulty and q not in chosen]
            self.rng.shuffle(candidates)
            for question in candidates:
                if len(chosen) < count and question.topic not in {c.topic for c in chosen}:
                    chosen.append(question)
        for question in self.open:  # fewer topics than questions: allow a repeat
            if len(chosen) < count and question not in chosen:
                chosen.append(question)
        return chosen


def teaching_katas(katas: list[tuple[str, tuple[str, ...]]]) -> dict[str, list[str]]:
    """topic -> the katas whose topics include it, in learning-path order."""
    table: dict[str, list[str]] = {}
    for name, topics in katas:
        for topic in topics:
            table.setdefault(topic, []).append(name)
    return table


def workspace_file(workspace: Path, kata_name: str) -> Path:
    """Where the interview puts the kata's starter: <workspace>/interview/<kata>.py."""
    return workspace / "interview" / f"{kata_name}.py"
