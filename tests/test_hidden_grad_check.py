"""grad_check: its hidden suite through the real grader, and its references proved without it.

The hidden suite's torch loss equals the NumPy loss the child builds; its planted gradients are
what they claim to be; the tolerance on numeric is met by central differences and missed by
one-sided ones on every drawn case (measured here over many seeds, with the margins); and the
reference solution matches torch autograd, runs well inside the timeout and leaves the caller's
arrays alone.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from kata_grading import (
    FIXTURES,
    Grade,
    assert_fixtures_listed,
    assert_named,
    assert_solution_passes,
    assert_starter_fails,
    failures,
    grade_fixture,
    load_module,
    names,
    suite_of,
    variant,
)

from rnnprep import registry
from rnnprep.diagnosis import CATALOGUE
from rnnprep.diagnosis import grad_check as gc
from rnnprep.grading.check import warm_imports
from rnnprep.grading.spec import Case
from rnnprep.grading.types import Stage
from rnnprep.sandbox import models

KATA = "grad_check"
ALL = names(KATA)
PLANTED = {"w_hh_transposed", "b_y_sign_flipped", "w_hh_last_step_only", "b_h_scaled_by_T"}
# fmt: off
WRONG: dict[str, tuple[set[str], str, str]] = {
    "one_sided": (ALL, "the one-sided difference (loss(p + eps) - loss(p)) / eps", "gradcheck-one-sided"),
    "divides_by_eps": (ALL, "twice the central difference", "gradcheck-divides-by-eps"),
    "not_restored": (ALL, "never put back", "gradcheck-not-restored"),
    "perturbs_all_at_once": (ALL, "one directional difference in every entry", "gradcheck-perturbs-all-at-once"),
    "flatten_copy": (ALL, "a copy the loss never reads", "gradcheck-perturbs-a-copy"),
    "rel_error_max_denominator": (PLANTED | {"coarse_eps"}, "/ max(||grads||, ||numeric||)", "gradcheck-rel-error-formula"),
    "zero_over_zero": ({"single_step"}, "both exactly 0 here, so the ratio is 0/0", "gradcheck-rel-error-zero-norms"),
}
# fmt: on

grade = grade_fixture()
warm_imports()  # as in the grader's process: torch on one thread (tiny tensors)
module = suite_of(KATA)


def solution() -> Any:
    """solutions/grad_check.py's grad_check, imported by path."""
    return load_module(registry.get(KATA).solution).grad_check


@functools.cache
def drawn(seed: int) -> dict[str, Case]:
    """The hidden cases of a seed, by name."""
    return {case.name: case for case in module.cases(np.random.default_rng(seed))}


def run(case: Case, function: Callable[..., Any] | None = None) -> Any:
    """The solution (or another grad_check) on a case, with the NumPy loss the child builds."""
    a = case.call.args
    loss = models.build("rnn_loss", a["loss"].arrays)
    extra = [a["eps"]] if "eps" in a else []
    return (function or solution())(loss, a["params"], a["grads"], *extra)


def short(x: float) -> str:
    """1.1e-06 written as 1.1e-6, as the README writes it."""
    return f"{x:.1e}".replace("e-0", "e-")


