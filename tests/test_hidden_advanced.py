"""The hidden suites of the advanced katas, through the real check_file (the real sandbox and the
real pytest run): references pass on several seeds, starters fail, every wrong fixture fails
exactly the tests it should and is diagnosed with its catalogue id, plus the targeted messages.

Each check runs once per (kata, file, seed) and is shared by every test that needs it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from kata_grading import (
    FIXTURES,
    SEEDS,
    Grade,
    assert_named,
    everything_but,
    failures,
    grade_fixture,
    names,
    suite_of,
    variant,
)

from rnnprep import registry
from rnnprep.diagnosis import CATALOGUE, advanced
from rnnprep.grading.spec import Case
from rnnprep.grading.types import Stage

ADVANCED = [
    "dropout",
    "clip_grad_norm",
    "stacked_lstm",
    "packed_rnn",
    "seq_classifier",
    "rnn_backward",
    "truncated_bptt",
    "lstm_backward",
]
GRADIENT_KATAS = ["rnn_backward", "lstm_backward", "truncated_bptt", "seq_classifier"]

BIDIRECTIONAL = {
    "two_layers_bidirectional",
    "three_layers_bidirectional",
    "bidirectional_single_step",
    "bidirectional_float32",
}
CLIPPING = ("l2_norm_below_max", "all_zero_gradients")
MASK_TESTS = {
    "training_uses_its_mask",
    "training_float32",
    "same_seed_same_mask",
    "other_seed_other_mask",
    "keep_rate_large_draw",
    "expected_value_large_draw",
}
# (kata, fixture) -> (exactly the tests that fail, a phrase a failing message holds, the mistake id)
WRONG: dict[tuple[str, str], tuple[set[str], str, str]] = {
    ("rnn_backward", "no_accumulation"): (
        everything_but("rnn_backward", "single_step"), "d W_hh is wrong: relative error", "bptt-no-accumulation"),
    ("rnn_backward", "no_tanh_derivative"): (everything_but("rnn_backward"), "1 - h_t**2", "bptt-tanh-derivative-missing"),
    ("rnn_backward", "h_t_in_dw_hh"): (everything_but("rnn_backward"), "not h_t", "bptt-h-t-in-dw-hh"),
    ("lstm_backward", "c_not_through_h"): (everything_but("lstm_backward"), "is wrong: relative error", "lstm-bptt-cell-path"),
    ("lstm_backward", "forget_gate_uses_c_t"): (everything_but("lstm_backward"), "d W_hh is wrong", "lstm-bptt-forget-uses-c-t"),
    ("lstm_backward", "sigmoid_derivative_on_g"): (everything_but("lstm_backward"), "d W_ih is wrong", "lstm-bptt-g-derivative"),
    ("truncated_bptt", "never_detaches"): (
        everything_but("truncated_bptt", "k_equals_T_no_cut", "k_beyond_T_no_cut"),
        "never detaches (full BPTT)", "tbptt-never-detaches"),
    ("truncated_bptt", "detaches_every_step"): (
        everything_but("truncated_bptt", "k_1_detach_every_step"), "detaches before every step", "tbptt-detaches-every-step"),
    ("truncated_bptt", "cut_one_step_late"): (
        everything_but("truncated_bptt", "k_1_detach_every_step"), "cuts one step late", "tbptt-cut-late"),
    ("seq_classifier", "sum_reduction"): (everything_but("seq_classifier"), "not a sum", "classifier-sum-not-mean"),
    ("seq_classifier", "softmax_sign_flipped"): (everything_but("seq_classifier"), "opposite sign", "softmax-gradient-sign"),
    ("seq_classifier", "unstable_softmax"): ({"large_logits"}, "NaN or infinite", "softmax-overflow"),
    ("stacked_lstm", "reverse_weights_forward"): (
        BIDIRECTIONAL | {"one_layer_bidirectional"}, "wrong values", "stacked-direction-weights"),
    ("stacked_lstm", "h_n_direction_major"): (BIDIRECTIONAL, "layer-major", "stacked-hn-direction-major"),
    ("stacked_lstm", "reverse_output_flipped"): (
        BIDIRECTIONAL - {"bidirectional_single_step"} | {"one_layer_bidirectional"}, "output: wrong values",
        "stacked-reverse-not-flipped"),
    ("packed_rnn", "h_n_at_last_padded_step"): (
        everything_but("packed_rnn", "all_full_length"), "the padding was run through the GRU", "packed-hn-last-padded-step"),
    ("packed_rnn", "padding_not_zeroed"): (
        everything_but("packed_rnn", "all_full_length"), "output is not zero past the lengths", "packed-padding-not-zeroed"),
    ("clip_grad_norm", "returns_clipped_norm"): (
        everything_but("clip_grad_norm", *CLIPPING), "norm AFTER clipping", "clip-returns-clipped-norm"),
    ("clip_grad_norm", "clips_by_value"): (everything_but("clip_grad_norm", *CLIPPING), "clipped by value", "clip-by-value"),
    ("clip_grad_norm", "per_array_norm"): (
        everything_but("clip_grad_norm", *CLIPPING), "clipped by its own norm", "clip-per-array-norm"),
    ("dropout", "no_scaling"): (MASK_TESTS, "without the 1/(1 - p) scale", "dropout-unscaled"),
    ("dropout", "scales_at_eval"): ({"evaluation_is_identity"}, "in evaluation", "dropout-scales-at-eval"),
    ("dropout", "keeps_with_probability_p"): (
        {"keep_rate_large_draw", "expected_value_large_draw"}, "probability of DROPPING", "dropout-keeps-with-p"),
    ("dropout", "global_rng"): ({"same_seed_same_mask"}, "same Generator seed", "dropout-rng-ignored"),
    ("dropout", "divides_by_zero_at_p_one"): ({"p_one_drops_everything"}, "divide by zero", "dropout-divides-by-zero"),
}  # fmt: skip


grade = grade_fixture()


# --- the suites exist -------------------------------------------------------------------------


@pytest.mark.parametrize("kata", ADVANCED)
def test_every_advanced_kata_has_its_hidden_suite(kata: str) -> None:
    suite = registry.get(kata).suite
    assert suite.is_file() and suite.name == f"test_{kata}.py"
    assert f'suite.kata("{kata}")' in suite.read_text()


def test_every_registered_kata_has_a_suite_and_no_suite_is_orphaned() -> None:
    katas = registry.default().katas
    assert len(katas) == 22 and set(ADVANCED) <= {k.name for k in katas}
    hidden = {p.stem.removeprefix("test_") for p in katas[0].suite.parent.glob("test_*.py")}
    assert hidden == {k.name for k in katas}


# --- references pass, starters fail, wrong fixtures fail with their diagnosis ------------------


@pytest.mark.parametrize("kata", ADVANCED)
def test_reference_solution_passes(kata: str, grade: Grade) -> None:
    for seed in SEEDS:
        result = grade(kata, registry.get(kata).solution, seed)
        assert result.passed, failures(result)
        assert len(result.tests) == result.expected_tests >= 5
        assert result.capsule is None and not result.notes, result.notes


def test_dropout_statistics_do_not_fail_a_correct_kata_across_seeds(grade: Grade) -> None:
    for seed in range(20, 24):
        result = grade("dropout", registry.get("dropout").solution, seed)
        assert result.passed, failures(result)


@pytest.mark.parametrize("kata", ADVANCED)
def test_starter_fails_with_not_implemented(kata: str, grade: Grade) -> None:
    result = grade(kata, registry.get(kata).starter)
    assert not result.passed and result.error is None and result.tests
    for test in result.tests:
        assert not test.passed and test.stage is Stage.RAISED
        assert "NotImplementedError" in test.message and "starter" in test.message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # unstable_softmax overflows on purpose
@pytest.mark.parametrize(("kata", "fixture"), sorted(WRONG), ids=[f"{k}-{f}" for k, f in sorted(WRONG)])
def test_wrong_implementation_fails_the_right_tests_with_its_diagnosis(kata: str, fixture: str, grade: Grade) -> None:
    must_fail, phrase, mistake = WRONG[(kata, fixture)]
    raised = fixture == "divides_by_zero_at_p_one"  # p = 1 raises in the child: named all the same
    # A case where two slips give the same answer names both (clipping by value and per array
    # both leave small L1-clipped gradients alone); the fixture's own mistake comes first.
    assert_named(grade(kata, FIXTURES / kata / f"{fixture}.py"), must_fail, phrase, mistake,
                 (Stage.RAISED,) if raised else (Stage.VALUE,), among=True)  # fmt: skip


def test_every_fixture_is_listed_and_each_kata_has_two() -> None:
    on_disk = {(k, p.stem) for k in ADVANCED for p in (FIXTURES / k).glob("*.py")}
    assert on_disk == set(WRONG)
    for kata in ADVANCED:
        assert sum(k == kata for k, _ in WRONG) >= 2


def test_every_advanced_mistake_is_catalogued_and_reachable() -> None:
    slips = [*advanced.DROPOUT_SLIPS, *advanced.CLIP_SLIPS, *advanced.STACKED_SLIPS, *advanced.PACKED_SLIPS,
             *advanced.CLASSIFIER_SLIPS, *advanced.RNN_BACKWARD_SLIPS, *advanced.TRUNCATED_SLIPS,
             *advanced.LSTM_BACKWARD_SLIPS]  # fmt: skip
    ids = {m.id for m in advanced.MISTAKES}
    assert len(ids) == len(advanced.MISTAKES) and ids <= set(CATALOGUE)
    assert all(CATALOGUE[m.id] is m for m in advanced.MISTAKES)
    assert {slip.mistake.id for slip in slips} <= ids
    assert {mistake for _, _, mistake in WRONG.values()} <= ids


# --- targeted messages -------------------------------------------------------------------------


def test_gradient_message_names_the_wrong_and_the_right_gradients(grade: Grade) -> None:
    result = grade("rnn_backward", FIXTURES / "rnn_backward" / "no_accumulation.py")
    message = next(t.message for t in result.tests if t.name == "given_state")
    assert message.startswith("Called rnn_backward(x=(")
    assert "d W_hh is wrong: relative error" in message and "(tolerance 1e-6)" in message
    assert "d x and d h0 are right —" in message
    assert "sum da_t^T h_{t-1} over every time step" in message
    assert "Your answer is exactly what this slip gives: the weight gradients are assigned" in message


def test_truncation_message_names_the_cut_that_was_made(grade: Grade) -> None:
    result = grade("truncated_bptt", FIXTURES / "truncated_bptt" / "never_detaches.py")
    message = next(t.message for t in result.tests if t.name == "k_cuts_given_state")
    assert "Your dW_hh is exactly the gradient of a version that never detaches (full BPTT): with k=" in message
    assert "the state must be detached before steps" in message


def test_stacked_message_says_which_rows_of_h_n_are_wrong(grade: Grade) -> None:
    result = grade("stacked_lstm", FIXTURES / "stacked_lstm" / "h_n_direction_major.py")
    message = next(t.message for t in result.tests if t.name == "two_layers_bidirectional")
    assert "h_n rows wrong: l0 reverse, l1 forward (index = layer * D + direction)." in message
    assert "Your row 1 holds torch's row 2 (l1 forward): the order is layer-major" in message


def test_a_failure_leaves_a_capsule_of_the_failing_case(grade: Grade) -> None:
    result = grade("packed_rnn", FIXTURES / "packed_rnn" / "padding_not_zeroed.py")
    assert result.capsule is not None and result.capsule.name == "packed_rnn.failure.npz"
    with np.load(result.capsule, allow_pickle=False) as capsule:
        assert capsule["input/lengths"].dtype == np.int64
        assert capsule["expected/output"].shape == capsule["actual/output"].shape


def test_dropout_mask_from_a_fixed_seed_fails_the_other_seed_twin(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, "dropout", "mask = rng.random(x.shape) >= p", "mask = np.random.default_rng(0).random(x.shape) >= p")
    result = grade("dropout", path)
    assert result.failing_tests == ["other_seed_other_mask"], failures(result)
    assert result.diagnosis == ["dropout-rng-ignored"]
    assert "Another Generator seed gave exactly the mask of training_uses_its_mask" in result.tests[3].message


def test_dropout_inverted_mask_and_times_keep_are_named(tmp_path: Path, grade: Grade) -> None:
    inverted = variant(tmp_path / "a", "dropout", "return x * mask * scale, mask", "return x * ~mask * scale, mask")
    assert grade("dropout", inverted).diagnosis == ["dropout-mask-inverted"]
    times = variant(tmp_path / "b", "dropout", "return x * mask * scale, mask", "return x * mask * (1.0 - p), mask")
    assert grade("dropout", times).diagnosis == ["dropout-times-keep"]


def test_clip_coef_without_the_epsilon_or_the_cap_is_named(tmp_path: Path, grade: Grade) -> None:
    old = "coef = min(max_norm / (total + 1e-6), 1.0)"
    no_eps = grade("clip_grad_norm", variant(tmp_path / "a", "clip_grad_norm", old, "coef = min(max_norm / total, 1.0)"))
    assert no_eps.diagnosis == ["clip-coef-wrong"], failures(no_eps)
    # all_zero_gradients raises ZeroDivisionError (0 / 0.0); float32 cannot see a 1e-6 in the norm.
    assert set(no_eps.failing_tests) == everything_but("clip_grad_norm", "l2_norm_below_max", "l2_norm_float32")
    no_cap = grade("clip_grad_norm", variant(tmp_path / "b", "clip_grad_norm", old, "coef = max_norm / (total + 1e-6)"))
    assert no_cap.failing_tests == ["l2_norm_below_max"] and no_cap.diagnosis == ["clip-coef-wrong"], failures(no_cap)


def test_a_more_precise_result_passes_with_a_note(tmp_path: Path, grade: Grade) -> None:
    # The old suite demanded float32 for float32 inputs; the dtype rule now lets float64 pass.
    path = variant(tmp_path, "dropout", "scale = 1.0 / (1.0 - float(p))", "scale = np.float64(1.0) / (1.0 - np.float64(p))")
    result = grade("dropout", path)
    assert result.passed, failures(result)
    note = next(t for t in result.tests if t.name == "training_float32").notes
    assert note and "float64 for float32 inputs" in note[0]


def test_a_less_precise_result_fails_at_the_dtype_stage(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, "rnn_backward", '"x": da @ W_ih,', '"x": (da @ W_ih).astype(np.float32),')
    result = grade("rnn_backward", path)
    assert set(result.failing_tests) == names("rnn_backward")
    assert all(t.stage is Stage.DTYPE and "x has dtype float32, less precise" in t.message
               for t in result.tests), failures(result)  # fmt: skip


def test_dropout_mask_must_be_bool(tmp_path: Path, grade: Grade) -> None:
    path = variant(tmp_path, "dropout", "return x * mask * scale, mask", "return x * mask * scale, mask.astype(np.int8)")
    result = grade("dropout", path)
    assert set(result.failing_tests) == MASK_TESTS
    assert all(t.stage is Stage.DTYPE and "return a bool array" in t.message for t in result.tests if not t.passed)


# --- the plans -----------------------------------------------------------------------------------


def first_array(case: Case) -> np.ndarray:
    """x, or the first gradient array for clip_grad_norm."""
    args = case.call.args
    return args["x"] if "x" in args else next(iter(args["grads"].values()))


@pytest.mark.parametrize("kata", ADVANCED)
def test_cases_are_fresh_reproducible_and_have_distinct_dims(kata: str) -> None:
    module = suite_of(kata)
    cases, again, other = (module.cases(np.random.default_rng(s)) for s in (5, 5, 6))
    assert [c.name for c in cases] == [c.name for c in again] and len({c.name for c in cases}) == len(cases)
    assert {c.name for c in cases} == names(kata)
    first, second, third = (first_array(c[0]) for c in (cases, again, other))
    assert np.array_equal(first, second) and not np.array_equal(first, third)
    for case in cases:
        assert case.returns == registry.get(kata).returns
        sizes = [v for k, v in case.dims.items() if k not in ("L", "D") and not (k == "T" and v == 1)]
        assert len(set(sizes)) == len(sizes), (case.name, case.dims)
        if kata in GRADIENT_KATAS:
            assert case.dtype == "float64" and case.tol.rtol == 1e-6 and case.tol.atol == 0.0
        else:
            assert case.tol.atol == (1e-9 if case.dtype == "float64" else 1e-5)


def test_plans_cover_what_the_issue_asks() -> None:
    rng = np.random.default_rng(3)
    stacked = suite_of("stacked_lstm").cases(rng)
    assert {(c.call.args["num_layers"], c.call.args["bidirectional"]) for c in stacked} >= {
        (n, b) for n in (1, 2, 3) for b in (False, True)
    }
    for case in suite_of("packed_rnn").cases(rng):
        lengths, T = case.call.args["lengths"], case.dims["T"]
        assert lengths.dtype == np.int64 and lengths.min() >= 1 and lengths.max() == T
        if case.name != "all_full_length":
            assert 1 in lengths and np.any(np.diff(lengths) > 0) and np.any(np.diff(lengths) < 0)
    norms = {c.call.args.get("norm_type", 2.0) for c in suite_of("clip_grad_norm").cases(rng)}
    assert {1.0, 2.0, 3.0, float("inf")} <= norms
    drops = suite_of("dropout").cases(rng)
    assert {c.call.args["p"] for c in drops} >= {0.0, 1.0}
    assert any(not c.call.args["training"] for c in drops)
    assert all(c.call.errstate == {"divide": "raise", "invalid": "raise"} for c in drops)
    assert max(c.call.args["x"].size for c in drops) >= 100_000
    first, same, other = (next(c for c in drops if c.name == n) for n in
                          ("training_uses_its_mask", "same_seed_same_mask", "other_seed_other_mask"))  # fmt: skip
    assert same.extra["twin"] is first and other.extra["twin"] is first
    assert same.call.args["rng"] == first.call.args["rng"] != other.call.args["rng"]
    truncations = suite_of("truncated_bptt").cases(rng)
    assert {c.call.args["k"] for c in truncations if c.name == "k_1_detach_every_step"} == {1}
    assert all(c.call.args["k"] > c.dims["T"] for c in truncations if c.name == "k_beyond_T_no_cut")
