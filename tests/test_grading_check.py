"""One check end to end: what a learner's file meets, the dtype rule, and what the user's folder
or environment can NOT change (conftest.py, pytest.ini, PYTEST_ADDOPTS, plugins, a cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnnprep import registry
from rnnprep.content import solutions_dir
from rnnprep.errors import RnnprepError
from rnnprep.grading.check import check_file
from rnnprep.grading.types import Stage

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
CHEATS = FIXTURES / "cheats"
CORRECT = FIXTURES / "correct"
CORE = ["rnn_cell", "rnn", "lstm_cell", "lstm", "gru_cell", "gru", "simple_rnn", "classic_lstm"]


def check(path: Path, kata: str = "lstm", **options):
    return check_file(registry.get(kata), path, seed=4, **options)


def write(tmp_path: Path, text: str, name: str = "lstm.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kata", CORE)
def test_straight_from_the_equations_passes_every_core_kata(kata: str) -> None:
    """Loops, float64 intermediates (np.zeros defaults), either sigmoid form: a pass, with a note."""
    result = check(CORRECT / f"{kata}_equations.py", kata)
    assert result.passed, result.error or [t.message for t in result.tests if not t.passed]
    assert any("float64 for float32 inputs. That passes" in note for note in result.notes)


def test_a_float64_state_in_a_float32_run_passes_with_one_note() -> None:
    result = check(CORRECT / "lstm_float64_state.py")
    assert result.passed
    assert result.notes == ["Note: h_n and c_n are float64 for float32 inputs. That passes; "
                            "torch would return float32 (create arrays with dtype=x.dtype to match it)."]  # fmt: skip


def test_a_correct_file_through_the_sandbox_leaves_nothing_beside_it(tmp_path: Path) -> None:
    submission = write(tmp_path, (solutions_dir() / "lstm.py").read_text())
    result = check(submission)
    assert result.passed and result.to_dict()["passed"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lstm.py"]  # no __pycache__, no capsule
    assert result.isolation in ("seccomp", "basic") and result.isolation_detail


def test_syntax_error_names_the_line_without_running_anything(tmp_path: Path) -> None:
    result = check(write(tmp_path, "import numpy as np\n\ndef lstm_forward(x):\n    h = np.tanh(x @ W.T\n"))
    assert not result.passed and not result.tests
    assert "lstm.py line 4 has a syntax error" in result.error and "`h = np.tanh(x @ W.T`" in result.error


def test_a_torch_import_is_named_before_anything_runs() -> None:
    result = check(CHEATS / "imports_torch.py")
    assert not result.passed and not result.tests
    assert "imports_torch.py line 4 imports torch" in result.error and "NumPy" in result.error


def test_a_dynamic_torch_import_fails_in_the_sandbox() -> None:
    result = check(CHEATS / "imports_torch_dynamically.py")
    assert not result.passed and "Nothing was graded" in result.error and "line 5" in result.error


def test_os_exit_at_import_is_not_a_pass() -> None:
    result = check(CHEATS / "os_exit_at_import.py")
    assert not result.passed
    assert "exit code 0" in result.error and "os._exit()" in result.error


def test_sys_exit_at_import_is_not_a_pass() -> None:
    result = check(CHEATS / "sys_exit_at_import.py")
    assert not result.passed
    assert "called sys.exit() while being imported" in result.error and "line 5" in result.error


def test_writing_fake_result_files_changes_nothing() -> None:
    result = check(CHEATS / "fake_result_file.py")
    assert not result.passed and not any(t.passed for t in result.tests)


def test_an_exception_is_one_paragraph_with_the_users_lines() -> None:
    result = check(CHEATS / "raises_in_helper.py")
    message = result.tests[0].message
    assert "raised ValueError" in message
    assert "raises_in_helper.py line 8 in project: `return x @ W`" in message
    assert "called from line 12 in lstm_forward" in message
    assert "Traceback" not in message and "rnnprep/grading" not in message


def test_a_missing_function_suggests_the_close_name() -> None:
    result = check(CHEATS / "misnamed_function.py")
    assert not result.passed
    assert "does not define lstm_forward" in result.error and "Did you mean lstm_fwd?" in result.error


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RnnprepError, match="does not exist"):
        check(tmp_path / "nowhere.py")


def test_what_the_submission_prints_is_kept_per_test(tmp_path: Path) -> None:
    source = (solutions_dir() / "lstm.py").read_text().replace(
        "    B, T, _ = x.shape", "    print('shapes', x.shape)\n    B, T, _ = x.shape", 1)
    source = source.replace("import numpy as np", "import numpy as np\nprint('loading')", 1)
    result = check(write(tmp_path, source))
    assert result.passed
    assert result.tests[0].output.startswith("shapes (")
    assert "loading" in result.output


# --- the user's folder and environment cannot change the grade --------------------------------


HOSTILE_CONFTEST = """
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    return report

