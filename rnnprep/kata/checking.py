"""Run the grader on a user's file and record the attempt in the progress store.

The grader is imported inside the functions: `kata list` and `--hint` need none of it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rnnprep.grading.types import DEFAULT_TIMEOUT
from rnnprep.registry import Kata

if TYPE_CHECKING:
    from rnnprep.grading.types import CheckResult

__all__ = ["DEFAULT_TIMEOUT", "check", "record", "render"]


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
    """Grade `path` as kata `kata`: the submission in the sandbox, the hidden suite here."""
    from rnnprep.grading.check import check_file

    return check_file(kata, path, seed=seed, timeout=timeout, capsule_dir=capsule_dir or Path(path).parent)


def record(kata: Kata, result: CheckResult, store: AttemptRecorder) -> None:
    """Save the attempt: outcome, seed, failing test names and diagnosis ids (deduplicated)."""
    store.record_kata_attempt(
        kata=kata.name, passed=bool(result.passed), seed=int(result.seed),
        failing_tests=result.failing_tests, diagnosis=result.diagnosis,
    )  # fmt: skip


def render(result: CheckResult, style: Callable[..., str]) -> str:
    """The grader's human-readable report of a result."""
    from rnnprep.grading.render import render_result

    return render_result(result, style)
