"""Grade many submissions of one kata: same cases for all, in parallel, each in its own sandbox.

    report = BatchReport.start(kata.name, seed)
    for row in grade_all(kata, submissions, seed=seed, jobs=2):
        report.add(row)

Workers are processes that import torch once and keep a sandboxed child started ahead of
the next submission, so a submission costs a child with numpy plus one pytest run of the
hidden suite. Within a worker the cases are drawn once and each case's torch reference is
computed once (see Grader's ``shared``). A submission that hangs, crashes or attacks the
grader only ends its own child: its row says so. A worker that dies (the grader's own
failure) costs the submissions it held a row each, and a new worker takes over.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rnnprep.grading.submissions import Submission
from rnnprep.grading.types import DEFAULT_TIMEOUT, CheckResult

REPORT_FORMAT = 1


@dataclass
class BatchRow:
    """One submission's grade, as the JSON report holds it."""

    submission: str
    file: str
    graded: bool  # False: it could not be graded (unreadable, missing, the grader failed)
    passed: bool
    tests_passed: int = 0
    tests_total: int = 0
    diagnosis: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    isolation: str = ""
    tests: list[dict[str, Any]] = field(default_factory=list)  # name, passed, stage, diagnosis, message

    @classmethod
    def ungraded(cls, submission: Submission, reason: str) -> BatchRow:
        """A row for a submission that could not be graded."""
        return cls(submission.name, submission.origin, graded=False, passed=False, error=reason)

    @classmethod
    def from_check(cls, submission: Submission, result: CheckResult) -> BatchRow:
        """A row from a finished check."""
        tests = [{"name": t.name, "passed": t.passed, "stage": t.stage.value, "diagnosis": list(t.diagnosis),
                  "message": t.message} for t in result.tests]  # fmt: skip
        return cls(
            submission.name, submission.origin, graded=True, passed=result.passed,
            tests_passed=sum(t.passed for t in result.tests),
            tests_total=max(result.expected_tests, len(result.tests)),
            diagnosis=result.diagnosis, error=result.error, seconds=round(result.seconds, 3),
            isolation=result.isolation, tests=tests,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BatchRow:
        """Back from the JSON form (unknown keys ignored)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class BatchReport:
    """Everything one run (or several merged shards) graded."""

    kata: str
    seed: int
    rows: list[BatchRow] = field(default_factory=list)
    shard: str | None = None  # "2/4" for one shard of a larger run

    def add(self, row: BatchRow) -> None:
        """Record a finished submission (replacing an earlier row of the same submission)."""
        self.rows = [r for r in self.rows if r.submission != row.submission] + [row]

    def done(self) -> set[str]:
        """Submissions already graded (a resumed run skips them)."""
        return {row.submission for row in self.rows if row.graded}

    def summary(self) -> dict[str, Any]:
        """Counts a gradebook and the class report need."""
        graded = [r for r in self.rows if r.graded]
        passing = [r for r in graded if r.passed]
        failing = [r for r in graded if not r.passed]
        mistakes: dict[str, int] = {}
        for row in failing:
            for mistake in row.diagnosis:
                mistakes[mistake] = mistakes.get(mistake, 0) + 1
        failing_tests: dict[str, int] = {}
        for row in graded:
            for test in row.tests:
                if not test["passed"]:
                    failing_tests[test["name"]] = failing_tests.get(test["name"], 0) + 1
        return {
            "submissions": len(self.rows),
            "graded": len(graded),
            "ungraded": len(self.rows) - len(graded),
            "passed": len(passing),
            "failed": len(failing),
            "pass_rate": round(len(passing) / len(graded), 4) if graded else None,
            "mistakes": dict(sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "failing_tests": dict(sorted(failing_tests.items(), key=lambda kv: (-kv[1], kv[0]))),
            "isolation": sorted({r.isolation for r in graded if r.isolation}),
        }

    def to_dict(self) -> dict[str, Any]:
        """The --json report: the per-submission rows and a summary."""
        return {
            "format": REPORT_FORMAT,
            "kata": self.kata,
            "seed": self.seed,
            "shard": self.shard,
            "submissions": [r.to_dict() for r in sorted(self.rows, key=lambda r: r.submission)],
            "summary": self.summary(),
        }

    def write_json(self, path: Path) -> None:
        """Write the --json report (atomically, like every report file)."""
        write_atomically(path, json.dumps(self.to_dict(), indent=1))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BatchReport:
        """Back from the --json form; ValueError when it is not one."""
        if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT or "submissions" not in data:
            raise ValueError("not a report of `rnnprep grade --json` (format 1)")
        rows = [BatchRow.from_dict(item) for item in data["submissions"]]
        return cls(str(data["kata"]), int(data["seed"]), rows, data.get("shard"))


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary name: a crash mid-write leaves the previous version whole."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def merge(reports: list[BatchReport]) -> BatchReport:
    """One report from the shards of a run: same kata and seed, no submission twice."""
    first = reports[0]
    merged = BatchReport(first.kata, first.seed)
    for report in reports:
        if (report.kata, report.seed) != (first.kata, first.seed):
            raise ValueError(f"cannot merge a report of {report.kata} seed {report.seed} with one of "
                             f"{first.kata} seed {first.seed}: shards of one run share the kata and the seed")  # fmt: skip
        for row in report.rows:
            if any(r.submission == row.submission for r in merged.rows):
                raise ValueError(f"{row.submission} is in more than one report: were the shards overlapping?")
            merged.rows.append(row)
    return merged


# --- the pool -------------------------------------------------------------------------------------


def grade_all(kata_name: str, katas_dirs: tuple[Path, ...], submissions: list[Submission], *, seed: int,
              jobs: int, timeout: float = DEFAULT_TIMEOUT,
              on_start: Callable[[], None] | None = None) -> Iterator[BatchRow]:  # fmt: skip
    """Yield a row per submission as each finishes (in finishing order).

    When a worker dies (the grader's own failure: a submission cannot reach it from its
    sandbox), the submissions in flight are graded again by a new pool; one that was in
    flight at two deaths gets an ungraded row instead.
    """
    pending = [s for s in submissions if s.source is not None]
    for submission in submissions:
        if submission.source is None:
            yield BatchRow.ungraded(submission, submission.problem or "no source")
    deaths: dict[Submission, int] = {}
    while pending:
        run = _PoolRun(kata_name, katas_dirs, pending, seed, timeout, jobs)
        try:
            for submission, row in run.rows(on_start):
                pending.remove(submission)
                yield row
        except BrokenProcessPool:
            for submission in run.in_flight():
                deaths[submission] = deaths.get(submission, 0) + 1
                if deaths[submission] >= 2:
                    pending.remove(submission)
                    yield BatchRow.ungraded(submission, "the grader's worker process died twice while grading it")


class _PoolRun:
    """One process pool grading `pending`, one submission in flight per worker."""

    def __init__(self, kata_name: str, katas_dirs: tuple[Path, ...], pending: list[Submission], seed: int,
                 timeout: float, jobs: int) -> None:  # fmt: skip
        self.queue = iter(list(pending))
        self.workers = max(1, min(jobs, len(pending)))
        self.args = (kata_name, katas_dirs)
        self.seed, self.timeout = seed, timeout
        self.futures: dict[Future[BatchRow], Submission] = {}

    def in_flight(self) -> list[Submission]:
        """The submissions being graded when the pool broke."""
        return list(self.futures.values())

    def rows(self, on_start: Callable[[], None] | None) -> Iterator[tuple[Submission, BatchRow]]:
        context = multiprocessing.get_context("spawn")  # a worker shares nothing with the CLI
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                 initializer=_worker_start, initargs=self.args) as pool:  # fmt: skip
            if on_start is not None:
                on_start()
            for _ in range(self.workers):
                self._submit_next(pool)
            try:
                while self.futures:
                    finished, _ = wait(self.futures, return_when=FIRST_COMPLETED)
                    for future in finished:
                        submission = self.futures[future]
                        row = _row_of(future, submission)  # BrokenProcessPool propagates
                        del self.futures[future]
                        self._submit_next(pool)
                        yield submission, row
            except BrokenProcessPool:
                raise  # the caller asks in_flight() which submissions were lost
            except BaseException:  # Ctrl-C: what finished is already out; stop the rest now
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def _submit_next(self, pool: ProcessPoolExecutor) -> None:
        submission = next(self.queue, None)
        if submission is not None:
            self.futures[pool.submit(_grade_one, submission, self.seed, self.timeout)] = submission


def _row_of(future: Future[BatchRow], submission: Submission) -> BatchRow:
    try:
        return future.result()
    except BrokenProcessPool:
        raise
    except Exception as error:  # a bug of ours on one submission: its row says so
        return BatchRow.ungraded(submission, f"the grader failed on this submission ({type(error).__name__}: {error})")


# --- inside a worker ------------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _worker_start(kata_name: str, katas_dirs: tuple[Path, ...]) -> None:
    """Import torch and the suite's helpers once; start the first child."""
    from rnnprep import registry
    from rnnprep.grading.check import warm_imports
    from rnnprep.grading.grader import SharedCases
    from rnnprep.sandbox import Sandbox

    warm_imports()
    _worker["kata"] = registry.default(katas_dirs).get(kata_name)
    _worker["shared"] = SharedCases()
    _worker["spare"] = Sandbox.start()


def _grade_one(submission: Submission, seed: int, timeout: float) -> BatchRow:
    """Grade one submission in the waiting child, then start the next child at once."""
    from rnnprep.grading.check import check_source
    from rnnprep.sandbox import Sandbox

    sandbox, _worker["spare"] = _worker.pop("spare", None) or Sandbox.start(), None
    started = time.perf_counter()
    try:
        assert submission.source is not None
        result = check_source(_worker["kata"], submission.source, Path(submission.origin.rsplit(":", 1)[-1]),
                              seed=seed, timeout=timeout, sandbox=sandbox, shared=_worker["shared"])  # fmt: skip
    finally:
        _worker["spare"] = Sandbox.start()  # its numpy loads while the parent hands us the next file
    row = BatchRow.from_check(submission, result)
    row.seconds = round(time.perf_counter() - started, 3)
    return row
