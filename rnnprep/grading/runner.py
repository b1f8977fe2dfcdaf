"""Orchestrate a check: draw cases, run the submission in a child, judge its outputs here.

The parent draws the cases from the seed, writes them to a private temp dir (np.savez, no
pickle), starts the child (numpy + the user's file only) and, while it runs, imports torch
and computes the expected outputs. The comparison happens in this process, out of the
submission's reach; a check passes only when every case came back and matched.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnprep.errors import RnnprepError
from rnnprep.grading import child
from rnnprep.grading.result import CheckResult
from rnnprep.grading.scan import source_problem
from rnnprep.grading.suites import load_suite

if TYPE_CHECKING:
    from rnnprep.grading.framework import Case, Suite
    from rnnprep.grading.judge import Failure

DEFAULT_TIMEOUT = 10.0


def check_file(
    kata: str,
    path: Path,
    *,
    seed: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    capsule_dir: Path | None = None,
    isolated: bool = True,
) -> CheckResult:
    """Grade the user's file for kata against torch on fresh cases drawn from seed.

    The file runs in a child process killed after ``timeout`` seconds. ``isolated=False``
    runs it in this process instead, without a timeout: only for trusted code such as the
    reference solutions and fixtures of the content tests, where spawning is not the point.
    """
    started = time.perf_counter()
    suite = load_suite(kata)
    path = Path(path)
    source = read_source(path)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    result = CheckResult(kata=kata, seed=seed, file=path)
    result.error = source_problem(path, source)
    if result.error is None:
        failure = _grade(suite, path, result, timeout, isolated)
        if failure is not None and not result.passed:
            from rnnprep.grading.capsule import write_capsule

            result.capsule = write_capsule(result, failure, capsule_dir or path.parent)
    result.seconds = time.perf_counter() - started
    return result


def read_source(path: Path) -> str:
    """The submission's text, or a clear error naming the file."""
    if not path.is_file():
        raise RnnprepError(
            f"{path} does not exist. Start the kata with `rnnprep kata start NAME`, "
            f"or point --file at your implementation."
        )
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RnnprepError(
            f"Cannot read {path}: {error}. Save it as UTF-8 text and retry."
        ) from error


def _grade(
    suite: Suite, path: Path, result: CheckResult, timeout: float, isolated: bool
) -> Failure | None:
    """Run the child, compute references meanwhile, judge every case; the first failure back."""
    import numpy as np

    cases = suite.cases(np.random.default_rng(result.seed))
    result.expected_tests = len(cases)
    with tempfile.TemporaryDirectory(prefix="rnnprep-check-") as tmp:
        workdir = Path(tmp)
        write_job(workdir, path, suite, cases)
        run = ChildRun(workdir, timeout) if isolated else InProcessRun(workdir)
        try:
            expected = [suite.expected(case) for case in cases]  # imports torch meanwhile
            run.wait()
        finally:
            run.stop()
        report = read_report(workdir, len(cases), run)
    from rnnprep.grading.judge import judge

    return judge(suite, cases, expected, report, result, timeout)


