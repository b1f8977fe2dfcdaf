"""The attention kata: its hidden suite through the real check_file (the solution passes on
several seeds, the starter fails, every wrong fixture fails exactly the tests it should and
is named), the plan, targeted messages, and direct checks of solutions/attention.py against
torch (F.scaled_dot_product_attention, F.bilinear) that do not go through the grader.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from kata_grading import (
    FIXTURES,
    Grade,
    assert_fixtures_listed,
    assert_named,
    assert_solution_passes,
    assert_starter_fails,
    everything_but,
    failures,
    grade_fixture,
    load_module,
    names,
    suite_of,
    variant,
)

from rnnprep import registry
from rnnprep.diagnosis import advanced
from rnnprep.diagnosis import attention as mistakes
from rnnprep.grading import suite
from rnnprep.grading.types import Stage

KATA = "attention"
SUITE = suite_of(KATA)
QUESTIONS = Path(__file__).resolve().parent.parent / "questions"

LUONG_SCORES = ("dot", "general", "scaled_dot")
NO_PADDING = "dot_default_no_padding"
SCALED = {"scaled_dot_padded", "scaled_dot_float32"}
GENERAL = {"general_padded", "scattered_mask_general", "general_float32"}
LARGE = "large_scores_dot"
# fixture -> (exactly the tests that fail, a phrase a failing message holds, the mistake id)
WRONG: dict[str, tuple[set[str], str, str]] = {
    "mask_ignored": (everything_but(KATA, NO_PADDING), "weights put weight on masked positions",
                     "attention-mask-ignored"),
    "mask_zero_score": (everything_but(KATA, NO_PADDING, LARGE), "padding scored 0, not -inf",
                        "attention-mask-zero-score"),
    "mask_after_softmax": (everything_but(KATA, NO_PADDING), "The rows of weights sum to",
                           "attention-mask-after-softmax"),
    "softmax_over_batch": (everything_but(KATA), "every COLUMN sums to 1", "attention-softmax-axis"),
    "scaled_by_sqrt_source_length": (SCALED, "divided by sqrt(S)", "attention-scale-wrong"),
    "general_transposed": (GENERAL, "W_a has shape (Q, K)", "attention-general-transposed"),
    "context_unmasked": (everything_but(KATA, NO_PADDING), "weights are right, but context is not",
                         "attention-context-unmasked"),
    "unstable_softmax": ({LARGE}, "Subtract each row's max score", "softmax-overflow"),
}  # fmt: skip

grade = grade_fixture()


# --- through the grader ---------------------------------------------------------------------------


def test_reference_solution_passes(grade: Grade) -> None:
    assert_solution_passes(grade, KATA)


def test_starter_fails_with_not_implemented(grade: Grade) -> None:
    assert_starter_fails(grade, KATA)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("fixture", sorted(WRONG))
def test_wrong_implementation_fails_the_right_tests_with_its_diagnosis(fixture: str, grade: Grade) -> None:
    must_fail, phrase, mistake = WRONG[fixture]
    stages = (Stage.RAISED,) if fixture == "general_transposed" else (Stage.VALUE,)
    assert_named(grade(KATA, FIXTURES / KATA / f"{fixture}.py"), must_fail, phrase, mistake, stages)


def test_every_fixture_is_listed_and_has_a_one_line_docstring() -> None:
    assert_fixtures_listed(KATA, set(WRONG))


def test_an_alternative_correct_implementation_passes(tmp_path: Path, grade: Grade) -> None:
    """Loops, a softmax through np.where + renormalisation, and float64 results for float32 inputs."""
    path = tmp_path / "attention.py"
    path.write_text(ALTERNATIVE, encoding="utf-8")
    result = grade(KATA, path)
    assert result.passed, failures(result)
    noted = {t.name for t in result.tests if t.notes}
    assert noted == {"scaled_dot_float32", "general_float32", "bahdanau_float32"}
    assert all("float64 for float32 inputs" in t.notes[0] for t in result.tests if t.notes)


ALTERNATIVE = '''
import math

import numpy as np


def _softmax_rows(scores, mask):
    B, S = scores.shape
    weights = np.zeros((B, S))
    for b in range(B):
        real = [s for s in range(S) if mask[b, s]]
        top = max(float(scores[b, s]) for s in real)
        for s in real:
            weights[b, s] = math.exp(float(scores[b, s]) - top)
        weights[b] /= weights[b].sum()
    return weights


def _attend(scores, keys, mask):
    weights = _softmax_rows(np.asarray(scores, dtype=np.float64), mask)
    context = np.stack([weights[b] @ keys[b].astype(np.float64) for b in range(len(keys))])
    return context, weights


def luong_attention(query, keys, mask, score="dot", W_a=None):
    q = query.astype(np.float64)
    if score == "general":
        q = q @ W_a.astype(np.float64)
    scores = np.stack([keys[b].astype(np.float64) @ q[b] for b in range(len(q))])
    if score == "scaled_dot":
        scores = scores / math.sqrt(keys.shape[2])
    return _attend(scores, keys, mask)


def bahdanau_attention(query, keys, mask, W_q, W_k, v):
    q = query.astype(np.float64) @ W_q.T.astype(np.float64)
    k = keys.astype(np.float64) @ W_k.T.astype(np.float64)
    return _attend(np.tanh(q[:, None, :] + k) @ v.astype(np.float64), keys, mask)
'''


def test_a_finite_mask_penalty_fails_for_not_giving_exactly_zero(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, KATA, "np.where(mask, scores, -np.inf)", "np.where(mask, scores, scores - 60.0)")
    result = grade(KATA, path)
    failing = [t for t in result.tests if not t.passed]
    assert {"dot_padded", "bahdanau_padded", "one_real_position"} <= set(result.failing_tests), failures(result)
    assert NO_PADDING not in result.failing_tests
    for test in failing:  # in large_scores_dot, 1200 - 60 still beats 1000: plainly wrong values there
        assert test.stage is Stage.VALUE and test.diagnosis == ["attention-mask-ignored"], test.message
        assert test.name == LARGE or "must get exactly 0" in test.message, test.message


def test_other_slips_are_named(tmp_path: Path, grade: Grade) -> None:
    source = registry.get(KATA).solution.read_text(encoding="utf-8")
    whole = source.replace("max(axis=1, keepdims=True)", "max()").replace("sum(axis=1, keepdims=True)", "sum()")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "attention.py").write_text(whole, encoding="utf-8")
    result = grade(KATA, tmp_path / "a" / "attention.py")
    assert set(result.failing_tests) == everything_but(KATA), failures(result)
    assert result.diagnosis == ["attention-softmax-axis"], failures(result)
    assert "one softmax over the whole (B, S) array" in result.tests[0].message
    by_k = variant(tmp_path / "b", KATA, "scores / keys.shape[-1] ** 0.5", "scores / keys.shape[-1]")
    result = grade(KATA, by_k)
    assert set(result.failing_tests) == SCALED and result.diagnosis == ["attention-scale-wrong"], failures(result)
    assert "divided by K, not sqrt(K)" in result.tests[3].message
    dot_scaled = variant(tmp_path / "c", KATA, 'if score == "scaled_dot":\n', "if True:\n")
    result = grade(KATA, dot_scaled)
    assert result.diagnosis == ["attention-scale-wrong"], failures(result)
    assert "only 'scaled_dot' is scaled" in result.tests[0].message


def test_messages_say_what_the_weights_show(grade: Grade) -> None:
    zero = grade(KATA, FIXTURES / KATA / "mask_zero_score.py")
    message = next(t.message for t in zero.tests if t.name == "dot_padded")
    assert message.startswith("Called luong_attention(query=(")
    assert "score='dot'" in message and "weights: wrong values" in message
    assert "Your answer is exactly what this slip gives: the scores are multiplied by the mask" in message
    transposed = grade(KATA, FIXTURES / KATA / "general_transposed.py")
    message = next(t.message for t in transposed.tests if t.name == "general_padded")
    assert "luong_attention raised ValueError" in message and "projected = query @ W_a (B, K)" in message
    overflow = grade(KATA, FIXTURES / KATA / "unstable_softmax.py")
    message = next(t.message for t in overflow.tests if t.name == LARGE)
    assert "NaN or infinite" in message and "exp(1000) is inf in float64" in message


# --- the plan -------------------------------------------------------------------------------------


def test_cases_are_fresh_reproducible_and_have_distinct_dims() -> None:
    cases, again, other = (SUITE.cases(np.random.default_rng(s)) for s in (5, 5, 6))
    assert [c.name for c in cases] == [p.name for p in SUITE.PLAN] == [c.name for c in again]
    assert len(names(KATA)) == len(cases) >= 10
    assert np.array_equal(cases[0].call.args["keys"], again[0].call.args["keys"])
    assert not np.array_equal(cases[0].call.args["keys"], other[0].call.args["keys"])
    for case in cases:
        assert case.returns == registry.get(KATA).returns
        assert len(set(case.dims.values())) == len(case.dims), (case.name, case.dims)
        assert case.tol.atol == (1e-9 if case.dtype == "float64" else 1e-5)
        for value in case.call.args.values():
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                assert value.dtype == case.dtype


def test_plan_covers_scores_masks_and_edges() -> None:
    for seed in range(4):
        cases = {c.name: c for c in SUITE.cases(np.random.default_rng(seed))}
        kinds = {c.call.args.get("score", "bahdanau" if "W_q" in c.call.args else "default") for c in cases.values()}
        assert kinds == {"dot", "general", "scaled_dot", "bahdanau", "default"}
        assert {c.dtype for c in cases.values()} == {"float64", "float32"}
        for case in cases.values():
            a, mask = case.call.args, case.call.args["mask"]
            assert mask.dtype == bool and mask.any(axis=1).all()
            if ("W_a" in a and a["W_a"] is not None) or "W_q" in a:
                assert case.dims["Q"] != case.dims["K"]
        padded = cases["dot_padded"].call.args["mask"]
        assert padded.all(axis=1).any() and not padded.all()
        assert cases[NO_PADDING].call.args["mask"].all() and set(cases[NO_PADDING].call.args) == {"query", "keys", "mask"}
        scattered = cases["scattered_mask_general"].call.args["mask"]
        assert scattered[0].sum() == 1 and not scattered[0, 0]  # a single real position, not a prefix
        _, weights = SUITE.reference(cases["one_real_position"])
        single = cases["one_real_position"].call.args["mask"].sum(axis=1) == 1
        assert single.any() and np.all(weights[single].max(axis=1) == 1.0)
        large = cases[LARGE]
        scores = mistakes.raw_scores(large.call.args)
        real = np.where(large.call.args["mask"], scores, -np.inf).max(axis=1)
        assert np.allclose(real, 1000.0)
        assert np.where(large.call.args["mask"], -np.inf, scores).max() > 1100.0  # the padding scores highest


def test_every_quiz_id_exists_and_every_mistake_is_reachable() -> None:
    known = set(re.findall(r"^\s*- id: (\S+)$", "\n".join(p.read_text() for p in QUESTIONS.glob("*.yaml")), re.M))
    ids = [m.id for m in mistakes.MISTAKES]
    assert len(set(ids)) == len(ids) and all(i.startswith("attention-") for i in ids)
    for mistake in mistakes.MISTAKES:
        assert mistake.quiz_ids and set(mistake.quiz_ids) <= known, mistake.id
    assert {slip.mistake.id for slip in mistakes.SLIPS} | {"attention-general-transposed"} == set(ids)
    assert {m for _, _, m in WRONG.values()} == set(ids) | {advanced.SOFTMAX_OVERFLOW.id}


# --- the solution against torch, without the grader ------------------------------------------------


def random_inputs(rng: np.random.Generator, kind: str, B: int = 3, S: int = 7, Q: int = 4, K: int = 5,
                  A: int = 6) -> dict[str, Any]:  # fmt: skip
    """Random inputs for one score kind (Q == K for dot and scaled_dot), a random mask."""
    Q = K if kind in ("dot", "scaled_dot") else Q
    mask = rng.random((B, S)) < 0.6  # (B, S)
    mask[np.arange(B), rng.integers(0, S, B)] = True
    args = {"query": rng.standard_normal((B, Q)), "keys": rng.standard_normal((B, S, K)), "mask": mask}
    if kind == "bahdanau":
        return args | {"W_q": rng.standard_normal((A, Q)), "W_k": rng.standard_normal((A, K)), "v": rng.standard_normal(A)}
    return args | {"score": kind, "W_a": rng.standard_normal((Q, K)) if kind == "general" else None}




SOLUTION = load_module(registry.get(KATA).solution)


def solve(args: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The reference solution's answer for luong or bahdanau arguments."""
    if "W_q" in args:
        return SOLUTION.bahdanau_attention(**args)
    return SOLUTION.luong_attention(**args)