def max_error(numeric: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> float:
    """The largest absolute difference over every entry of every parameter."""
    return max(float(np.max(np.abs(numeric[k] - expected[k]))) for k in expected)


# --- the references, without the grader ------------------------------------------------------------


def test_torch_losses_equal_the_loss_the_child_builds() -> None:
    for case in [*drawn(1).values(), *drawn(2).values()]:
        a = case.call.args
        data, params = a["loss"].arrays, a["params"]
        numpy_loss = models.build("rnn_loss", data)(params)
        tensors = {k: torch.from_numpy(v) for k, v in params.items()}
        assert abs(float(module.nn_loss(data, params)) - numpy_loss) < 1e-13
        assert abs(float(module.torch_loss(data, tensors)) - numpy_loss) < 1e-13


def last_step_term(data: dict[str, np.ndarray], params: dict[str, np.ndarray]) -> np.ndarray:
    """sum_b da_(T-1)^T h_(T-2) in NumPy: the last step's term of dW_hh, by hand."""
    x, targets = data["x"], data["targets"]
    B, T, _ = x.shape
    h = np.zeros((B, T + 1, params["W_hh"].shape[0]))  # (B, T+1, H): h[:, t] is h_(t-1)
    for t in range(T):
        h[:, t + 1] = np.tanh(x[:, t] @ params["W_xh"].T + h[:, t] @ params["W_hh"].T + params["b_h"])  # (B, H)
    logits = h[:, T] @ params["W_hy"].T + params["b_y"]  # (B, C)
    d_logits = np.exp(logits - logits.max(1, keepdims=True))  # (B, C)
    d_logits /= d_logits.sum(1, keepdims=True)
    d_logits[np.arange(B), targets[:, T - 1]] -= 1.0
    d_logits /= B * T  # the mean over (b, t)
    da = (d_logits @ params["W_hy"]) * (1 - h[:, T] ** 2)  # (B, H): nothing flows back from after T-1
    return da.T @ h[:, T - 1]  # (H, H)


def test_planted_gradients_are_what_they_claim() -> None:
    for seed in (1, 2, 3):
        cases = drawn(seed)
        for name, case in cases.items():
            a = case.call.args
            true = module.true_gradients(a["loss"].arrays, a["params"])
            planted = case.extra["planted"]
            for key in module.KEYS:
                if key != planted:
                    assert np.array_equal(a["grads"][key], true[key]), (name, key)
        a = {name: case.call.args for name, case in cases.items()}
        assert np.array_equal(a["w_hh_transposed"]["grads"]["W_hh"], module.true_gradients(
            a["w_hh_transposed"]["loss"].arrays, a["w_hh_transposed"]["params"])["W_hh"].T)  # fmt: skip
        flipped = module.true_gradients(a["b_y_sign_flipped"]["loss"].arrays, a["b_y_sign_flipped"]["params"])["b_y"]
        assert np.array_equal(a["b_y_sign_flipped"]["grads"]["b_y"], -flipped)
        scaled = a["b_h_scaled_by_T"]
        T = scaled["loss"].arrays["x"].shape[1]
        assert np.allclose(scaled["grads"]["b_h"], T * module.true_gradients(scaled["loss"].arrays, scaled["params"])["b_h"])
        last = a["w_hh_last_step_only"]
        assert np.allclose(last["grads"]["W_hh"], last_step_term(last["loss"].arrays, last["params"]), rtol=0, atol=1e-14)


def test_central_differences_meet_the_tolerance_and_one_sided_ones_miss_it_on_every_seed() -> None:
    """The margins, measured: central within 1e-9 (10x inside 1e-8), one-sided beyond 1e-7 (10x out)."""
    worst_central, best_one_sided = 0.0, np.inf
    for seed in range(100, 106):
        for name, case in drawn(seed).items():
            inputs, (numeric, rel) = case.call.inputs(), module.reference(case)
            central, forward = gc.numeric_gradients(inputs), gc.numeric_gradients(inputs, kind="forward")
            worst_central = max(worst_central, max_error(central, numeric))
            if name == "coarse_eps":
                true = module.true_gradients(inputs["loss"].arrays, inputs["params"])
                assert max_error(true, numeric) > 1e-7  # ignoring the eps given is visible
                assert max(rel.values()) > 1e-5  # right gradients, yet rel_error is not tiny
                continue
            best_one_sided = min(best_one_sided, max_error(forward, numeric))
            claimed = gc.check(inputs, central)[1]
            assert all(claimed[k] < 1e-8 for k in module.KEYS if rel[k] < module.TINY), (seed, name)  # 100x inside
            if case.extra["planted"]:
                assert rel[case.extra["planted"]] >= module.VISIBLE
    assert worst_central < 1e-9 < module.NUMERIC_TOL.atol < 1e-7 < best_one_sided, (worst_central, best_one_sided)


@pytest.mark.parametrize("seed", [1, 2])
def test_solution_matches_torch_autograd_and_leaves_params_alone(seed: int) -> None:
    for name, case in drawn(seed).items():
        before = {k: v.copy() for k, v in case.call.args["params"].items()}
        numeric, rel = run(case)
        expected = module.reference(case)
        assert module.judge(case, (numeric, rel), expected).stage is Stage.OK, name
        assert all(np.array_equal(before[k], case.call.args["params"][k]) for k in before)
        assert all(isinstance(v, float) for v in rel.values()) and all(v.dtype == np.float64 for v in numeric.values())
    single = drawn(seed)["single_step"]
    assert not np.any(module.reference(single)[0]["W_hh"]) and run(single)[1]["W_hh"] == 0.0


def test_a_plain_loop_finishes_far_inside_the_timeout() -> None:
    started = time.perf_counter()
    for case in drawn(4).values():
        run(case)
    assert time.perf_counter() - started < 2.0  # the child has 10 s for all of it; typically ~0.1 s


def test_readme_worked_example_is_what_the_solution_and_torch_compute() -> None:
    text = " ".join(registry.get(KATA).readme.read_text(encoding="utf-8").split())
    data = {"x": np.array([[[1.0], [-0.5]]]), "targets": np.array([[0, 1]])}
    params = {"W_xh": np.array([[0.8]]), "W_hh": np.array([[0.5]]), "b_h": np.array([0.1]),
              "W_hy": np.array([[1.0], [-1.0]]), "b_y": np.array([0.0, 0.2])}  # fmt: skip
    for line in ("x = [[[1.0], [-0.5]]] targets = [[0, 1]]",
                 "W_xh = [[0.8]] W_hh = [[0.5]] b_h = [0.1] W_hy = [[1.0], [-1.0]] b_y = [0.0, 0.2]"):  # fmt: skip
        assert line in text
    loss = models.build("rnn_loss", data)

    def at(w: float) -> float:
        return loss({**params, "W_hh": np.array([[w]])})

    true = module.true_gradients(data, params)
    exact = float(true["W_hh"][0, 0])
    up, down, base = at(0.5 + 1e-5), at(0.5 - 1e-5), loss(params)
    central, forward = (up - down) / 2e-5, (up - base) / 1e-5
    assert f"loss(params) = {base:.12f}" in text
    assert f"loss(W_hh = 0.50001) = {up:.12f}" in text and f"loss(W_hh = 0.49999) = {down:.12f}" in text
    assert f"= {central:.12f}" in text and f"exact (autograd): {exact:.12f} error {short(abs(central - exact))}" in text
    assert f"/ 1e-5 = {forward:.12f} error {short(abs(forward - exact))}" in text
    for eps in (1e-5, 1e-3, 1e-2):
        error64 = abs((at(0.5 + eps) - at(0.5 - eps)) / (2 * eps) - exact)
        error32 = abs(float32_central(data, params, eps) - exact)
        row = re.search(rf"\| {eps:.0e} \| ([\d.e-]+) \| ~([\d.e-]+) \|".replace("e-0", "e-"), text)
        assert row, eps
        assert row.group(1) == short(error64)
        assert float(row.group(2)) / 2 < error32 < float(row.group(2)) * 2, (eps, error32)
    assert " ".join(f"{k} {np.round(v, 6).tolist()}" for k, v in true.items()) in text
    grads = {**true, "W_hh": 2 * true["W_hh"], "b_y": -true["b_y"]}
    numeric, rel = solution()(loss, params, grads)
    assert max_error(numeric, true) < 1e-9
    assert f"W_hh: {rel['W_hh']:.6f}" in text and f"b_y: {rel['b_y']:.1f}" in text
    for key in ("W_xh", "b_h", "W_hy"):
        assert f"{key}: {rel[key]:.0e}" in text


def float32_central(data: dict[str, np.ndarray], params: dict[str, np.ndarray], eps: float) -> float:
    """The W_hh central difference with a float32 copy of the loss, written in NumPy."""
    f32 = np.float32

    def loss(w: np.float32) -> np.float32:
        p = {k: v.astype(f32) for k, v in params.items()}
        p["W_hh"][0, 0] = w
        x, h, total = data["x"].astype(f32), np.zeros((1, 1), f32), f32(0)
        for t in range(2):
            h = np.tanh(x[:, t] @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])  # (1, 1)
            z = h @ p["W_hy"].T + p["b_y"]  # (1, 2)
            z = z - z.max(-1, keepdims=True)  # (1, 2)
            total -= (z - np.log(np.exp(z).sum(-1, keepdims=True)))[0, data["targets"][0, t]]
        return total / f32(2)

    w = f32(0.5)
    return float((loss(w + f32(eps)) - loss(w - f32(eps))) / (2 * f32(eps)))


