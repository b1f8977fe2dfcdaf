"""Run the grader on a user's file and record the attempt in the progress store.

The grader is imported inside the functions: `kata list` and `--hint` need none of it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rnnprep.kata.registry import Kata

if TYPE_CHECKING:
    from rnnprep.grading import CheckResult

DEFAULT_TIMEOUT = 10.0  # seconds; equal to rnnprep.grading.DEFAULT_TIMEOUT (a test keeps them so)


class AttemptRecorder(Protocol):
    """What a check needs from the store."""

    def record_kata_attempt(
        self, *, kata: str, passed: bool, seed: int, failing_tests: list[str], diagnosis: list[str]
    ) -> None: ...


def check(
    kata: Kata,
    path: Path,
    *,
    seed: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    capsule_dir: Path | None = None,
) -> CheckResult:
    """Grade `path` as kata `kata` in a child process."""
    from rnnprep.grading import check_file

    return check_file(kata.name, path, seed=seed, timeout=timeout, capsule_dir=capsule_dir)


def record(kata: Kata, result: CheckResult, store: AttemptRecorder) -> None:
    """Save the attempt: outcome, seed, failing test names and diagnosis ids (deduplicated)."""
    failing = [test.name for test in result.tests if not test.passed]
    diagnosis = [i for test in result.tests for i in (test.diagnosis or [])]
    store.record_kata_attempt(
        kata=kata.name, passed=bool(result.passed), seed=int(result.seed),
        failing_tests=failing, diagnosis=list(dict.fromkeys(diagnosis)),
    )


def render(result: CheckResult, style: Callable[..., str]) -> str:
    """The grader's human-readable report of a result."""
    from rnnprep.grading import render_result

    return render_result(result, style)
