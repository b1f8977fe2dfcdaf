"""Turn the child's reports and the torch references into tests and one-paragraph errors.

Nothing the child wrote is trusted as a verdict: a test passes only when its output came
back, decodes, and matches the reference computed in this process.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rnnprep.grading.compare import called_text
from rnnprep.grading.framework import Array, Case, Mapping, Seq, Spec, Suite
from rnnprep.grading.result import CheckResult, TestResult

if TYPE_CHECKING:
    from rnnprep.grading.runner import ChildReport

DIAGNOSIS_MODULE = "rnnprep.grading.diagnosis"


@dataclass
class Failure:
    """The first failing case, for the capsule: its inputs, expected and (if any) actual output."""

    case: Case
    expected: Any
    actual: Any = None


def judge(
    suite: Suite,
    cases: list[Case],
    expected: list[Any],
    report: ChildReport,
    result: CheckResult,
    timeout: float,
) -> Failure | None:
    """Fill result.tests and result.error; return the first failing case."""
    name = result.file.name
    if report.imported is None:
        result.error = _no_import_report(name, report, timeout)
        return None
    if not report.imported.get("ok"):
        result.error = _import_problem(name, suite, cases, report.imported)
        return None
    failure: Failure | None = None
    stopped = False
    for case, want, record in zip(cases, expected, report.cases, strict=True):
        if stopped:
            result.tests.append(
                TestResult(case.name, False, "Not run: the check stopped at an earlier test.")
            )
            continue
        test, actual = _judge_case(suite, case, want, record, report, timeout, name)
        stopped = record is None
        result.tests.append(test)
        if not test.passed and failure is None:
            failure = Failure(case, want, actual)
    if result.error is None:
        result.error = _ending_problem(report, stopped, timeout)
    return failure


def _judge_case(
    suite: Suite,
    case: Case,
    want: Any,
    record: dict[str, Any] | None,
    report: ChildReport,
    timeout: float,
    name: str,
) -> tuple[TestResult, Any]:
    """One test from one case's record: missing, raised, unreadable, or compared."""
    called = called_text(case)
    if record is None:
        if report.timed_out:
            why = (
                f"Timed out after {timeout:g} s during this test. Look for a loop that never "
                f"ends (a while loop whose condition never changes, or a range over the wrong size)."
            )
        else:
            why = (
                f"No result: the grading process ended (exit code {report.returncode}) during "
                f"this test. Does your code call os._exit() or crash the interpreter?"
            )
        return TestResult(case.name, False, f"{called}\n{why}"), None
    if record.get("unreadable"):
        return TestResult(
            case.name,
            False,
            f"{called}\nThe report of this test is missing or damaged (did your code write files "
            f"in its working directory?), so it cannot count as a pass.",
        ), None
    if not record.get("ok"):
        return TestResult(
            case.name, False, raised_message(case, record.get("error") or {}, name)
        ), None
    actual = record["value"]
    verdict = suite.check(case, actual, want)
    if verdict.kind not in ("value", "shape"):  # a wrong shape can still be a known slip (y, h swapped)
        return TestResult(case.name, verdict.passed, verdict.message), actual
    ids, lines = diagnose(suite.kata, case, normalise(case.returns, actual), want)
    message = "\n".join([verdict.message, *lines])
    return TestResult(case.name, False, message, ids), actual


def raised_message(case: Case, error: dict[str, Any], name: str) -> str:
    """One paragraph: the call, the exception, and the line of the user's file."""
    kind, text, frames = (
        error.get("type", "Exception"),
        error.get("message", ""),
        error.get("frames") or [],
    )
    target = case.call.method or case.call.target
    where = _where(frames, name)
    head = called_text(case)
    if kind == "NotImplementedError":
        return (
            f"{head} It raised NotImplementedError{where}: this is still the starter. "
            f"Replace `raise NotImplementedError` with your implementation."
        )
    if kind == "SystemExit":
        return (
            f"{head} It called sys.exit() ({text}){where}. A kata function must return its "
            f"result, not exit."
        )
    if not frames and kind == "TypeError":
        return (
            f"{head} It could not be called: TypeError: {text}. The contract is "
            f"{_contract(case)}: keep the parameters in that order."
        )
    return f"{head} {target} raised {kind}: {text}{where}."


def _where(frames: list[dict[str, Any]], name: str) -> str:
    """' at lstm.py line 23 in lstm_forward: `...`', plus the caller's line when there is one."""
    if not frames:
        return ""
    last = frames[-1]
    text = f" at {name} line {last.get('line')} in {last.get('function')}: `{last.get('text', '')}`"
    if len(frames) > 1:
        outer = frames[-2]
        text += f" (called from line {outer.get('line')} in {outer.get('function')})"
    return text


def _contract(case: Case) -> str:
    """'lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh)'."""
    call = case.call
    params = ", ".join([*call.args, *call.kwargs])
    if call.method is None:
        return f"{call.target}({params})"
    return f"{call.target}(input_size, hidden_size, output_size).{call.method}({params})"


