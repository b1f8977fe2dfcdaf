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
