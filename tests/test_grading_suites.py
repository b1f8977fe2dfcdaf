"""The hidden suites: references pass, starters fail, every deliberately wrong fixture fails.

These tests are about the suites, not about processes, so they grade in-process
(``isolated=False``); tests/test_grading_isolation.py covers the child process.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from rnnprep.content import katas_dir, solutions_dir
from rnnprep.errors import RnnprepError
from rnnprep.grading import check_file
from rnnprep.grading.suites import load_suite, suite_names

CORE = ["rnn_cell", "rnn", "lstm_cell", "lstm", "gru_cell", "gru", "simple_rnn", "classic_lstm"]
FIXTURES = Path(__file__).parent / "fixtures" / "grading"
WRONG = sorted((p.parent.name, p) for kata in CORE for p in (FIXTURES / kata).glob("*.py"))
# Fixture -> the mistake id the diagnosis must name (checks the grader's wiring to it).
DIAGNOSED = {
    ("lstm", "gate_order"): "gate-order",
    ("gru", "reset_placement"): "gru-reset-placement",
    ("rnn", "reversed_time"): "time-reversed",
    ("classic_lstm", "gate_order"): "concat-order",
    ("classic_lstm", "missing_bias"): "missing-bias",
    ("simple_rnn", "outputs_swapped"): "return-order",
}
HAS_DIAGNOSIS = importlib.util.find_spec("rnnprep.grading.diagnosis") is not None


def grade(kata: str, path: Path, tmp_path: Path, seed: int = 11):
    """An in-process check whose capsule lands in tmp_path."""
    return check_file(kata, path, seed=seed, isolated=False, capsule_dir=tmp_path)


def test_every_core_kata_has_a_suite() -> None:
    assert set(CORE) <= set(suite_names())


@pytest.mark.parametrize("kata", CORE)
def test_reference_solution_passes(kata: str, tmp_path: Path) -> None:
    solution = solutions_dir() / f"{kata}.py"
    if not solution.exists():
        pytest.skip(f"{solution} not written yet")
    for seed in (1, 2):
        result = grade(kata, solution, tmp_path, seed)
        assert result.passed, "\n".join(t.message for t in result.tests if not t.passed)
        assert result.capsule is None


@pytest.mark.parametrize("kata", CORE)
def test_starter_fails_with_not_implemented(kata: str, tmp_path: Path) -> None:
    starter = katas_dir() / kata / f"{kata}.py"
    if not starter.exists():
        pytest.skip(f"{starter} not written yet")
    result = grade(kata, starter, tmp_path)
    assert not result.passed
    assert result.error is None and result.tests
    for test in result.tests:
        assert not test.passed
        assert "NotImplementedError" in test.message and "starter" in test.message


@pytest.mark.parametrize(("kata", "path"), WRONG, ids=[f"{k}-{p.stem}" for k, p in WRONG])
def test_wrong_implementation_fails(kata: str, path: Path, tmp_path: Path) -> None:
    result = grade(kata, path, tmp_path)
    assert not result.passed
    assert result.error is None, "a wrong implementation is judged test by test"
    assert result.failing_tests
    failing = [t for t in result.tests if not t.passed]
    assert all(
        ("wrong values" in t.message) or ("shape" in t.message) or ("dtype" in t.message)
        for t in failing
    )
    mistake = DIAGNOSED.get((kata, path.stem))
    if mistake and HAS_DIAGNOSIS:
        assert mistake in result.diagnosis
        assert any("Likely mistake" in t.message for t in failing)


def test_wrong_fixtures_cover_the_mistakes_of_issue_4() -> None:
    names = {p.stem for _, p in WRONG}
    assert {
        "gate_order",
        "missing_bias",
        "wrong_activation",
        "ignored_h0",
        "reversed_time",
        "hc_swapped",
        "last_step_only",
        "reset_placement",
    } <= names


@pytest.mark.parametrize("kata", CORE)
def test_cases_have_distinct_dims_and_cover_the_variants(kata: str) -> None:
    cases = load_suite(kata).cases(np.random.default_rng(5))
    for case in cases:
        sizes = [v for k, v in case.dims.items() if case.dims.get("T") != 1 or k != "T"]
        assert len(set(sizes)) == len(sizes), case.dims
        assert case.tol.atol == (1e-9 if case.dtype == "float64" else 1e-5)
        arrays = {k: v for k, v in case.call.inputs().items() if isinstance(v, np.ndarray)}
        assert {str(a.dtype) for a in arrays.values()} == {case.dtype}
        if "b_ih" in arrays:
            assert np.all(arrays["b_ih"] != 0) and not np.allclose(arrays["b_ih"], arrays["b_hh"])
    assert {c.dtype for c in cases} == {"float64", "float32"}
    if "T" in cases[0].dims:
        steps = [c.dims["T"] for c in cases]
        assert min(steps) == 1 and max(steps) >= 15
    states = [v for c in cases for k, v in c.call.args.items() if k in ("h0", "h_prev")]
    if states:
        assert any(s is None for s in states) and any(s is not None for s in states)
    if kata.startswith("rnn"):
        assert {c.call.args["nonlinearity"] for c in cases} == {"tanh", "relu"}


def test_same_seed_same_cases_other_seed_other_cases() -> None:
    suite = load_suite("lstm")
    first, again = (suite.cases(np.random.default_rng(9)) for _ in range(2))
    other = suite.cases(np.random.default_rng(10))
    assert np.array_equal(first[1].call.args["x"], again[1].call.args["x"])
    assert not np.array_equal(first[1].call.args["W_ih"], other[1].call.args["W_ih"])


def test_unknown_kata_suggests_a_name(tmp_path: Path) -> None:
    with pytest.raises(RnnprepError, match="Did you mean lstm"):
        check_file("lstmm", tmp_path / "x.py")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RnnprepError, match="does not exist"):
        check_file("lstm", tmp_path / "nowhere.py")


def test_capsule_holds_the_failing_case(tmp_path: Path) -> None:
    import json

    result = grade("lstm", FIXTURES / "lstm" / "gate_order.py", tmp_path)
    assert result.capsule == tmp_path / "lstm.failure.npz"
    with np.load(result.capsule, allow_pickle=False) as capsule:
        meta = json.loads(str(capsule["meta"]))
        assert meta["seed"] == 11 and meta["test"] == result.failing_tests[0]
        assert meta["replay"] == "rnnprep kata lstm --check --seed 11"
        B, T, _ = capsule["input/x"].shape
        H = capsule["input/W_hh"].shape[1]
        assert capsule["expected/output"].shape == capsule["actual/output"].shape == (B, T, H)
        assert not np.allclose(capsule["expected/c_n"], capsule["actual/c_n"])


def test_capsule_defaults_to_the_users_folder(tmp_path: Path) -> None:
    submission = tmp_path / "work" / "lstm.py"
    submission.parent.mkdir()
    submission.write_text((FIXTURES / "lstm" / "hc_swapped.py").read_text())
    result = check_file("lstm", submission, seed=3, isolated=False)
    assert result.capsule == submission.parent / "lstm.failure.npz"
    assert result.capsule.exists()
