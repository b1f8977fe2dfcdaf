"""The honest grade: the child process, its timeout, and submissions that try to fake a pass.

Most tests here spawn the real child (that is the behaviour under test); each takes well
under a second once torch is imported. Judge-level rules are also tested without a child.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnnprep.content import solutions_dir
from rnnprep.grading import check_file
from rnnprep.grading.judge import judge
from rnnprep.grading.result import CheckResult
from rnnprep.grading.runner import ChildReport, child_env
from rnnprep.grading.suites import load_suite

CHEATS = Path(__file__).parent / "fixtures" / "grading" / "cheats"
LSTM = solutions_dir() / "lstm.py"


def check(name: str, tmp_path: Path, **options):
    """Grade a cheat fixture for the lstm kata through the child process."""
    return check_file("lstm", CHEATS / f"{name}.py", seed=4, capsule_dir=tmp_path, **options)


@pytest.mark.skipif(not LSTM.exists(), reason="reference solution not written yet")
def test_correct_file_passes_through_the_child(tmp_path: Path) -> None:
    submission = tmp_path / "lstm.py"
    submission.write_text(LSTM.read_text())
    result = check_file("lstm", submission)
    assert result.passed, result.error or [t.message for t in result.tests if not t.passed]
    assert result.to_dict()["passed"] is True and len(result.tests) == result.expected_tests
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lstm.py"]  # no __pycache__, no capsule


def test_infinite_loop_times_out_and_the_child_is_killed(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = check("infinite_loop", tmp_path, timeout=1.5)
    assert time.perf_counter() - started < 20  # torch's import dominates; the loop did not
    assert not result.passed
    assert "Timed out after 1.5 s" in result.error
    assert "Timed out after 1.5 s during this test" in result.tests[0].message
    assert all("Not run" in t.message for t in result.tests[1:])


def test_syntax_error_names_the_line_without_running_anything(tmp_path: Path) -> None:
    submission = tmp_path / "lstm.py"
    submission.write_text("import numpy as np\n\ndef lstm_forward(x):\n    h = np.tanh(x @ W.T\n")
    result = check_file("lstm", submission)
    assert not result.passed and not result.tests
    assert "lstm.py line 4 has a syntax error" in result.error
    assert "`h = np.tanh(x @ W.T`" in result.error


def test_torch_import_is_rejected_before_running(tmp_path: Path) -> None:
    result = check("imports_torch", tmp_path)
    assert not result.passed and not result.tests
    assert "imports_torch.py line 4 imports torch" in result.error
    assert "NumPy" in result.error


def test_dynamic_torch_import_is_blocked_in_the_child(tmp_path: Path) -> None:
    result = check("imports_torch_dynamically", tmp_path)
    assert not result.passed
    assert "forbidden framework" in result.error and "line 5" in result.error


def test_os_exit_at_import_is_not_a_pass(tmp_path: Path) -> None:
    result = check("os_exit_at_import", tmp_path)
    assert not result.passed
    assert "exit code 0" in result.error and "os._exit()" in result.error


def test_sys_exit_at_import_is_not_a_pass(tmp_path: Path) -> None:
    result = check("sys_exit_at_import", tmp_path)
    assert not result.passed
    assert "called sys.exit() while being imported" in result.error and "line 5" in result.error


def test_monkeypatched_numpy_comparisons_change_nothing(tmp_path: Path) -> None:
    result = check("monkeypatch_numpy", tmp_path)
    assert not result.passed
    assert all("wrong values" in t.message for t in result.tests)


def test_fake_result_files_are_never_a_pass(tmp_path: Path) -> None:
    result = check("fake_result_file", tmp_path)
    assert not result.passed
    assert not any(t.passed for t in result.tests)


def test_exception_is_one_paragraph_with_the_users_line(tmp_path: Path) -> None:
    result = check("raises_in_helper", tmp_path)
    message = result.tests[0].message
    assert "raised ValueError" in message
    assert "raises_in_helper.py line 8 in project: `return x @ W`" in message
    assert "called from line 12 in lstm_forward" in message
    assert "Traceback" not in message and "rnnprep/grading" not in message


def test_missing_function_suggests_the_close_name(tmp_path: Path) -> None:
    result = check("misnamed_function", tmp_path)
    assert not result.passed
    assert (
        "does not define lstm_forward" in result.error and "Did you mean lstm_fwd?" in result.error
    )


def test_child_runs_without_pytest_plugins_or_bytecode() -> None:
    env = child_env()
    assert env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"


def _cast(value, dtype: str):
    """The reference (always float64) in the dtype the user's code must return."""
    if isinstance(value, tuple):
        return tuple(_cast(v, dtype) for v in value)
    return value.astype(dtype)


def _full_report(suite, cases, expected, **changes) -> ChildReport:
    """A child report in which every case came back with exactly the expected output."""
    records = [
        {"ok": True, "value": _cast(want, case.dtype)}
        for case, want in zip(cases, expected, strict=True)
    ]
    report = ChildReport(0, False, {"ok": True}, records, {"forbidden_loaded": []})
    for key, value in changes.items():
        setattr(report, key, value)
    return report


@pytest.fixture
def lstm_cases():
    import numpy as np

    suite = load_suite("lstm")
    cases = suite.cases(np.random.default_rng(0))
    return suite, cases, [suite.expected(case) for case in cases]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({}, None),
        ({"done": None}, "did not finish"),
        ({"done": {"forbidden_loaded": ["torch"]}}, "Rejected: your code imported torch"),
        ({"timed_out": True, "done": None}, "Timed out"),
    ],
)
def test_a_pass_needs_positive_evidence_of_a_clean_finish(lstm_cases, changes, says) -> None:
    suite, cases, expected = lstm_cases
    result = CheckResult("lstm", 0, Path("lstm.py"), expected_tests=len(cases))
    judge(suite, cases, expected, _full_report(suite, cases, expected, **changes), result, 10.0)
    assert result.passed is (says is None)
    if says:
        assert says in result.error


def test_a_missing_case_report_fails_that_test_and_stops(lstm_cases) -> None:
    suite, cases, expected = lstm_cases
    report = _full_report(suite, cases, expected, returncode=0)
    report.cases[2] = None
    result = CheckResult("lstm", 0, Path("lstm.py"), expected_tests=len(cases))
    judge(suite, cases, expected, report, result, 10.0)
    assert not result.passed
    assert [t.passed for t in result.tests[:3]] == [True, True, False]
    assert "os._exit()" in result.tests[2].message


def test_importing_the_grading_api_loads_neither_numpy_nor_torch() -> None:
    code = "import sys, rnnprep.grading; print(sorted({'numpy', 'torch'} & set(sys.modules)))"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.strip() == "[]"