def write_job(workdir: Path, path: Path, suite: Suite, cases: list[Case]) -> None:
    """manifest.json (what to call) and inputs.npz (every array of every case)."""
    import numpy as np

    arrays: dict[str, Any] = {}
    encoded = []
    for number, case in enumerate(cases):
        call = case.call
        node = {
            "target": call.target,
            "args": [child.encode(v, arrays, "in") for v in call.args.values()],
            "kwargs": {k: child.encode(v, arrays, "in") for k, v in call.kwargs.items()},
            "method": call.method,
            "init_args": [child.encode(v, arrays, "in") for v in call.init_args],
            "attrs": {k: child.encode(v, arrays, "in") for k, v in call.attrs.items()},
            "errstate": dict(call.errstate),
        }
        encoded.append({"id": number, "call": node})
    np.savez(workdir / child.INPUTS, **arrays)
    manifest = {
        "file": str(path.resolve()),
        "module": f"rnnprep_submission_{path.stem}"
        if path.stem.isidentifier()
        else "rnnprep_submission",
        "entry": list(suite.entry),
        "cases": encoded,
        # -I leaves out user site-packages; numpy must be found wherever it lives.
        "sys_path": [str(Path(np.__file__).resolve().parent.parent)],
    }
    (workdir / child.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def child_env() -> dict[str, str]:
    """The child's environment: no pytest plugins, no bytecode, one BLAS thread."""
    env = dict(os.environ)
    env |= {
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Small matrices: threads only slow the start and compete with the parent's torch import.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    return env


class ChildRun:
    """The child process, killed with its whole process group when the timeout expires."""

    def __init__(self, workdir: Path, timeout: float) -> None:
        self.timed_out = False
        # -I: no user site, no PYTHON* variables, no cwd on sys.path; -B: no __pycache__.
        command = [sys.executable, "-I", "-B", str(Path(child.__file__).resolve()), str(workdir)]
        with open(workdir / "stdout.txt", "wb") as out, open(workdir / "stderr.txt", "wb") as err:
            self.proc = subprocess.Popen(
                command,
                cwd=workdir,
                env=child_env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=os.name == "posix",  # its own group, so one kill takes all
            )
        self.timer = threading.Timer(timeout, self._expire)
        self.timer.daemon = True
        self.timer.start()

    def _expire(self) -> None:
        """Called at the deadline: kill the child if it still runs."""
        if self.proc.poll() is None:
            self.timed_out = True
            self._kill()

    def _kill(self) -> None:
        """SIGKILL the child's process group (or the child alone where groups do not exist)."""
        try:
            if os.name == "posix":
                os.killpg(self.proc.pid, 9)
            else:
                self.proc.kill()
        except (ProcessLookupError, PermissionError):
            pass

    @property
    def returncode(self) -> int | None:
        """The child's exit code (negative: killed by that signal)."""
        return self.proc.returncode

    def wait(self) -> int:
        """Block until the child ends; the timer guarantees it does."""
        return self.proc.wait()

    def stop(self) -> None:
        """Cancel the timer and make sure no child is left behind (also on Ctrl-C)."""
        self.timer.cancel()
        if self.proc.poll() is None:
            self._kill()
        self.proc.wait()


class InProcessRun:
    """Stands in for ChildRun when trusted code is graded in this process."""

    timed_out = False

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.returncode = 0

    def wait(self) -> int:
        """Run the submission here, now."""
        child.run(self.workdir, isolated=False)
        return 0

    def stop(self) -> None:
        """Nothing to clean up."""


@dataclass
class ChildReport:
    """Everything the child left behind, read back without trusting any of it."""

    returncode: int
    timed_out: bool
    imported: dict[str, Any] | None
    cases: list[dict[str, Any] | None] = field(default_factory=list)
    done: dict[str, Any] | None = None
    stderr: str = ""


def read_report(workdir: Path, count: int, run: ChildRun | InProcessRun) -> ChildReport:
    """Load the child's reports; missing or garbled files become None."""
    report = ChildReport(
        returncode=run.returncode,
        timed_out=run.timed_out,
        imported=_read_json(workdir / child.IMPORT_REPORT),
        done=_read_json(workdir / child.DONE_REPORT),
        stderr=_tail(workdir / "stderr.txt"),
    )
    report.cases = [_read_case(workdir, number) for number in range(count)]
    return report


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from path, None when absent or not a JSON object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _read_case(workdir: Path, number: int) -> dict[str, Any] | None:
    """One case's report with its output decoded ("value"); None when missing or unreadable."""
    import numpy as np

    record = _read_json(workdir / f"case-{number}.json")
    if record is None or not record.get("ok"):
        return record
    try:
        with np.load(workdir / f"case-{number}.npz", allow_pickle=False) as arrays:
            record["value"] = child.decode(record["output"], arrays)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {"ok": False, "unreadable": True}
    return record


def _tail(path: Path, limit: int = 1500) -> str:
    """The end of a log file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return text[-limit:]
