"""The result of a check: structured data for --json and the store, rendered for people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class TestResult:
    """One hidden test: its name, whether it passed, and a tutor-style message."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    passed: bool
    message: str
    diagnosis: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of one test."""
        return {
            "name": self.name,
            "passed": self.passed,
            "message": self.message,
            "diagnosis": list(self.diagnosis),
        }


@dataclass
class CheckResult:
    """A whole check. It passes only on positive evidence: no error, every test ran and passed."""

    kata: str
    seed: int
    file: Path
    tests: list[TestResult] = field(default_factory=list)
    error: str | None = None
    capsule: Path | None = None
    expected_tests: int = 0
    seconds: float = 0.0

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

    def to_dict(self) -> dict[str, Any]:
        """The --json form."""
        return {
            "kata": self.kata,
            "passed": self.passed,
            "seed": self.seed,
            "file": str(self.file),
            "error": self.error,
            "tests": [t.to_dict() for t in self.tests],
            "capsule": str(self.capsule) if self.capsule else None,
            "replay": self.replay,
        }


def _plain(text: str, **styles: Any) -> str:
    """A style function that leaves text as it is."""
    return text


def render_result(result: CheckResult, style: Callable[..., str] = _plain) -> str:
    """Human text for a check; style is App.style (colour on a terminal, plain otherwise)."""
    done = sum(t.passed for t in result.tests)
    if result.passed:
        head = style(f"{result.kata}: all {done} tests passed", fg="green", bold=True)
        return f"{head} ({result.file.name}, {result.seconds:.1f} s)."
    count = f"{done} of {result.expected_tests} tests passed, " if result.tests else ""
    lines = [
        style(f"{result.kata}: FAILED", fg="red", bold=True)
        + f" ({count}{result.file}, seed {result.seed})"
    ]
    if result.error:
        lines += ["", result.error]
    shown: set[str] = set()  # an explanation repeated by several tests is printed once
    for test in result.tests:
        mark = style("PASS", fg="green") if test.passed else style("FAIL", fg="red", bold=True)
        lines.append(f"  {mark} {test.name}")
        if not test.passed:
            lines += [f"       {line}" for line in test.message.splitlines() if line not in shown]
            shown.update(test.message.splitlines())
    if result.capsule:
        lines += ["", f"The first failing case is saved in {result.capsule}."]
    if result.tests:
        lines += [f"Replay these exact cases: {style(result.replay, bold=True)}"]
    return "\n".join(lines)
