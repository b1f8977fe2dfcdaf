"""Hostile submissions against the real grader: one test per attack class of the grader issue.

Each attack is a complete lstm submission. Every test asserts the same five things:
the check fails (or passes only where the values really were computed in NumPy), it ends
without an rnnprep traceback, nothing the child started is still running, the user's data
(the progress store) is unchanged, and the check ends within the time limit plus a few
seconds. They run as whatever user runs the suite (root on the development machines), which
is where the kernel layers matter most.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from textwrap import dedent

import pytest

from rnnprep import registry
from rnnprep.content import solutions_dir
from rnnprep.grading.check import check_file, kernel_confinement_expected
from rnnprep.grading.types import CheckResult, Stage

KERNEL = pytest.mark.skipif(
    not kernel_confinement_expected(), reason="needs Linux with Landlock and libseccomp (isolation: seccomp)"
)
TIMEOUT = 4.0
SLACK = 6.0  # seconds beyond the timeout that a check may take (torch is warm in this process)
CORRECT = (solutions_dir() / "lstm.py").read_text(encoding="utf-8").replace("from __future__ import annotations\n", "")
WRONG = """
import numpy as np

def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    B, T, _ = x.shape
    H = W_hh.shape[1]
    z = np.zeros((B, H), dtype=x.dtype)
    return np.zeros((B, T, H), dtype=x.dtype), (z, z.copy())
"""


def alive(marker: str) -> list[int]:
    """Pids of processes whose command line contains marker."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.fixture
def store(isolated_home: Path) -> Path:
    """A progress store with something in it, to prove nobody changed it."""
    from rnnprep.store import STORE_FILENAME, Store

    path = isolated_home / STORE_FILENAME
    with Store.open(path) as opened:
        opened.record_kata_attempt(kata="rnn", passed=False, seed=1, failing_tests=["t"], diagnosis=[])
    return path


def digest(path: Path) -> str:
    """What the store holds (attempts and reviews), hashed."""
    from rnnprep.store import Store

    with Store.open(path) as opened:
        rows = [opened.kata_attempts(), opened.reviews()]
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


def attack(tmp_path: Path, store: Path, source: str, *, timeout: float = TIMEOUT, marker: str = "") -> CheckResult:
    """Grade `source` as lstm; assert the invariants every attack must leave intact."""
    path = tmp_path / "lstm.py"
    path.write_text(source, encoding="utf-8")
    before = digest(store)
    started = time.monotonic()
    result = check_file(registry.get("lstm"), path, seed=5, timeout=timeout, capsule_dir=tmp_path)
    took = time.monotonic() - started
    assert took < timeout + SLACK, f"the check took {took:.1f} s"
    assert digest(store) == before, "the progress store changed"
    text = json.dumps(result.to_dict())
    assert "Traceback (most recent call last)" not in text.replace(json.dumps(result.output), "")
    if marker:
        time.sleep(0.2)
        assert alive(marker) == [], "a process the submission started is still running"
    return result


@KERNEL
def test_a_module_planted_in_the_installed_package_is_never_written(tmp_path: Path, store: Path) -> None:
    import rnnprep.grading

    target = Path(rnnprep.grading.__file__).parent / f"planted_{uuid.uuid4().hex[:8]}"
    result = attack(tmp_path, store, dedent(f"""
        import os
        try:
            os.makedirs({str(target)!r}, exist_ok=True)
            open(os.path.join({str(target)!r}, "__init__.py"), "w").write("PASSED = True")
        except OSError:
            pass
    """) + WRONG)
    assert not target.exists()
    assert not result.passed


@KERNEL
@pytest.mark.parametrize(
    "how",
    [
        "import torch",
        "import sys, numpy, os; sys.path.append(os.path.dirname(os.path.dirname(numpy.__file__))); import torch",
        "import importlib.util, numpy, os\n"
        "spec = importlib.util.spec_from_file_location('torch', os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), 'torch', '__init__.py'))\n"
        "torch = importlib.util.module_from_spec(spec); spec.loader.exec_module(torch)",
    ],
    ids=["plain", "site-packages-on-path", "by-file-location"],
)
def test_torch_cannot_be_imported_however_it_is_asked_for(tmp_path: Path, store: Path, how: str) -> None:
    source = "__import__('builtins').exec(" + repr(how) + ")\n" + CORRECT.replace("import numpy as np", "import numpy as np", 1)
    result = attack(tmp_path, store, source)
    assert not result.passed and not result.tests
    assert result.error is not None and "Nothing was graded" in result.error


