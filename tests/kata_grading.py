"""Helpers for tests that grade kata files through the real check_file (sandbox + pytest run).

Each check runs once per (kata, file, seed) within a module, through the `grade` fixture that
a test module builds with `grade_fixture()`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from rnnprep import registry
from rnnprep.grading.check import check_file
from rnnprep.grading.types import CheckResult

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SEED = 11
SEEDS = (1, 2, 3)

Grade = Callable[..., CheckResult]


def grade_fixture() -> Callable[..., Grade]:
    """A module-scoped `grade` fixture: check_file on (kata, file, seed), each run once."""

    @pytest.fixture(scope="module")
    def grade(tmp_path_factory: pytest.TempPathFactory) -> Grade:
        capsules = tmp_path_factory.mktemp("capsules")

        @functools.cache
        def run(kata: str, path: Path, seed: int = SEED) -> CheckResult:
            return check_file(registry.get(kata), path, seed=seed, capsule_dir=capsules)

        return run

    return grade


def load_module(path: Path) -> ModuleType:
    """A kata file (a starter, a solution, a fixture) imported by path as a fresh module,
    without leaving __pycache__ in the trees."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(f"kata_{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    previous, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = previous
    return module


def suite_of(kata: str) -> ModuleType:
    """The hidden suite module rnnprep.hidden.test_<kata>."""
    return importlib.import_module(f"rnnprep.hidden.test_{kata}")


def names(kata: str) -> set[str]:
    """Every test name of the kata's plan."""
    return {case.name for case in suite_of(kata).cases(np.random.default_rng(0))}


def everything_but(kata: str, *passing: str) -> set[str]:
    """Every test name of the kata's plan except those listed."""
    assert set(passing) <= names(kata)
    return names(kata) - set(passing)


def failures(result: CheckResult) -> str:
    """The failing messages, for assertion output."""
    return "\n".join(f"[{t.name}] {t.message}" for t in result.tests if not t.passed) or str(result.error)


def variant(tmp_path: Path, kata: str, old: str, new: str) -> Path:
    """The reference solution with one piece of text changed, saved as tmp_path/<kata>.py."""
    source = registry.get(kata).solution.read_text()
    assert old in source
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{kata}.py"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return path


# --- the assertions every kata's tests make -------------------------------------------------------


def assert_solution_passes(grade: Grade, kata: str, seeds: tuple[int, ...] = SEEDS) -> None:
    """The reference solution passes every planned test on every seed, without notes."""
    for seed in seeds:
        result = grade(kata, registry.get(kata).solution, seed)
        assert result.passed, failures(result)
        assert len(result.tests) == result.expected_tests == len(names(kata))
        assert result.capsule is None and not result.notes, result.notes


def assert_starter_fails(grade: Grade, kata: str) -> None:
    """The starter fails every test, each with the NotImplementedError a learner starts from."""
    from rnnprep.grading.types import Stage

    result = grade(kata, registry.get(kata).starter)
    assert not result.passed and result.error is None and len(result.tests) == len(names(kata))
    for test in result.tests:
        assert not test.passed and test.stage is Stage.RAISED
        assert "NotImplementedError" in test.message and "starter" in test.message


def assert_named(result: CheckResult, must_fail: set[str], phrase: str, mistake: str,
                 stages: tuple[object, ...] | None = None, *, only: bool = False, every: bool = False,
                 among: bool = False) -> None:  # fmt: skip
    """A wrong implementation fails exactly `must_fail`, at `stages` (default: values), with
    `phrase` in a message (in every message when `every`), named `mistake`: first in the check,
    and on each failing test first (`only`: alone; `among`: with another slip that gives the same
    answer on that case)."""
    from rnnprep.grading.types import Stage

    stages = stages or (Stage.VALUE,)
    assert not result.passed and result.error is None, "a wrong implementation is judged test by test"
    assert set(result.failing_tests) == must_fail, failures(result)
    failing = [t for t in result.tests if not t.passed]
    assert all(t.stage in stages for t in failing), failures(result)
    assert (all if every else any)(phrase in t.message for t in failing), failures(result)
    if only:
        assert result.diagnosis == [mistake] and all(t.diagnosis == [mistake] for t in failing), failures(result)
    elif among:
        assert result.diagnosis[0] == mistake and all(mistake in t.diagnosis for t in failing), failures(result)
    else:
        assert result.diagnosis[0] == mistake and all(t.diagnosis[0] == mistake for t in failing), failures(result)
    assert any(f"Likely mistake ({mistake})" in t.message for t in failing), failures(result)
    assert all(t.message.startswith("Called ") and "Review: rnnprep quiz --id" in t.message for t in failing)


def assert_fixtures_listed(kata: str, listed: set[str]) -> None:
    """Every wrong fixture on disk is in the test's table (at least three), each saying in its
    one-line docstring what is wrong."""
    on_disk = {p.stem for p in (FIXTURES / kata).glob("*.py")}
    assert on_disk == listed and len(on_disk) >= 3
    for path in (FIXTURES / kata).glob("*.py"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(f'"""Deliberately wrong {kata}: ') and first.endswith('"""'), path