def pytest_collection_modifyitems(items):
    items.clear()
"""


def test_a_hostile_conftest_ini_and_addopts_change_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kata = tmp_path / "katas" / "lstm"
    kata.mkdir(parents=True)
    submission = kata / "lstm.py"
    submission.write_text((FIXTURES / "lstm" / "gate_order.py").read_text())
    for folder in (kata, tmp_path):
        (folder / "conftest.py").write_text(HOSTILE_CONFTEST)
        (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:python --deselect x\n")
        (folder / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-k nothing'\n")
        (folder / "setup.cfg").write_text("[tool:pytest]\naddopts = -x\n")
    monkeypatch.chdir(kata)
    monkeypatch.setenv("PYTEST_ADDOPTS", "-k nothing_at_all")
    monkeypatch.setenv("PYTEST_PLUGINS", "conftest")
    result = check(submission)
    assert not result.passed and len(result.tests) == result.expected_tests == 7
    assert "gate-order" in result.diagnosis
    assert not list(tmp_path.rglob(".pytest_cache")) and not list(tmp_path.rglob("__pycache__"))
    assert os.environ["PYTEST_ADDOPTS"] == "-k nothing_at_all"  # restored for the caller


def test_the_pytest_entry_lists_each_case_and_grades_in_the_sandbox(tmp_path: Path) -> None:
    """The documented IDE/CI entry: the user's own pytest, our plugin, the sandbox."""
    wrong = FIXTURES / "lstm" / "gate_order.py"
    command = [sys.executable, "-m", "pytest", "--pyargs", "rnnprep.hidden.test_lstm", "--kata-file", str(wrong),
               "--kata-seed", "3", "-p", "no:cacheprovider", "-q", "-rN", "--no-header", "-o", "console_output_style=classic"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "7 failed" in done.stdout
    assert "Likely mistake (gate-order)" in done.stdout
    right = solutions_dir() / "lstm.py"
    command[command.index(str(wrong))] = str(right)
    verbose = [arg for arg in command if arg != "-q"] + ["-v"]
    done = subprocess.run(verbose, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_lstm_forward[zero_state_float64] PASSED" in done.stdout
    assert "7 passed" in done.stdout


def test_the_pytest_entry_reports_seed_and_isolation(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "pytest", "--pyargs", "rnnprep.hidden.test_rnn_cell", "--kata-file",
               str(solutions_dir() / "rnn_cell.py"), "-p", "no:cacheprovider"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rnnprep: grading" in done.stdout and "replay: --kata-seed" in done.stdout
    assert "isolation" in done.stdout


def test_json_of_a_check_names_its_isolation(tmp_path: Path) -> None:
    data = json.loads(json.dumps(check(solutions_dir() / "lstm.py").to_dict()))
    assert data["isolation"] in ("seccomp", "basic") and data["passed"] is True
    assert all(t["stage"] == Stage.OK.value for t in data["tests"])
