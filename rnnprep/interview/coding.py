"""The coding section of a mock interview: one kata, against the clock.

The starter goes to ``<workspace>/interview/KATA.py`` (an earlier file there is backed up,
never lost) and the instructions are shown. Then, at the `coding>` prompt:

- ``submit`` grades the file and ends the section; ``submit PATH`` grades another file;
- ``skip`` ends it without a grade; ``time`` shows the clock;
- on a terminal every save of the file is also checked, as `kata --watch` does, with the
  grader kept warm; when the time is up the file is graded as it stands.

From a pipe the same commands come one per line (no saves to watch), which makes the whole
interview scriptable. The end of input counts as a skip.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnprep import registry
from rnnprep.errors import RnnprepError
from rnnprep.interview.report import CodingRecord, clock_text
from rnnprep.quiz.session import Console

if TYPE_CHECKING:
    from rnnprep.grading.types import CheckResult
    from rnnprep.registry import Kata

Grade = Callable[["Kata", Path, Any], "CheckResult"]  # (kata, file, a waiting sandbox or None)
COMMANDS = "submit · submit PATH · skip · time"


class TimeUp(Exception):
    """The coding section's clock ran out while the learner was at the prompt."""


class CodingSection:
    """Runs the coding section (see the module docstring)."""

    def __init__(self, console: Console, workspace: Path, grade: Grade, clock: Callable[[], float],
                 katas_dirs: tuple[Path, ...] = (), watch: bool = False) -> None:  # fmt: skip
        self.console, self.workspace, self.grade, self.clock = console, workspace, grade, clock
        self.katas_dirs, self.watch = katas_dirs, watch
        self.lock = threading.Lock()  # one check at a time (saves and submit)
        self.checks = 0

    def run(self, kata_name: str, deadline: float) -> CodingRecord:
        kata = registry.get(kata_name, self.katas_dirs)
        path = self._write_starter(kata)
        self.console.show(kata.instructions().rstrip())
        self.console.show(self.console.style(
            f"\nYour file: {path}\nEdit it in your editor"
            + (" (every save is checked)" if self.watch else "") + f"; at the prompt: {COMMANDS}.", bold=True))  # fmt: skip
        record = CodingRecord(kata.name, "in progress")
        with self._watching(kata, path, deadline):
            try:
                self._prompt(kata, path, deadline, record)
            except TimeUp:
                self.console.show(self.console.style("\nTime is up: your file is graded as it stands.", fg="yellow"))
                self._final(kata, path, record, "time up")
        record.checks = self.checks
        return record

    # --- the prompt ---------------------------------------------------------------------------------

    def _prompt(self, kata: Kata, path: Path, deadline: float, record: CodingRecord) -> None:
        while True:
            left = deadline - self.clock()
            if left <= 0:
                raise TimeUp
            with self._alarm(left):
                line = self.console.read(f"coding [{clock_text(left)} left]> ")
            if line is None:
                record.outcome, record.ended_by = "skipped", "end of input"
                return
            command, _, argument = line.strip().partition(" ")
            if command == "submit":
                target = Path(argument.strip()).expanduser() if argument.strip() else path
                if not target.is_file():
                    self.console.show(f"{target}: no such file. `submit` grades {path}; `submit PATH` another file.")
                    continue
                self._final(kata, target, record, "submit")
                return
            if command == "skip":
                record.outcome, record.ended_by = "skipped", "skip"
                self.console.show("Skipped: no grade for the coding section.")
                return
            if command == "time":
                self.console.show(f"{clock_text(deadline - self.clock())} left.")
            elif command:
                self.console.show(f"Commands: {COMMANDS}. Save your file to have it checked.")

    def _final(self, kata: Kata, path: Path, record: CodingRecord, ended_by: str) -> None:
        """The graded result that counts for the section."""
        result = self._check(kata, path)
        record.ended_by = ended_by
        if result is None:
            record.outcome, record.error = "failed", "the file could not be graded"
            return
        record.outcome = "passed" if result.passed else "failed"
        record.tests_passed = sum(t.passed for t in result.tests)
        record.tests_total = max(result.expected_tests, len(result.tests))
        record.diagnosis, record.error = result.diagnosis, result.error

    def _check(self, kata: Kata, path: Path, sandbox: Any = None) -> CheckResult | None:
        from rnnprep.grading.render import render_result

        with self.lock:
            try:
                result = self.grade(kata, path, sandbox)
            except RnnprepError as error:
                self.console.show(f"Error: {error}")
                return None
            self.checks += 1
            self.console.show(render_result(result, self.console.style))
            return result

    # --- the clock and the watched file -------------------------------------------------------------

    @contextlib.contextmanager
    def _alarm(self, seconds: float) -> Iterator[None]:
        """On a terminal, interrupt the prompt when the time is up (SIGALRM, main thread only)."""
        usable = self.watch and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        if not usable:
            yield
            return

        def ring(signum: int, frame: object) -> None:
            raise TimeUp

        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    @contextlib.contextmanager
    def _watching(self, kata: Kata, path: Path, deadline: float) -> Iterator[None]:
        """On a terminal, check every save in a background thread with a warm grader."""
        if not self.watch:
            yield
            return
        from rnnprep.kata.watch import WarmGrader, changes

        stop = threading.Event()
        grader = WarmGrader()

        def loop() -> None:
            grader.warm_up()
            saves = changes(path, stop)
            next(saves)  # the first yield is the starter itself: nothing to check yet
            for _ in saves:
                self.console.show("")
                self._check(kata, path, grader.take())
                grader.prepare_next()
                self.console.show(self.console.style(f"{clock_text(deadline - self.clock())} left · {COMMANDS}", dim=True))

        thread = threading.Thread(target=_quietly(loop), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            grader.close()

    def _write_starter(self, kata: Kata) -> Path:
        """A fresh starter (and its README) in <workspace>/interview/; an earlier file is backed up."""
        from rnnprep.kata.workspace import backup, pristine_starter

        path = self.workspace / "interview" / f"{kata.name}.py"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                saved = backup(path)
                self.console.show(f"(Your earlier {path.name} is kept as {saved.name}.)")
            path.write_text(pristine_starter(kata), encoding="utf-8")
            (path.parent / "README.md").write_text(kata.readme.read_text(encoding="utf-8"), encoding="utf-8")
        except OSError as error:
            raise RnnprepError(f"Cannot write the kata's starter to {path.parent} ({error.strerror}). Choose a "
                               f"writable folder with --workspace DIR (or RNNPREP_WORKSPACE).") from None  # fmt: skip
        return path


def _quietly(target: Callable[[], None]) -> Callable[[], None]:
    """A thread body whose errors end the watching, not the interview."""

    def run() -> None:
        with contextlib.suppress(Exception):
            target()

    return run
