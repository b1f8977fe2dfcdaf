"""Katas in Jupyter: `rnnprep.check(KATA, function)` and the result it shows.

    from rnnprep import check
    check("lstm", lstm_forward)                 # a function defined in a cell
    check("lstm", "katas/lstm/lstm.py")          # or a file
    check("lstm", my_lstm, helpers=[sigmoid])    # a helper it could not find by itself

The function's source and what it needs from other cells are rebuilt as one module
(source.py) and graded in a separate process (runner.py) exactly as `rnnprep kata NAME
--check` grades a file: the same sandboxed child for the code, the same hidden suite,
torch and the comparison in that process, never in the kernel. The attempt is recorded in
the same progress store as the CLI's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rnnprep.errors import RnnprepError
from rnnprep.grading.types import DEFAULT_TIMEOUT, CheckResult, TestOutcome

__all__ = ["KataCheck", "check"]


class KataCheck:
    """The result of a notebook check: what `--json` holds, shown as a table in Jupyter."""

    def __init__(self, result: CheckResult, warning: str | None = None) -> None:
        self.result = result
        self.warning = warning

    @property
    def passed(self) -> bool:
        """True only when every hidden test ran and passed."""
        return self.result.passed

    @property
    def tests(self) -> list[TestOutcome]:
        """Each hidden test: .name, .passed, .message, .diagnosis, .stage."""
        return self.result.tests

    @property
    def diagnosis(self) -> list[str]:
        """The mistake ids named on failing tests (see `rnnprep.diagnosis.CATALOGUE`)."""
        return self.result.diagnosis

    @property
    def seed(self) -> int:
        """The seed of the cases: pass it back (`check(..., seed=S)`) to replay them."""
        return self.result.seed

    @property
    def error(self) -> str | None:
        """Why nothing could be tested (a syntax error, a forbidden import), else None."""
        return self.result.error

    def to_dict(self) -> dict[str, Any]:
        """The same JSON as `rnnprep kata NAME --check --json`."""
        return self.result.to_dict()

    def __repr__(self) -> str:
        from rnnprep.grading.render import render_result

        replay = f"Replay in the notebook: check({self.result.kata!r}, ..., seed={self.seed})"
        return render_result(self.result, after=[replay] + ([f"Warning: {self.warning}"] if self.warning else []))

    def _repr_html_(self) -> str:
        from rnnprep.notebook.html import result_html

        return result_html(self.result, self.warning)


def check(kata: str, *submission: Any, helpers: Iterable[Any] = (), seed: int | None = None,
          timeout: float = DEFAULT_TIMEOUT, record: bool = True,
          katas_dirs: Iterable[str | Path] = ()) -> KataCheck:  # fmt: skip
    """Grade a kata's entry function(s) (or a file) and return the result.

    `submission` is one path, or the function(s)/class(es) the kata asks for, defined in cells.
    `helpers` adds definitions the check could not find by itself. `seed` replays earlier cases.
    `record=False` leaves the progress store alone.
    """
    from rnnprep import registry

    dirs = tuple(Path(d) for d in katas_dirs)
    chosen = registry.default(dirs).get(kata)
    source, filename = _source(chosen.name, chosen.entry, submission, tuple(helpers))
    request = {"kata": chosen.name, "source": source, "filename": filename, "seed": seed, "timeout": timeout,
               "katas_dirs": [str(d) for d in dirs], "record": record}  # fmt: skip
    answer = _run_grader(request, timeout)
    if "problem" in answer:
        raise RnnprepError(answer["problem"])
    return KataCheck(CheckResult.from_dict(answer), answer.get("warning"))


def _source(kata: str, entries: tuple[str, ...], submission: tuple[Any, ...],
            helpers: tuple[Any, ...]) -> tuple[str, str]:  # fmt: skip
    """(the module's text, the file name messages show)."""
    from rnnprep.notebook.source import assemble

    if len(submission) == 1 and isinstance(submission[0], (str, Path)):
        path = Path(submission[0])
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as error:
            raise RnnprepError(f"Cannot read {path}: {error}. Pass a path to your .py file, or the function itself.") from None
    if not submission or not all(callable(obj) for obj in submission):
        listed = ", ".join(entries)
        raise RnnprepError(f"check({kata!r}, ...) takes the function(s) you wrote ({listed}) or a path to a .py file, "
                           f"e.g. check({kata!r}, {entries[0]}).")  # fmt: skip
    return assemble(list(submission), entries, helpers), f"{kata}.py"


def _run_grader(request: dict[str, Any], timeout: float) -> dict[str, Any]:
    """runner.py in a fresh Python: torch never loads into the kernel."""
    try:
        done = subprocess.run([sys.executable, "-m", "rnnprep.notebook.runner"], input=json.dumps(request),
                              capture_output=True, text=True, timeout=timeout * 4 + 120)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise RnnprepError("The grader did not answer in time; check again (a busy machine?).") from None
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        detail = (done.stderr or done.stdout).strip()[-1500:]
        raise RnnprepError(f"The grader process failed (exit {done.returncode}) before answering:\n{detail}") from None