def test_cases_are_fresh_reproducible_and_have_distinct_dims() -> None:
    cases, again, other = drawn(5), module.cases(np.random.default_rng(5)), drawn(6)
    assert list(cases) == [c.name for c in again] and set(cases) == ALL and len(cases) == 7
    first = cases["all_grads_right"].call.args["params"]["W_xh"]
    assert np.array_equal(first, again[0].call.args["params"]["W_xh"])
    assert not np.array_equal(first, other["all_grads_right"].call.args["params"]["W_xh"])
    for case in cases.values():
        sizes = [v for k, v in case.dims.items() if not (k == "T" and v == 1)]
        assert len(set(sizes)) == len(sizes) and case.returns == registry.get(KATA).returns
        assert case.dtype == "float64" and case.tol == module.NUMERIC_TOL
        assert {k: v.shape for k, v in case.call.args["params"].items()} == {
            k: v.shape for k, v in case.call.args["grads"].items()}  # fmt: skip
    assert cases["single_step"].dims["T"] == 1 and cases["coarse_eps"].call.args["eps"] == 1e-2
    assert all("eps" not in c.call.args for n, c in cases.items() if n != "coarse_eps")


# --- through the grader ---------------------------------------------------------------------------


def test_reference_solution_passes(grade: Grade) -> None:
    assert_solution_passes(grade, KATA)