@KERNEL
@pytest.mark.parametrize(
    "how",
    [
        "subprocess.run([sys.executable, '-c', 'import torch'], check=True)",
        "multiprocessing.get_context('spawn').Pool(1).map(abs, [1])",
        "os.fork()",
        "subprocess.Popen(['sleep', '60'])",
    ],
    ids=["subprocess", "spawn-pool", "fork", "popen"],
)
def test_no_other_process_can_be_started(tmp_path: Path, store: Path, how: str) -> None:
    marker = f"rnnprep-attack-{uuid.uuid4().hex}"
    result = attack(tmp_path, store, dedent(f"""
        import multiprocessing, os, subprocess, sys
        # {marker}
        def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
            {how}
    """), marker=marker)
    assert not result.passed
    assert all(t.stage is Stage.RAISED and "PermissionError" in t.message for t in result.tests), result.tests[0].message


@KERNEL
def test_the_grader_cannot_be_stopped_or_signalled(tmp_path: Path, store: Path) -> None:
    result = attack(tmp_path, store, dedent("""
        import os, signal
        for target in (os.getppid(), 0, -1):
            for sig in (signal.SIGSTOP, signal.SIGKILL, signal.SIGTERM):
                try:
                    os.kill(target, sig)
                except OSError:
                    pass
    """) + WRONG)
    assert not result.passed and result.tests  # the grader lived to judge every test


