"""What a hidden suite is written with: the toolkit of every ``test_<kata>.py``.

A hidden suite is an ordinary pytest module. It names its kata, draws its cases from an rng,
computes the reference with torch, and compares::

    from rnnprep.grading import suite

    KATA = suite.kata("lstm")

    def cases(rng):                      # the plugin parametrizes `case` with these
        return suite.recurrent_cases(KATA, rng)

    def reference(case):                 # torch, float64
        ...

    def test_lstm_forward(case, submission):
        suite.expect_outputs(case, submission(case), reference(case), suite.forward_diagnosis(KATA))

``submission(case)`` runs the call in the sandboxed child and returns what came back (or
fails the test with a tutor's message). ``expect_outputs`` compares structure, shapes,
values and dtypes, names the likely mistake through the diagnosis hook, and raises
``KataFailure`` with the whole message. Everything runs in the grader's process; the
submission never sees the references or the comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from rnnprep import diagnosis
from rnnprep.diagnosis.slips import Same, Slip, leaves_close, matching
from rnnprep.grading.cases import (
    Planned,
    as_dtype,
    draw_dims,
    float64,
    recurrent_cases,
    states,
    tutorial_cases,
    uniform,
    weights,
)
from rnnprep.grading.compare import compare, normalise
from rnnprep.grading.spec import FLOAT32, FLOAT64, TOLERANCE, Call, Case
from rnnprep.grading.types import Judgement, KataFailure, Stage, Tol
from rnnprep.registry import Kata

__all__ = [
    "FLOAT32",
    "FLOAT64",
    "TOLERANCE",
    "Call",
    "Case",
    "Diagnose",
    "Judgement",
    "KataFailure",
    "Planned",
    "Stage",
    "Tol",
    "as_dtype",
    "current",
    "draw_dims",
    "expect",
    "expect_outputs",
    "fail",
    "float64",
    "forward_diagnosis",
    "kata",
    "recurrent_cases",
    "slip_diagnosis",
    "states",
    "tutorial_cases",
    "uniform",
    "weights",
]

# (case, what came back, the reference) -> (mistake ids, lines for the message)
Diagnose = Callable[[Case, Any, Any], tuple[list[str], list[str]]]


@dataclass
class TestRecord:
    """What the running hidden test has said so far (the plugin reads it after the test)."""

    __test__ = False

    message: str = ""
    notes: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)


_current = TestRecord()


def current() -> TestRecord:
    """The record of the hidden test that is running now."""
    return _current


def begin_test() -> TestRecord:
    """A fresh record for the next test (called by the plugin)."""
    global _current
    _current = TestRecord()
    return _current


def kata(name: str, here: str | Path | None = None) -> Kata:
    """A kata's registry entry; ``here`` (a suite's __file__) finds a local kata beside it."""
    from rnnprep import registry

    if here is not None:
        folder = Path(here).resolve().parent
        if (folder / registry.LOCAL_FILE).is_file() and folder.name == name:
            return registry.load(local_dirs=[folder]).get(name)
    return registry.get(name)


def expect(case: Case, judgement: Judgement, diagnose: Diagnose | None = None,
           actual: Any = None, expected: Any = None) -> None:  # fmt: skip
    """Pass (recording the message and notes) or raise KataFailure, diagnosed when possible."""
    record = current()
    record.notes += list(judgement.notes)
    if judgement.passed:
        record.message = judgement.message
        return
    ids: list[str] = []
    lines: list[str] = []
    if diagnose is not None and judgement.stage in (Stage.VALUE, Stage.SHAPE):
        ids, lines = diagnose(case, normalise(case.returns, actual), expected)
    message = "\n".join([judgement.message, *lines, *judgement.notes])
    raise KataFailure(message, judgement.stage, ids, case=case, expected=expected, actual=actual)


def expect_outputs(case: Case, actual: Any, expected: Any, diagnose: Diagnose | None = None) -> None:
    """Compare the returned value with the reference (structure, shapes, values, dtypes)."""
    expect(case, compare(case, actual, expected), diagnose, actual, expected)


def fail(case: Case, message: str, stage: Stage = Stage.VALUE, diagnosis: list[str] | None = None,
         expected: Any = None, actual: Any = None) -> NoReturn:  # fmt: skip
    """Fail the running test with a message of the suite's own."""
    raise KataFailure(f"{case.called()}\n{message}", stage, diagnosis or [], case=case, expected=expected, actual=actual)


def forward_diagnosis(kata: Kata) -> Diagnose:
    """The diagnosis hook of the forward-pass katas (RNN, LSTM, GRU cells, sequences, classes)."""

    def diagnose(case: Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
        return diagnosis.explain(kata.name, case.call.inputs(), actual, expected, case.tol.atol)

    return diagnose


def slip_diagnosis(slips: list[Slip], same: Same | None = None) -> Diagnose:
    """The diagnosis hook of an advanced kata: the known slips that reproduce the answer.

    ``same`` decides when two answers agree (default: every leaf within 1e-7 relative).
    """
    agree = same or leaves_close(rtol=1e-7, atol=1e-12)

    def diagnose(case: Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
        found = matching(slips, case.call.inputs(), actual, expected, agree)
        ids = list(dict.fromkeys(slip.mistake.id for slip in found))
        notes = [f"Your answer is exactly what this slip gives: {slip.note}." for slip in found[:2]]
        return ids, notes + diagnosis.lines_for(ids)

    return diagnose