def test_starter_fails_with_not_implemented(grade: Grade) -> None:
    assert_starter_fails(grade, KATA)


# Another correct way: flat views (ravel of a contiguous copy), the loss evaluated on a dict
# rebuilt per parameter, norms written out, numpy floats returned.
ALTERNATIVE = '''
import numpy as np


def grad_check(loss, params, grads, eps=1e-5):
    numeric, rel_error = {}, {}
    for name in params:
        work = {k: np.array(v, copy=True) for k, v in params.items()}
        flat = work[name].ravel()  # a view: writing flat[i] changes work[name]
        n = np.empty(flat.size)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + eps
            plus = loss(work)
            flat[i] = keep - eps
            minus = loss(work)
            flat[i] = keep
            n[i] = (plus - minus) / (2.0 * eps)
        numeric[name] = n.reshape(params[name].shape)
        g = grads[name]
        top = np.sqrt(np.sum((g - numeric[name]) ** 2))
        bottom = np.sqrt(np.sum(g ** 2)) + np.sqrt(np.sum(numeric[name] ** 2))
        rel_error[name] = np.float64(0.0) if bottom == 0 else top / bottom
    return numeric, rel_error
'''


def test_an_independent_correct_implementation_passes(tmp_path: Path, grade: Grade) -> None:
    path = tmp_path / "grad_check.py"
    path.write_text(ALTERNATIVE, encoding="utf-8")
    result = grade(KATA, path)
    assert result.passed, failures(result)


