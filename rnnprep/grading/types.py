"""The grader's plain data types, at the bottom of the import graph (no rnnprep imports).

- ``Stage``: where a test stopped (structure, shape, values, dtype, or how the child failed).
- ``Tol``: a comparison tolerance.
- ``Judgement``: what a comparison concluded (pure functions return it).
- ``KataFailure``: the assertion a hidden test raises; it carries the tutor message, the stage
  and the diagnosis ids, so pytest shows the message and the grader keeps the structure.
- ``TestOutcome`` and ``CheckResult``: a graded test and a whole check, as --json shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT = 10.0  # seconds a submission gets for loading and all of its calls


class Stage(str, Enum):
    """Where a test ended. OK is the only passing stage."""

    OK = "ok"
    STRUCTURE = "structure"  # wrong type, tuple length or dict keys
    SHAPE = "shape"
    VALUE = "value"
    DTYPE = "dtype"  # values right, dtype less precise than the inputs'
    RAISED = "raised"  # the submission raised an exception
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the child ended (a segfault, os._exit, a kill)
    UNREADABLE = "unreadable"  # the child's report broke the protocol
    NOT_RUN = "not-run"  # an earlier test stopped the check
    GRADER = "grader"  # the hidden test itself failed: a bug on our side


@dataclass(frozen=True)
class Tol:
    """Pass when |actual - expected| <= atol + rtol * |expected| everywhere."""

    atol: float
    rtol: float

    def __str__(self) -> str:
        return f"{self.atol:g} + {self.rtol:g}·|expected|"


@dataclass(frozen=True)
class Judgement:
    """The outcome of comparing one answer: the stage, a message, and notes that do not fail it."""

    stage: Stage
    message: str
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True at Stage.OK."""
        return self.stage is Stage.OK


class KataFailure(AssertionError):
    """A hidden test's failure: the message a learner reads, plus what the grader keeps."""

    def __init__(
        self,
        message: str,
        stage: Stage = Stage.VALUE,
        diagnosis: tuple[str, ...] | list[str] = (),
        *,
        case: Any = None,
        expected: Any = None,
        actual: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.stage = stage
        self.diagnosis = list(diagnosis)
        self.case, self.expected, self.actual = case, expected, actual  # for the capsule


@dataclass
class TestOutcome:
    """One hidden test: its name, whether it passed, and a tutor-style message."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    passed: bool
    message: str
    diagnosis: list[str] = field(default_factory=list)
    stage: Stage = Stage.OK
    notes: list[str] = field(default_factory=list)
    output: str = ""  # what the submission printed during this test

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestOutcome:
        """Back from the JSON form."""
        return cls(data["name"], bool(data["passed"]), data["message"], list(data.get("diagnosis", [])),
                   Stage(data.get("stage", "ok")), list(data.get("notes", [])), data.get("output", ""))  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of one test."""
        return {
            "name": self.name,
            "passed": self.passed,
            "stage": self.stage.value,
            "message": self.message,
            "diagnosis": list(self.diagnosis),
            "notes": list(self.notes),
            "output": self.output,
        }


@dataclass
class CheckResult:
    """A whole check. It passes only on positive evidence: no error, every test ran and passed."""

    kata: str
    seed: int
    file: Path
    tests: list[TestOutcome] = field(default_factory=list)
    error: str | None = None
    capsule: Path | None = None
    expected_tests: int = 0
    seconds: float = 0.0
    isolation: str = "basic"  # "seccomp" when the kernel confined the submission, else "basic"
    isolation_detail: str = ""
    output: str = ""  # what the submission printed outside the tests (import time, raw fds)

    @property
    def passed(self) -> bool:
        """True only when every planned test ran and passed and nothing else went wrong."""
        return (
            self.error is None
            and len(self.tests) == self.expected_tests > 0
            and all(t.passed for t in self.tests)
        )

    @property
    def replay(self) -> str:
        """The command that draws exactly the same cases again."""
        return f"rnnprep kata {self.kata} --check --seed {self.seed}"

    @property
    def failing_tests(self) -> list[str]:
        """Names of the tests that did not pass."""
        return [t.name for t in self.tests if not t.passed]

    @property
    def diagnosis(self) -> list[str]:
        """Every mistake id named on a failing test, without repeats, in order."""
        return list(dict.fromkeys(i for t in self.tests for i in t.diagnosis))

    @property
    def notes(self) -> list[str]:
        """Every note of a test (e.g. a float64 result for float32 inputs), without repeats."""
        return list(dict.fromkeys(n for t in self.tests for n in t.notes))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """Back from the --json form (a check run in another process)."""
        tests = [TestOutcome.from_dict(t) for t in data.get("tests", [])]
        return cls(
            kata=data["kata"], seed=int(data["seed"]), file=Path(data["file"]), tests=tests,
            error=data.get("error"), capsule=Path(data["capsule"]) if data.get("capsule") else None,
            expected_tests=int(data.get("expected_tests", len(tests))), seconds=float(data.get("seconds", 0.0)),
            isolation=data.get("isolation", "basic"), isolation_detail=data.get("isolation_detail", ""),
            output=data.get("output", ""),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The --json form."""
        return {
            "kata": self.kata,
            "passed": self.passed,
            "seed": self.seed,
            "file": str(self.file),
            "isolation": self.isolation,
            "isolation_detail": self.isolation_detail,
            "error": self.error,
            "tests": [t.to_dict() for t in self.tests],
            "expected_tests": self.expected_tests,
            "diagnosis": self.diagnosis,
            "notes": self.notes,
            "output": self.output,
            "capsule": str(self.capsule) if self.capsule else None,
            "replay": self.replay,
            "seconds": round(self.seconds, 3),
        }
