"""The hidden suites of the core katas: references pass, starters fail, every wrong fixture fails
with its diagnosis, through the real sandbox and the real pytest run of check_file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnnprep import registry
from rnnprep.grading.check import check_file
from rnnprep.grading.types import CheckResult, Stage

CORE = ["rnn_cell", "rnn", "lstm_cell", "lstm", "gru_cell", "gru", "simple_rnn", "classic_lstm"]
FIXTURES = Path(__file__).parent / "fixtures" / "grading"
WRONG = sorted((p.parent.name, p) for kata in CORE for p in (FIXTURES / kata).glob("*.py"))
# Fixture -> the mistake id the diagnosis must name on its failing tests.
DIAGNOSED = {
    ("rnn_cell", "ignored_h0"): "initial-state-ignored",
    ("rnn_cell", "missing_bias"): "missing-bias",
    ("rnn_cell", "wrong_activation"): "wrong-activation",
    ("rnn", "ignored_h0"): "initial-state-ignored",
    ("rnn", "last_step_only"): "last-step-only",
    ("rnn", "missing_bias"): "missing-bias",
    ("rnn", "reversed_time"): "time-reversed",
    ("rnn", "wrong_activation"): "wrong-activation",
    ("lstm_cell", "gate_order"): "gate-order",
    ("lstm_cell", "hc_swapped"): "state-swap",
    ("lstm_cell", "ignored_h0"): "initial-state-ignored",
    ("lstm_cell", "missing_bias"): "missing-bias",
    ("lstm_cell", "wrong_activation"): "wrong-activation",
    ("lstm", "gate_order"): "gate-order",
    ("lstm", "hc_swapped"): "state-swap",
    ("lstm", "ignored_h0"): "initial-state-ignored",
    ("lstm", "last_step_only"): "last-step-only",
    ("lstm", "missing_bias"): "missing-bias",
    ("lstm", "reversed_time"): "time-reversed",
    ("lstm", "wrong_activation"): "wrong-activation",
    ("gru_cell", "gate_order"): "gate-order",
    ("gru_cell", "ignored_h0"): "initial-state-ignored",
    ("gru_cell", "interpolation_flipped"): "gru-interpolation-flipped",
    ("gru_cell", "missing_bias"): "missing-bias",
    ("gru_cell", "reset_placement"): "gru-reset-placement",
    ("gru", "gate_order"): "gate-order",
    ("gru", "ignored_h0"): "initial-state-ignored",
    ("gru", "last_step_only"): "last-step-only",
    ("gru", "missing_bias"): "missing-bias",
    ("gru", "reset_placement"): "gru-reset-placement",
    ("gru", "reversed_time"): "time-reversed",
    ("simple_rnn", "missing_bias"): "missing-bias",
    ("simple_rnn", "outputs_swapped"): "return-order",
    ("simple_rnn", "reversed_time"): "time-reversed",
    ("simple_rnn", "wrong_activation"): "wrong-activation",
    ("classic_lstm", "gate_order"): "concat-order",
    ("classic_lstm", "hc_swapped"): "state-swap",
    ("classic_lstm", "missing_bias"): "missing-bias",
    ("classic_lstm", "reversed_time"): "time-reversed",
    ("classic_lstm", "wrong_activation"): "wrong-activation",
    ("lstm", "time_major"): "batch-time-swapped",
    ("lstm", "h_returned_twice"): "state-duplicated",
    ("lstm_cell", "h_returned_twice"): "state-duplicated",
}


def grade(kata: str, path: Path, tmp_path: Path, seed: int = 11) -> CheckResult:
    """A real check whose capsule lands in tmp_path."""
    return check_file(registry.get(kata), path, seed=seed, capsule_dir=tmp_path)


@pytest.mark.parametrize("kata", CORE)
def test_every_core_kata_has_its_hidden_suite(kata: str) -> None:
    suite = registry.get(kata).suite
    assert suite.is_file() and suite.name == f"test_{kata}.py"
    assert f'suite.kata("{kata}")' in suite.read_text()


@pytest.mark.parametrize("kata", CORE)
def test_reference_solution_passes(kata: str, tmp_path: Path) -> None:
    for seed in (1, 2):
        result = grade(kata, registry.get(kata).solution, tmp_path, seed)
        assert result.passed, result.error or "\n".join(t.message for t in result.tests if not t.passed)
        assert result.capsule is None and result.isolation in ("seccomp", "basic")
        assert len(result.tests) == result.expected_tests >= 4


@pytest.mark.parametrize("kata", CORE)
def test_starter_fails_with_not_implemented(kata: str, tmp_path: Path) -> None:
    result = grade(kata, registry.get(kata).starter, tmp_path)
    assert not result.passed and result.error is None and result.tests
    for test in result.tests:
        assert not test.passed and test.stage is Stage.RAISED
        assert "NotImplementedError" in test.message and "starter" in test.message


@pytest.mark.parametrize(("kata", "path"), WRONG, ids=[f"{k}-{p.stem}" for k, p in WRONG])
def test_wrong_implementation_fails_with_its_diagnosis(kata: str, path: Path, tmp_path: Path) -> None:
    result = grade(kata, path, tmp_path)
    assert not result.passed
    assert result.error is None, "a wrong implementation is judged test by test"
    failing = [t for t in result.tests if not t.passed]
    assert failing and all(t.stage in (Stage.VALUE, Stage.SHAPE) for t in failing), [t.stage for t in failing]
    mistake = DIAGNOSED[(kata, path.stem)]
    assert mistake in result.diagnosis, (result.diagnosis, failing[0].message)
    assert any(f"Likely mistake ({mistake})" in t.message for t in failing)
    assert any("Review: rnnprep quiz --id" in t.message for t in failing)


def test_every_fixture_has_an_expected_diagnosis() -> None:
    assert {(k, p.stem) for k, p in WRONG} <= set(DIAGNOSED)


@pytest.mark.parametrize("kata", CORE)
def test_cases_have_distinct_dims_and_cover_the_variants(kata: str) -> None:
    import importlib

    from rnnprep.grading.suite import kata as suite_kata  # noqa: F401  (the suites' own import)

    module = importlib.import_module(f"rnnprep.hidden.test_{kata}")
    cases = module.cases(np.random.default_rng(5))
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
    import importlib

    module = importlib.import_module("rnnprep.hidden.test_lstm")
    first, again = (module.cases(np.random.default_rng(9)) for _ in range(2))
    other = module.cases(np.random.default_rng(10))
    assert np.array_equal(first[1].call.args["x"], again[1].call.args["x"])
    assert not np.array_equal(first[1].call.args["W_ih"], other[1].call.args["W_ih"])


def test_capsule_holds_the_failing_case(tmp_path: Path) -> None:
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


def test_capsule_defaults_to_the_submissions_folder(tmp_path: Path) -> None:
    from rnnprep.kata import checking

    submission = tmp_path / "work" / "lstm.py"
    submission.parent.mkdir()
    submission.write_text((FIXTURES / "lstm" / "hc_swapped.py").read_text())
    result = checking.check(registry.get("lstm"), submission, seed=3)
    assert result.capsule == submission.parent / "lstm.failure.npz"
    assert result.capsule.exists()