@pytest.mark.parametrize("fixture", sorted(WRONG))
def test_wrong_implementation_fails_the_right_tests_with_its_diagnosis(fixture: str, grade: Grade) -> None:
    must_fail, phrase, mistake = WRONG[fixture]
    result = grade(KATA, FIXTURES / KATA / f"{fixture}.py")
    assert_named(result, must_fail, phrase, mistake, only=True)
    failing = [t for t in result.tests if not t.passed]
    assert all(t.message.startswith("Called grad_check(loss=<rnn_loss function>, params={") for t in failing)
    assert all("Review: rnnprep quiz --id training." in t.message for t in failing)


def test_every_fixture_is_listed_and_every_mistake_is_catalogued() -> None:
    assert_fixtures_listed(KATA, set(WRONG))
    ids = {m.id for m in gc.MISTAKES}
    assert len(ids) == len(gc.MISTAKES) and {s.mistake.id for s in gc.SLIPS} == ids - {gc.GRADCHECK_ZERO_NORMS.id}
    assert all(CATALOGUE[m.id] is m for m in gc.MISTAKES)
    from rnnprep.content import questions_dir

    quiz = {m for path in questions_dir().glob("*.yaml") for m in re.findall(r"^  - id: (\S+)", path.read_text(), re.M)}
    assert all(q in quiz for m in gc.MISTAKES for q in m.quiz_ids)


# --- targeted messages -------------------------------------------------------------------------------


def test_a_one_sided_difference_is_told_why_central_is_needed(grade: Grade) -> None:
    result = grade(KATA, FIXTURES / KATA / "one_sided.py")
    message = next(t.message for t in result.tests if t.name == "all_grads_right")
    assert re.search(r"numeric\['W_hh'\]: wrong values in \d+ of \d+ entries; max abs error [\d.]+e-0[67]", message)
    assert "a one-sided difference is off by ~eps" in message
    assert re.search(r"rel_error is (\w+ [\d.e-]+, )+\w+ [\d.e-]+ where grads is right", message)


def test_a_wrong_relative_error_names_the_formula(grade: Grade) -> None:
    result = grade(KATA, FIXTURES / KATA / "rel_error_max_denominator.py")
    message = next(t.message for t in result.tests if t.name == "b_y_sign_flipped")
    assert re.search(r"rel_error\['b_y'\] = 2, expected 1 \(allowed ±0\.1%\): grads\['b_y'\] is wrong", message)
    coarse = next(t.message for t in result.tests if t.name == "coarse_eps")
    assert "is right, but with eps=0.01 the central difference itself is off by O(eps^2)" in coarse


def test_an_ignored_eps_is_named(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, KATA, "def numeric_gradient(loss, params, name, eps):",
                   "def numeric_gradient(loss, params, name, eps):\n    eps = 1e-5")  # fmt: skip
    result = grade(KATA, path)
    assert result.failing_tests == ["coarse_eps"] and result.diagnosis == ["gradcheck-ignores-eps"], failures(result)


def test_a_division_by_zero_on_the_zero_gradient_is_named(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, KATA, "return float(np.linalg.norm(g - n) / denominator) if denominator > 0 else 0.0",
                   "return float(np.linalg.norm(g - n)) / float(denominator)")  # fmt: skip
    result = grade(KATA, path)
    assert result.failing_tests == ["single_step"] and result.diagnosis == ["gradcheck-rel-error-zero-norms"]
    message = result.tests[-1].message
    assert "raised ZeroDivisionError" in message and "grads['W_hh'] is exactly 0 here" in message


def test_float32_numeric_gradients_fail(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, KATA, "grad = np.zeros_like(p[name])", "grad = np.zeros_like(p[name], dtype=np.float32)")
    result = grade(KATA, path)
    assert set(result.failing_tests) == ALL, failures(result)
    assert all(t.stage in (Stage.VALUE, Stage.DTYPE) for t in result.tests)  # rounding shows, or the dtype
    assert any("numeric['W_hh'] has dtype float32, less precise" in t.message for t in result.tests), failures(result)