def t64(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(array, dtype=np.float64))


@pytest.mark.parametrize("kind", [*LUONG_SCORES, "bahdanau"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_solution_matches_torch_on_random_inputs(kind: str, dtype: type) -> None:
    rng = np.random.default_rng(7)
    tol = 1e-10 if dtype is np.float64 else 1e-5
    for _ in range(25):
        args = {k: v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
                for k, v in random_inputs(rng, kind).items()}  # fmt: skip
        context, weights = solve(args)
        assert context.dtype == dtype and weights.dtype == dtype
        # an independent torch computation: explicit scores, masked_fill(-inf), softmax, bmm
        q, keys, mask = t64(args["query"]), t64(args["keys"]), torch.from_numpy(args["mask"])
        if kind == "bahdanau":
            scores = torch.tanh((q @ t64(args["W_q"]).T)[:, None] + keys @ t64(args["W_k"]).T) @ t64(args["v"])
        elif kind == "general":
            scores = torch.einsum("bq,qk,bsk->bs", q, t64(args["W_a"]), keys)  # q^T W_a k_s
        else:
            scores = torch.einsum("bk,bsk->bs", q, keys) / (math.sqrt(keys.shape[2]) if kind == "scaled_dot" else 1.0)
        want_w = torch.softmax(scores.masked_fill(~mask, -math.inf), dim=1)
        assert np.abs(weights - want_w.numpy()).max() < tol
        assert np.all(weights[~args["mask"]] == 0.0)
        assert np.abs(context - torch.bmm(want_w[:, None], keys)[:, 0].numpy()).max() < tol
        expected = SUITE.reference(suite_case(args))  # the hidden suite's own reference agrees
        assert np.abs(context - expected[0]).max() < tol and np.abs(weights - expected[1]).max() < tol


def suite_case(args: dict[str, Any]) -> suite.Case:
    """A hidden-suite Case around these arguments (for the suite's reference)."""
    target = "bahdanau_attention" if "W_q" in args else "luong_attention"
    return suite.Case("direct", "direct", suite.Call(target, args), registry.get(KATA).returns, {})


def test_scaled_dot_equals_torch_sdpa_with_a_boolean_mask() -> None:
    """The suite's scaled_dot reference (F.scaled_dot_product_attention, True = take part) equals
    the explicit masked softmax, and so does the solution."""
    rng = np.random.default_rng(3)
    for _ in range(25):
        args = random_inputs(rng, "scaled_dot", B=4, S=9, K=6)
        q, keys, mask = t64(args["query"]), t64(args["keys"]), torch.from_numpy(args["mask"])
        sdpa = F.scaled_dot_product_attention(q[:, None, :], keys, keys, attn_mask=mask[:, None, :])[:, 0]
        manual = torch.softmax((keys @ q[:, :, None])[..., 0].div(6**0.5).masked_fill(~mask, -math.inf), 1)
        assert torch.allclose(sdpa, torch.bmm(manual[:, None], keys)[:, 0], atol=1e-12)
        assert np.abs(solve(args)[0] - sdpa.numpy()).max() < 1e-10


def test_general_score_is_f_bilinear_with_w_a_of_shape_q_by_k() -> None:
    rng = np.random.default_rng(5)
    args = random_inputs(rng, "general", Q=3, K=5)
    q, keys, W_a = t64(args["query"]), t64(args["keys"]), t64(args["W_a"])
    bilinear = F.bilinear(q[:, None].expand(-1, keys.shape[1], -1).contiguous(), keys, W_a[None])[..., 0]
    explicit = torch.stack([torch.stack([q[b] @ W_a @ keys[b, s] for s in range(keys.shape[1])]) for b in range(len(q))])
    assert torch.allclose(bilinear, explicit, atol=1e-12)


def test_large_scores_do_not_overflow() -> None:
    rng = np.random.default_rng(2)
    args = random_inputs(rng, "dot")
    args["query"] = args["query"] * 500.0
    context, weights = solve(args)
    assert np.all(np.isfinite(context)) and np.allclose(weights.sum(axis=1), 1.0)


def test_worked_example_of_the_readme() -> None:
    readme = registry.get(KATA).readme.read_text(encoding="utf-8")
    query = np.array([[1.0, 0.0], [0.5, -1.0]])
    keys = np.array([[[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]], [[2.0, 0.0], [1.0, 1.0], [-2.0, 5.0]]])
    mask = np.array([[True, True, False], [True, True, True]])
    shown = []
    for score in ("dot", "scaled_dot"):
        context, weights = solve({"query": query, "keys": keys, "mask": mask, "score": score})
        expected = SUITE.reference(suite_case({"query": query, "keys": keys, "mask": mask, "score": score, "W_a": None}))
        assert np.allclose(context, expected[0]) and np.allclose(weights, expected[1])
        shown += [fmt(weights[0, :2])[:-1] + ", 0.0]", fmt(weights[1]), fmt(context[0]), fmt(context[1])]
    unmasked = torch.softmax(torch.tensor([1.0, 0.0, 3.0], dtype=torch.float64), 0).numpy()
    zeroed = torch.softmax(torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), 0).numpy()
    shown += [fmt(unmasked), fmt(unmasked @ keys[0]), fmt(zeroed)]
    for text in shown:
        assert text in readme, text


def fmt(values: np.ndarray) -> str:
    """'[0.7311, 1.7311]': a row as the README prints it (4 decimals, trailing zeros kept)."""
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"