@KERNEL
def test_a_forged_result_cannot_be_written_to_the_graders_stdout(tmp_path: Path, store: Path) -> None:
    forged = json.dumps({"kata": "lstm", "passed": True})
    cli = [sys.executable, "-m", "rnnprep", "kata", "lstm", "--check", "--json", "--timeout", "4",
           "--file", str(tmp_path / "lstm.py")]  # fmt: skip
    (tmp_path / "lstm.py").write_text(textwrap.dedent(f"""
        import os, signal
        for fd in (1, 2):
            try:
                with open(f"/proc/{{os.getppid()}}/fd/{{fd}}", "w") as out:
                    out.write({forged!r})
            except OSError:
                pass
        try:
            os.kill(os.getppid(), signal.SIGKILL)
        except OSError:
            pass
    """) + WRONG)
    before = digest(store)
    done = subprocess.run(cli, capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["passed"] is False
    assert "Traceback" not in done.stderr
    assert digest(store) != before  # the attempt was recorded (as a failure) by the grader itself


@KERNEL
def test_the_users_data_cannot_be_read_or_written(tmp_path: Path, store: Path) -> None:
    result = attack(tmp_path, store, dedent(f"""
        import os, sqlite3
        LEAK = [os.environ.get("RNNPREP_HOME"), os.environ.get("HOME")]
        try:
            db = sqlite3.connect({str(store)!r})
            db.execute("INSERT INTO kata_attempts(kata, passed) VALUES ('lstm', 1)")
            db.commit()
        except Exception as error:
            LEAK.append(repr(error))
        try:
            LEAK.append(open({str(store)!r}, "rb").read(16))
        except OSError as error:
            LEAK.append(repr(error))
    """) + WRONG.replace("return np.zeros", "print(LEAK)\n    return np.zeros"))
    assert not result.passed
    printed = result.tests[0].output
    assert "None" in printed and str(store.parent) not in printed.split("Permission")[0]
    assert "SQLite format" not in printed


@KERNEL
@pytest.mark.parametrize(
    "garbage",
    [
        "b'not a frame at all'",
        "b'RNP1' + (10**6).to_bytes(4, 'big') + (0).to_bytes(4, 'big') + b'[' * 1000",
        "(lambda h: b'RNP1' + len(h).to_bytes(4, 'big') + (0).to_bytes(4, 'big') + h)(b'[' * 100000 + b']' * 100000)",
        "(lambda h: b'RNP1' + len(h).to_bytes(4, 'big') + (0).to_bytes(4, 'big') + h)(b'\"just a string\"')",
        "(lambda h: b'RNP1' + len(h).to_bytes(4, 'big') + (0).to_bytes(4, 'big') + h)"
        "(b'{\"op\": \"result\", \"id\": 0, \"ok\": \"yes\", \"value\": 7}')",
        "(lambda h: b'RNP1' + len(h).to_bytes(4, 'big') + (1).to_bytes(4, 'big') + h + (2**40).to_bytes(8, 'big'))"
        "(b'{\"op\": \"result\", \"id\": 0, \"ok\": true, \"value\": {\"a\": 0}}')",
    ],
    ids=["no-marker", "oversized-header", "deep-json", "json-string", "wrong-types", "huge-array"],
)
def test_a_malformed_report_is_a_plain_failure(tmp_path: Path, store: Path, garbage: str) -> None:
    result = attack(tmp_path, store, dedent(f"""
        import os
        def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
            for fd in range(3, 12):
                try:
                    os.write(fd, {garbage})
                except OSError:
                    pass
            return None
    """))
    assert not result.passed
    stages = {t.stage for t in result.tests}
    assert stages & {Stage.UNREADABLE, Stage.STRUCTURE, Stage.TIMEOUT}, stages
    unreadable = [t for t in result.tests if t.stage is Stage.UNREADABLE]
    assert all("unreadable report" in t.message for t in unreadable)


@KERNEL
def test_the_working_directory_cannot_be_filled_or_replaced(tmp_path: Path, store: Path) -> None:
    result = attack(tmp_path, store, dedent("""
        import os, shutil
        for action in (lambda: os.mkdir("x"), lambda: open("f", "w"), lambda: shutil.rmtree(".")):
            try:
                action()
            except OSError:
                pass
    """) + CORRECT)
    assert result.passed  # the values were right and computed in NumPy: that is a pass


@KERNEL
def test_memory_and_cpu_are_limited(tmp_path: Path, store: Path) -> None:
    result = attack(tmp_path, store, dedent("""
        import numpy as np
        def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
            big = np.ones(2**31)  # 16 GiB
            return big
    """))
    assert not result.passed
    assert "ran out of memory" in result.tests[0].message


def test_an_endless_loop_is_stopped_at_the_deadline(tmp_path: Path, store: Path) -> None:
    result = attack(tmp_path, store, dedent("""
        import numpy as np
        def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
            a = np.ones((300, 300))
            while True:
                a = np.tanh(a @ a)
    """), timeout=1.5)
    assert not result.passed
    assert result.tests[0].stage is Stage.TIMEOUT and "Timed out after 1.5 s" in result.tests[0].message
    assert all(t.stage is Stage.NOT_RUN for t in result.tests[1:])


def test_a_segfault_is_named_as_a_crash(tmp_path: Path, store: Path) -> None:
    result = attack(tmp_path, store, dedent("""
        import ctypes
        def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
            ctypes.string_at(0)
    """))
    assert not result.passed
    first = result.tests[0]
    assert first.stage is Stage.CRASHED and "SIGSEGV" in first.message and "segmentation fault" in first.message
    assert "os._exit" not in first.message


def test_a_numpy_subclass_is_named_not_blamed_on_files(tmp_path: Path, store: Path) -> None:
    result = attack(tmp_path, store, CORRECT.replace(
        "return output, (h, c)", "return np.asmatrix(output.reshape(output.shape[0], -1)), (h, c)"))
    assert not result.passed
    message = result.tests[0].message
    assert "ndarray subclass" in message and "files" not in message


def test_monkeypatched_numpy_in_the_child_changes_nothing_here(tmp_path: Path, store: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "grading" / "cheats" / "monkeypatch_numpy.py"
    result = attack(tmp_path, store, fixture.read_text())
    assert not result.passed and all(t.stage is Stage.VALUE for t in result.tests)
