"""The pytest plugin object of one grading run: the sandbox, the seed and the outcomes.

`Grader` is registered with pytest (in-process by check.py, or by plugin.py when a user runs
the hidden suite with their own pytest). It parametrizes every test that takes ``case`` with
the suite module's ``cases(rng)``, sends every case's call to the sandbox as soon as the
suite is collected, gives tests the ``submission`` fixture, and turns each test's report
into a ``TestOutcome``: the tutor message, the stage and the diagnosis ids of the
``KataFailure`` a test raised, or the message and notes of a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pytest

from rnnprep.grading import messages, suite
from rnnprep.grading.spec import Case
from rnnprep.grading.types import KataFailure, Stage, TestOutcome
from rnnprep.sandbox import LoadReport, Sandbox


def case_of(item: pytest.Item) -> Case | None:
    """The case a collected test was parametrized with, if any."""
    callspec = getattr(item, "callspec", None)
    value = callspec.params.get("case") if callspec is not None else None
    return value if isinstance(value, Case) else None


class SharedCases:
    """What every check of a batch shares within one process.

    All submissions are graded on the same seed, so a suite's cases are drawn once, and the
    reference of each case is computed once: a suite's ``reference(case)`` is memoised for
    those shared cases (a call with more arguments, like dropout's with the submission's own
    mask, is not). Callers get a copy, so no test can spoil the next submission's reference.
    """

    def __init__(self) -> None:
        self._cases: dict[tuple[str, int], list[Case]] = {}
        self._shared: set[int] = set()  # id() of every shared case (the lists keep them alive)
        self._references: dict[tuple[str, int], Any] = {}

    def cases(self, suite_file: str, seed: int, draw: Callable[[], list[Case]]) -> list[Case]:
        """The suite's cases for this seed, drawn on first use."""
        key = (suite_file, seed)
        if key not in self._cases:
            self._cases[key] = draw()
            self._shared |= {id(case) for case in self._cases[key]}
        return self._cases[key]

    def memoised(self, suite_file: str, reference: Callable[..., Any]) -> Callable[..., Any]:
        """`reference`, computed once per shared case."""
        import copy

        def shared_reference(case: Case, *more: Any, **options: Any) -> Any:
            if more or options or id(case) not in self._shared:
                return reference(case, *more, **options)
            key = (suite_file, id(case))
            if key not in self._references:
                self._references[key] = reference(case)
            return copy.deepcopy(self._references[key])

        shared_reference.shared = True  # type: ignore[attr-defined]
        return shared_reference