def _import_problem(name: str, suite: Suite, cases: list[Case], imported: dict[str, Any]) -> str:
    """One paragraph for a file that failed to import or lacks an entry point."""
    error = imported.get("error")
    if error is None:
        missing = imported.get("missing") or list(suite.entry)
        defined = imported.get("defined") or []
        close = difflib.get_close_matches(missing[0], defined, n=1)
        guess = f" Did you mean {close[0]}? " if close else " "
        contract = _contract(cases[0]) if cases else missing[0]
        found = (
            f"it defines {', '.join(defined)}" if defined else "it defines no functions or classes"
        )
        return (
            f"{name} does not define {' or '.join(missing)} ({found}).{guess}"
            f"The grader calls {contract}: keep that exact name."
        )
    kind, text, frames = (
        error.get("type", "Exception"),
        error.get("message", ""),
        error.get("frames") or [],
    )
    where = _where(frames, name)
    if kind == "SystemExit":
        return (
            f"{name} called sys.exit() while being imported ({text}){where}. A kata file must "
            f"only define functions and classes; nothing was graded."
        )
    if "rnnprep katas are solved in NumPy" in text:
        return (
            f"{name} tried to import a forbidden framework{where}: {text}. Remove the import "
            f"and write the computation with numpy arrays; nothing was graded."
        )
    return (
        f"{name} raised {kind} while being imported{where}: {text}. Code at the top level of "
        f"the file runs on import; fix it so the file imports cleanly. Nothing was graded."
    )


def _no_import_report(name: str, report: ChildReport, timeout: float) -> str:
    """One paragraph when the child never said whether the file imported."""
    if report.timed_out:
        return (
            f"Timed out after {timeout:g} s while importing {name}: code at the top level of "
            f"the file never finished. Move any long computation or loop into the functions."
        )
    if report.returncode == 0:
        return (
            f"The grading process stopped (exit code 0) before {name} finished importing, "
            f"so nothing was graded. Does the file call os._exit() at import time? A kata "
            f"file must only define functions and classes."
        )
    detail = f" Its last words: {report.stderr.strip()[-600:]}" if report.stderr.strip() else ""
    return (
        f"The grading process crashed (exit code {report.returncode}) while importing {name}, "
        f"so nothing was graded.{detail}"
    )


def _ending_problem(report: ChildReport, stopped: bool, timeout: float) -> str | None:
    """A problem with how the child finished, even if every case came back."""
    if stopped:
        if report.timed_out:
            return f"Timed out after {timeout:g} s: the check was stopped (see the test marked timed out)."
        return (
            f"The grading process ended early (exit code {report.returncode}), so some tests "
            f"never ran. Does your code call os._exit()?"
        )
    if report.done is None:
        if report.timed_out:
            return (
                f"Timed out after {timeout:g} s after the last test: something your file "
                f"started kept the process alive."
            )
        return (
            f"The grading process did not finish (exit code {report.returncode}) after the "
            f"last test, so the grade cannot be trusted. Does your code call os._exit()?"
        )
    loaded = report.done.get("forbidden_loaded")
    if loaded:
        return (
            f"Rejected: your code imported {', '.join(map(str, loaded))} while it ran. Katas "
            f"must be solved in NumPy; remove every use of those frameworks."
        )
    return None


def normalise(spec: Spec, value: Any) -> Any:
    """Lists as tuples, following the return spec, so the diagnosis sees one structure."""
    if isinstance(spec, Seq):
        return tuple(normalise(s, v) for s, v in zip(spec.items, value, strict=True))
    if isinstance(spec, Mapping):
        return {k: normalise(s, value[k]) for k, s in spec.items.items()}
    if isinstance(spec, Array):
        return value
    return float(value)


def diagnose(kata: str, case: Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """Mistake ids and the lines that explain them, from the diagnosis package when present."""
    try:
        diagnosis = importlib.import_module(DIAGNOSIS_MODULE)
    except ModuleNotFoundError as error:
        if error.name in (DIAGNOSIS_MODULE, "rnnprep.grading.diagnosis"):
            return [], []  # not written yet: grades do not depend on it
        raise
    inputs = case.call.inputs()
    ids = list(diagnosis.diagnose(kata, inputs, actual, case.tol.atol))
    lines = []
    where = diagnosis.localise(kata, inputs, expected, actual, case.tol.atol)
    if where:
        lines.append(f"Where: {where}")
    quiz_ids: list[str] = []
    for mistake_id in ids:
        mistake = diagnosis.CATALOGUE[mistake_id]
        lines.append(
            f"Likely mistake ({mistake_id}): {mistake.title}. {mistake.explanation} "
            f"Fix: {mistake.fix}"
        )
        quiz_ids += [q for q in mistake.quiz_ids if q not in quiz_ids]
    if quiz_ids:
        lines.append("Review: rnnprep quiz " + " ".join(f"--id {q}" for q in quiz_ids))
    return ids, lines
