"""Run the grader on a user's file and record the attempt in the progress store."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rnnprep.kata.registry import Kata

if TYPE_CHECKING:
    from rnnprep.store import Store

DEFAULT_TIMEOUT = 10.0  # seconds; the grader stops the user's code after this


class AttemptRecorder(Protocol):
    """What a check needs from the store."""

    def record_kata_attempt(
        self, *, kata: str, passed: bool, seed: int, failing_tests: list[str], diagnosis: list[str]
    ) -> None: ...


def grading() -> Any:
    """The grader package, imported on first use (it loads numpy; torch only while checking)."""
    return importlib.import_module("rnnprep.grading")


def check(
    kata: Kata,
    path: Path,
    *,
    seed: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    capsule_dir: Path | None = None,
) -> Any:
    """Grade `path` as kata `kata` in a child process; returns the grader's CheckResult."""
    return grading().check_file(kata.name, path, seed=seed, timeout=timeout, capsule_dir=capsule_dir)


def record(kata: Kata, result: Any, store: Store | AttemptRecorder) -> None:
    """Save the attempt: outcome, seed, failing test names and diagnosis ids (deduplicated)."""
    failing = [test.name for test in result.tests if not test.passed]
    diagnosis = [i for test in result.tests for i in (getattr(test, "diagnosis", None) or [])]
    store.record_kata_attempt(
        kata=kata.name, passed=bool(result.passed), seed=int(result.seed),
        failing_tests=failing, diagnosis=list(dict.fromkeys(diagnosis)),
    )


def render(result: Any, style: Any) -> str:
    """The grader's human-readable report of a result."""
    return str(grading().render_result(result, style))