class Grader:
    """State and hooks of one run of a hidden suite against one submission."""

    def __init__(self, sandbox: Sandbox, filename: str, seed: int, timeout: float,
                 shared: SharedCases | None = None) -> None:  # fmt: skip
        self.sandbox = sandbox
        self.shared = shared
        self.filename = filename  # the name messages use ("lstm.py")
        self.seed = seed
        self.timeout = timeout
        self.outcomes: list[TestOutcome] = []
        self.collected = 0
        self.problems: list[str] = []  # the suite itself could not be collected or run
        self.first_failure: KataFailure | None = None
        self.interrupted = False
        self._sent: dict[int, int] = {}  # id(case) -> the sandbox's call number
        self._stopped = False
        self._loaded: LoadReport | None = None
        self._recorded: set[str] = set()

    # --- the submission ------------------------------------------------------------------------

    def loaded(self) -> LoadReport:
        """How loading the submission went (waits for the child once)."""
        if self._loaded is None:
            self._loaded = self.sandbox.loaded()
        return self._loaded

    def call(self, case: Case) -> Any:
        """Run the case's call in the sandbox; the value, or a KataFailure with the reason."""
        loaded = self.loaded()
        if not loaded.ok:
            raise KataFailure(
                messages.load_problem(self.filename, loaded.error, loaded.problem, self.timeout), Stage.RAISED
            )
        if case.call.target not in loaded.defined:
            raise KataFailure(messages.missing_entry(self.filename, [case.call.target], loaded.defined), Stage.STRUCTURE)
        if self._stopped:
            raise KataFailure(messages.NOT_RUN, Stage.NOT_RUN)
        number = self._sent.get(id(case))
        if number is None:
            number = self._sent[id(case)] = self.sandbox.send_call(case.call.request())
        outcome = self.sandbox.result(number)
        if outcome.output:
            suite.current().output.append(outcome.output)
        if outcome.kind == "value":
            return outcome.value
        if outcome.kind == "raised":
            raise KataFailure(messages.raised(case, outcome.error or {}, self.filename), Stage.RAISED)
        self._stopped = True
        if outcome.kind == "timeout":
            raise KataFailure(messages.timed_out(case, self.timeout), Stage.TIMEOUT)
        if outcome.kind == "unreadable":
            text = messages.UNREADABLE.format(detail=outcome.detail)
            raise KataFailure(f"{case.called()}\n{text}", Stage.UNREADABLE)
        raise KataFailure(messages.crashed(case, outcome.detail), Stage.CRASHED)

    # --- pytest hooks ---------------------------------------------------------------------------

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize `case` with the module's cases(rng), drawn from the run's seed."""
        if "case" not in metafunc.fixturenames:
            return
        draw = getattr(metafunc.module, "cases", None)
        if not callable(draw):
            raise pytest.UsageError(f"{metafunc.module.__file__}: a hidden suite whose tests take `case` must define cases(rng).")
        import numpy as np

        def drawn() -> list[Case]:
            return list(draw(np.random.default_rng(self.seed)))

        if self.shared is None:
            cases = drawn()
        else:
            suite_file = str(metafunc.module.__file__)
            cases = self.shared.cases(suite_file, self.seed, drawn)
            reference = getattr(metafunc.module, "reference", None)  # the suites' convention
            if callable(reference) and not getattr(reference, "shared", False):
                metafunc.module.reference = self.shared.memoised(suite_file, reference)
        metafunc.parametrize("case", cases, ids=[c.name for c in cases])

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Send every case's call now: the child computes while the references are built."""
        self.collected = len(session.items)
        for item in session.items:
            case = case_of(item)
            if case is not None and id(case) not in self._sent:
                self._sent[id(case)] = self.sandbox.send_call(case.call.request())

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A suite that does not even collect (a local kata's bug) is a problem of the run."""
        if report.failed:
            self.problems.append(f"{report.nodeid or 'the suite'} could not be collected:\n{report.longreprtext.strip()[-2000:]}")

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        """Ctrl-C: the caller re-raises it once pytest has cleaned up."""
        self.interrupted = True

    @pytest.fixture
    def submission(self) -> Callable[[Case], Any]:
        """`submission(case)`: the submission's answer to the case, computed in the sandbox."""
        return self.call

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        """Each test starts with an empty record."""
        suite.begin_test()
        return (yield)

    @pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")
    def pytest_runtest_makereport_without_traceback(self, item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport | None:
        """A KataFailure's report carries the tutor message and nothing else: pytest's own
        traceback formatting (source lines of every frame) would cost more than the test."""
        error = call.excinfo.value if call.excinfo is not None else None
        if not isinstance(error, KataFailure):
            return None  # pytest builds the report
        return pytest.TestReport(
            item.nodeid, item.location, {name: 1 for name in item.keywords}, "failed", error.message, call.when,
            duration=call.duration, start=call.start, stop=call.stop,
        )  # fmt: skip

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """File one outcome per test: its call, or a setup/teardown that failed."""
        report = yield
        error = call.excinfo.value if call.excinfo is not None else None
        if isinstance(error, KataFailure):
            report.longrepr = error.message  # an IDE or terminal shows the tutor message, not our frames
        if item.nodeid not in self._recorded and (report.when == "call" or report.failed or report.skipped):
            self._recorded.add(item.nodeid)
            self.outcomes.append(self._outcome(item, call, report))
        return report

    def _outcome(self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> TestOutcome:
        """A TestOutcome from a pytest report."""
        record = suite.current()
        case = case_of(item)
        name = case.name if case is not None else item.name
        output = "".join(record.output)
        notes = list(dict.fromkeys(record.notes))
        if report.passed and report.when == "call":
            return TestOutcome(name, True, record.message or "passed", notes=notes, output=output)
        error = call.excinfo.value if call.excinfo is not None else None
        if isinstance(error, KataFailure):
            if self.first_failure is None and error.case is not None:
                self.first_failure = error
            return TestOutcome(name, False, error.message, error.diagnosis, error.stage, notes, output)
        if report.skipped:
            return TestOutcome(name, False, "Skipped by the hidden suite: a skipped test is not a pass.", stage=Stage.NOT_RUN)
        if isinstance(error, AssertionError):  # a local suite's plain assert: its own message
            text = str(error) or "An assertion of the hidden suite failed."
            return TestOutcome(name, False, f"{case.called()}\n{text}" if case else text, stage=Stage.VALUE,
                               notes=notes, output=output)  # fmt: skip
        kind = call.excinfo.typename if call.excinfo is not None else "an error"
        return TestOutcome(
            name, False,
            f"The hidden test itself failed ({kind}: {error}) after your code answered. This is a "
            f"bug in the grader or in the kata's suite, not in your file; please report it.",
            stage=Stage.GRADER, notes=notes, output=output,
        )  # fmt: skip
