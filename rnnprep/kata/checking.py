"""Run the grader on a user's file and record the attempt in the progress store.

The grader is imported inside the functions: `kata list` and `--hint` need none of it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rnnprep.grading.types import DEFAULT_TIMEOUT
from rnnprep.registry import Kata

if TYPE_CHECKING:
    from rnnprep.grading.types import CheckResult
    from rnnprep.sandbox import Sandbox

__all__ = ["DEFAULT_TIMEOUT", "check", "counts_as_attempt", "next_kata", "progress_line", "record", "render"]


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
    sandbox: Sandbox | None = None,
) -> CheckResult:
    """Grade `path` as kata `kata`: the submission in the sandbox, the hidden suite here.

    A failure leaves its first failing case as NAME.failure.npz in `capsule_dir` (default:
    beside the file); a pass removes a capsule left there by an earlier failure.
    """
    require_torch()
    from rnnprep.grading.capsule import capsule_path
    from rnnprep.grading.check import check_file

    folder = capsule_dir or Path(path).parent
    result = check_file(kata, path, seed=seed, timeout=timeout, capsule_dir=folder, sandbox=sandbox)
    if result.passed:
        with contextlib.suppress(OSError):
            capsule_path(kata.name, folder).unlink(missing_ok=True)
    return result


def require_torch() -> None:
    """The grader compares with torch: a clear error, not a ModuleNotFoundError, without it."""
    import importlib.util

    from rnnprep.errors import RnnprepError

    if importlib.util.find_spec("torch") is None:
        raise RnnprepError(
            "Checking a kata needs PyTorch (the grader compares your NumPy with torch.nn), and it "
            "is not installed in this Python. Install the tested CPU build with "
            "`pip install -c constraints.txt torch` (see the README), then check again."
        )


def counts_as_attempt(kata: Kata, path: Path) -> bool:
    """Only the learner's own file for this kata is an attempt: not the shipped solution, not
    a file of another name graded with --file (a fixture, a colleague's file)."""
    resolved = Path(path).resolve()
    return resolved.name == f"{kata.name}.py" and resolved != kata.solution.resolve()


def record(kata: Kata, result: CheckResult, store: AttemptRecorder) -> None:
    """Save the attempt: outcome, seed, failing test names and diagnosis ids (deduplicated)."""
    store.record_kata_attempt(
        kata=kata.name, passed=bool(result.passed), seed=int(result.seed),
        failing_tests=result.failing_tests, diagnosis=result.diagnosis,
    )  # fmt: skip


def next_kata(katas: Sequence[Kata], statuses: Mapping[str, str], after: str | None = None) -> Kata | None:
    """The next kata to do: the first not passed after `after` on the path, else the first
    not passed at all; None when every kata is passed."""
    ordered = list(katas)
    start = next((i + 1 for i, k in enumerate(ordered) if k.name == after), 0)
    for kata in [*ordered[start:], *ordered[:start]]:
        if statuses.get(kata.name) != "passed":
            return kata
    return None


def progress_line(kata: Kata, katas: Sequence[Kata], statuses: Mapping[str, str]) -> str:
    """'lstm passed · 5/16 katas · next: gru_cell (rnnprep kata start gru_cell)'."""
    done = sum(statuses.get(k.name) == "passed" for k in katas)
    following = next_kata(katas, statuses, after=kata.name)
    where = f"next: {following.name} (rnnprep kata start {following.name})" if following else "every kata passed"
    return f"{kata.name} passed · {done}/{len(katas)} katas · {where}"


def render(result: CheckResult, style: Callable[..., str], after: list[str] | None = None) -> str:
    """The grader's human-readable report of a result (with closing lines `after`)."""
    from rnnprep.grading.render import render_result

    return render_result(result, style, after)
