"""One check: the submission in the sandbox, the kata's hidden suite run by pytest here.

    result = check_file(kata, Path("katas/lstm/lstm.py"), seed=None, timeout=10.0)
    result.passed, result.tests, result.isolation, result.to_dict()

The order is chosen for speed and safety. The source is scanned (syntax, forbidden imports)
before anything runs. Then the child starts and loads the submission while this process
imports torch and pytest; where the kernel confines the child (it can write nothing), that
overlap is safe, and elsewhere everything is imported before the child starts, so nothing
the child leaves behind can be imported by the grader. pytest then runs the hidden suite
in this process with a plugin of ours: no conftest, ini file, cache or third-party plugin
of the user's folder takes part.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rnnprep.errors import RnnprepError
from rnnprep.grading import messages
from rnnprep.grading.grader import Grader, SharedCases
from rnnprep.grading.scan import source_problem
from rnnprep.grading.types import DEFAULT_TIMEOUT, CheckResult, KataFailure
from rnnprep.registry import Kata
from rnnprep.sandbox import Limits, Sandbox
from rnnprep.sandbox.confine import landlock_abi

PYTEST_ARGS = (
    "-p", "no:cacheprovider",  # no .pytest_cache anywhere
    "-p", "no:terminal",  # the CLI renders the result itself
    "-p", "no:faulthandler",  # leaves the process's stderr alone (Jupyter kernels)
    "-p", "no:unraisableexception",  # its gc.collect() x5 costs ~1 s with torch loaded
    "-p", "no:threadexception",
    "--noconftest",  # no conftest.py of anyone's folder
    "-c", os.devnull,  # no pytest.ini, pyproject.toml, setup.cfg or tox.ini either
    "-s",  # no capture of fds 1 and 2
    "--assert=plain",  # our messages come from KataFailure, not from rewriting
    "--import-mode=importlib",
)  # fmt: skip
SCRUBBED = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")  # environment that could change a run


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
        raise RnnprepError(f"Cannot read {path}: {error}. Save it as UTF-8 text and retry.") from error


def scan_problem(path: Path, source: str) -> str | None:
    """Syntax errors and forbidden imports, found before anything runs."""
    return source_problem(path, source)


def kernel_confinement_expected() -> bool:
    """Whether the child will be confined by the kernel (Landlock + seccomp) on this machine."""
    import importlib.util

    return landlock_abi() >= 1 and importlib.util.find_spec("pyseccomp") is not None


def warm_imports() -> None:
    """What the grader will need: torch (most of a check's time), pytest and the suites' helpers."""
    import pytest  # noqa: F401
    import torch

    torch.set_num_threads(1)  # tiny tensors: a second thread makes each reference ~100x slower

    import rnnprep.grading.suite
    import rnnprep.grading.torch_reference  # noqa: F401


def check_file(kata: Kata, path: Path, *, seed: int | None = None, timeout: float = DEFAULT_TIMEOUT,
               capsule_dir: Path | None = None, sandbox: Sandbox | None = None) -> CheckResult:  # fmt: skip
    """Grade the file at `path` as `kata` (see check_source)."""
    path = Path(path)
    return check_source(kata, read_source(path), path, seed=seed, timeout=timeout,
                        capsule_dir=capsule_dir, sandbox=sandbox)  # fmt: skip


def check_source(kata: Kata, source: str, path: Path, *, seed: int | None = None,
                 timeout: float = DEFAULT_TIMEOUT, capsule_dir: Path | None = None,
                 sandbox: Sandbox | None = None, shared: SharedCases | None = None) -> CheckResult:  # fmt: skip
    """Grade `source` (shown as `path`) against the kata's hidden suite on cases from `seed`.

    ``sandbox`` may be a child started earlier (a watch keeps one waiting); it is closed here.
    ``shared`` lets the checks of a batch draw the cases and compute the references once.
    """
    started = time.perf_counter()
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    result = CheckResult(kata=kata.name, seed=seed, file=path)
    result.error = scan_problem(path, source)
    if result.error is not None:
        if sandbox is not None:
            sandbox.close()
        result.seconds = time.perf_counter() - started
        return result
    overlap = sandbox is not None or kernel_confinement_expected()
    warming = _background(warm_imports) if overlap else None
    if not overlap:
        warm_imports()  # no kernel confinement: nothing may run before the grader is loaded
    sandbox = sandbox or Sandbox.start()
    failure: KataFailure | None = None
    try:
        sandbox.begin_load(source, str(path), Limits(timeout=timeout), module=_module_name(path))
        if warming is not None:
            warming.join()
        failure = _grade(kata, sandbox, result, timeout, shared)
    finally:
        sandbox.close()
    result.isolation = sandbox.isolation.level
    result.isolation_detail = sandbox.isolation.describe()
    raw = "".join(part for part in (sandbox.stdout, sandbox.stderr) if part.strip())
    result.output = "\n".join(p for p in (sandbox.loaded().output, raw) if p)
    if failure is not None and capsule_dir is not None:
        from rnnprep.grading.capsule import write_capsule

        result.capsule = write_capsule(result, failure, capsule_dir)
    result.seconds = time.perf_counter() - started
    return result


def _grade(kata: Kata, sandbox: Sandbox, result: CheckResult, timeout: float,
           shared: SharedCases | None = None) -> KataFailure | None:  # fmt: skip
    """Load report first (a file that does not load is one error, not N failed tests), then
    pytest; fills `result` and returns the first failure (for the capsule)."""
    loaded = sandbox.loaded()
    if not loaded.ok:
        result.error = messages.load_problem(result.file.name, loaded.error, loaded.problem, timeout)
        return None
    missing = [name for name in kata.entry if name not in loaded.defined]
    if missing:
        result.error = messages.missing_entry(result.file.name, missing, loaded.defined)
        return None
    grader = Grader(sandbox, result.file.name, result.seed, timeout, shared)
    code = run_suite(kata.suite, grader)
    if grader.interrupted:
        raise KeyboardInterrupt
    result.tests = grader.outcomes
    result.expected_tests = grader.collected
    if grader.problems or code not in (0, 1) or not grader.collected:
        detail = "\n".join(grader.problems) or f"pytest ended with exit code {code}"
        result.error = (
            f"The hidden suite of '{kata.name}' could not run, so nothing counts as a pass: "
            f"{detail}" + (f"\nCheck it with `rnnprep kata lint {kata.folder}`." if kata.local else "")
        )
    return grader.first_failure


def run_suite(suite_file: Path, grader: Grader) -> int:
    """pytest.main on the hidden suite, in this process, with nothing of the user's taking part."""
    import pytest

    if not suite_file.is_file():
        grader.problems.append(f"the hidden suite {suite_file} is missing")
        return 4
    args = [str(suite_file), *PYTEST_ARGS, "--rootdir", str(suite_file.parent)]
    with _pytest_environment(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return int(pytest.main(args, plugins=[grader]))


@contextlib.contextmanager
def _pytest_environment() -> Iterator[None]:
    """No plugin autoloading and no PYTEST_ADDOPTS / PYTEST_PLUGINS while the suite runs."""
    saved = {key: os.environ.get(key) for key in (*SCRUBBED, "PYTEST_DISABLE_PLUGIN_AUTOLOAD")}
    for key in SCRUBBED:
        os.environ.pop(key, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _module_name(path: Path) -> str:
    """The module name the submission runs under."""
    stem = path.stem if path.stem.isidentifier() else "submission"
    return f"rnnprep_submission_{stem}"


def _background(target: Callable[[], None]) -> threading.Thread:
    """Run `target` in a daemon thread."""
    thread = threading.Thread(target=_quietly, args=(target,), daemon=True)
    thread.start()
    return thread


def _quietly(target: Callable[[], None]) -> None:
    """Call target, ignoring its errors: the real import later raises them where they belong."""
    with contextlib.suppress(Exception):
        target()
