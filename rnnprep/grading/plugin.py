"""rnnprep's pytest entry: run a kata's hidden suite with your own pytest (IDEs, course CI).

    pytest --pyargs rnnprep.hidden.test_lstm --kata-file katas/lstm/lstm.py [--kata-seed N]

Installed as a ``pytest11`` entry point, so pytest knows the options wherever rnnprep is
installed. Without ``--kata-file`` it does nothing else. With it, the file is loaded into the
same sandboxed child as ``rnnprep kata NAME --check`` (the comparison stays in pytest's
process), every case shows as its own test, and a failure's message is the tutor message of
the CLI. Light on import: pytest loads this module in every run.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

GRADER = "rnnprep-grader"


def pytest_addoption(parser: pytest.Parser) -> None:
    """--kata-file, --kata-seed, --kata-timeout."""
    group = parser.getgroup("rnnprep", "rnnprep: grade a kata submission with a hidden suite")
    group.addoption("--kata-file", metavar="PATH", default=None,
                    help="the submission to grade (runs in rnnprep's sandbox)")  # fmt: skip
    group.addoption("--kata-seed", metavar="N", type=int, default=None,
                    help="draw the cases of an earlier run again (default: a fresh seed)")  # fmt: skip
    group.addoption("--kata-timeout", metavar="SECONDS", type=float, default=10.0,
                    help="seconds for loading the file and every call (default 10)")  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    """With --kata-file (and no grader yet), start the sandbox and register a Grader."""
    path = config.getoption("kata_file", None)
    if path is None or config.pluginmanager.has_plugin(GRADER):
        return
    from rnnprep.grading.check import read_source, scan_problem
    from rnnprep.grading.grader import Grader
    from rnnprep.sandbox import Limits, Sandbox

    file = Path(path)
    source = read_source(file)
    problem = scan_problem(file, source)
    if problem:
        raise pytest.UsageError(problem)
    seed = config.getoption("kata_seed")
    seed = secrets.randbelow(2**31) if seed is None else seed
    timeout = float(config.getoption("kata_timeout"))
    sandbox = Sandbox.start()
    sandbox.begin_load(source, str(file), Limits(timeout=timeout), module=f"submission_{file.stem}")
    config.pluginmanager.register(Grader(sandbox, file.name, seed, timeout), GRADER)


def pytest_report_header(config: pytest.Config) -> str | None:
    """The seed and the isolation, so a run can be replayed and trusted."""
    grader = config.pluginmanager.get_plugin(GRADER)
    if grader is None:
        return None
    grader.loaded()
    return (
        f"rnnprep: grading {config.getoption('kata_file')} with seed {grader.seed} "
        f"(replay: --kata-seed {grader.seed}); isolation {grader.sandbox.isolation.describe()}"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    """End the sandbox this plugin started."""
    grader = config.pluginmanager.get_plugin(GRADER)
    if grader is not None and config.getoption("kata_file", None) is not None:
        grader.sandbox.close()
