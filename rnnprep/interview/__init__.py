"""A mock interview: warm-up, concepts, coding, debrief, saved with a trend across interviews.

Library API (the CLI only parses options and calls these):
    run(options, console, store, workspace, home) -> (record, report text, report path)
    history(home), history_lines(records), report_path(home, number)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnprep.interview.coding import CodingSection, Grade
from rnnprep.interview.levels import LEVELS
from rnnprep.interview.report import (
    InterviewRecord,
    history,
    history_lines,
    markdown,
    report_path,
    save,
)
from rnnprep.interview.session import Clock, Interview, InterviewOptions, teaching_katas
from rnnprep.quiz.session import Console

if TYPE_CHECKING:
    from rnnprep.bank import Question
    from rnnprep.store import Store

__all__ = ["LEVELS", "InterviewOptions", "InterviewRecord", "history", "history_lines", "report_path", "run"]


def store_grade(store: Store) -> Grade:
    """Grade a kata file as `kata --check` does and record the attempt in the store."""
    from rnnprep.kata import checking

    def grade(kata: Any, path: Path, sandbox: Any) -> Any:
        result = checking.check(kata, path, sandbox=sandbox)
        if checking.counts_as_attempt(kata, path):
            checking.record(kata, result, store)
        return result

    return grade


def run(options: InterviewOptions, console: Console, store: Store, workspace: Path, home: Path, *,
        clock: Clock = time.monotonic, grade: Grade | None = None, katas_dirs: tuple[Path, ...] = (),
        questions: list[Question] | None = None) -> tuple[InterviewRecord, str, Path]:  # fmt: skip
    """Run one interview, then print and save its report; every answer goes to `store`.

    `questions` replaces the shipped banks (tests, or a course's own bank).
    """
    from rnnprep import registry
    from rnnprep.bank import load_questions
    from rnnprep.quiz import StoreRecorder

    katas = registry.default(katas_dirs).katas
    coding = CodingSection(console, workspace, grade or store_grade(store), clock, katas_dirs, watch=console.interactive)
    interview = Interview(options, questions if questions is not None else load_questions(), [k.name for k in katas], console, coding,
                          StoreRecorder(store), clock)  # fmt: skip
    earlier = history(home)
    record = interview.run()
    text = markdown(record, earlier, teaching_katas([(k.name, k.topics) for k in katas]))
    console.show("\n" + text)
    path = save(record, home, text)
    console.show(console.style(f"Saved: {path} · all interviews: rnnprep interview --history", dim=True))
    return record, text, path

