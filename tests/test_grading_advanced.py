"""The advanced katas' hidden suites: references pass, starters fail, wrong variants fail by name.

Graded in-process (``isolated=False``) for speed, except one real child-process check; plus
the rustlings-style proof over every kata of katas/katas.yaml.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnprep.content import katas_dir, solutions_dir
from rnnprep.grading import check_file
from rnnprep.grading.suites import load_suite, suite_names
from rnnprep.kata import registry

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
FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SEED = 11


def everything_but(kata: str, *passing: str) -> set[str]:
    """Every test name of kata's suite except those listed."""
    names = {c.name for c in load_suite(kata).cases(np.random.default_rng(0))}
    assert set(passing) <= names
    return names - set(passing)


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
# (kata, fixture) -> (exactly the tests that must fail, a phrase some failing message must hold)
WRONG: dict[tuple[str, str], tuple[set[str], str]] = {
    ("rnn_backward", "no_accumulation"): (
        everything_but("rnn_backward", "single_step"),
        "d W_hh is wrong: relative error",
    ),
    ("rnn_backward", "no_tanh_derivative"): (
        everything_but("rnn_backward"),
        "1 - h_t**2",
    ),
    ("rnn_backward", "h_t_in_dw_hh"): (everything_but("rnn_backward"), "not h_t"),
    ("lstm_backward", "c_not_through_h"): (
        everything_but("lstm_backward"),
        "is wrong: relative error",
    ),
    ("lstm_backward", "forget_gate_uses_c_t"): (everything_but("lstm_backward"), "d W_hh is wrong"),
    ("lstm_backward", "sigmoid_derivative_on_g"): (
        everything_but("lstm_backward"),
        "d W_ih is wrong",
    ),
    ("truncated_bptt", "never_detaches"): (
        everything_but("truncated_bptt", "k_equals_T_no_cut", "k_beyond_T_no_cut"),
        "never detaches (full BPTT)",
    ),
    ("truncated_bptt", "detaches_every_step"): (
        everything_but("truncated_bptt", "k_1_detach_every_step"),
        "detaches before every step",
    ),
    ("truncated_bptt", "cut_one_step_late"): (
        everything_but("truncated_bptt", "k_1_detach_every_step"),
        "cuts one step late",
    ),
    ("seq_classifier", "sum_reduction"): (everything_but("seq_classifier"), "not a sum"),
    ("seq_classifier", "softmax_sign_flipped"): (everything_but("seq_classifier"), "opposite sign"),
    ("seq_classifier", "unstable_softmax"): ({"large_logits"}, "NaN or infinite"),
    ("stacked_lstm", "reverse_weights_forward"): (
        BIDIRECTIONAL | {"one_layer_bidirectional"},
        "wrong values",
    ),
    ("stacked_lstm", "h_n_direction_major"): (BIDIRECTIONAL, "layer-major"),
    ("stacked_lstm", "reverse_output_flipped"): (
        BIDIRECTIONAL - {"bidirectional_single_step"} | {"one_layer_bidirectional"},
        "output: wrong values",
    ),
    ("packed_rnn", "h_n_at_last_padded_step"): (
        everything_but("packed_rnn", "all_full_length"),
        "the padding was run through the GRU",
    ),
    ("packed_rnn", "padding_not_zeroed"): (
        everything_but("packed_rnn", "all_full_length"),
        "output is not zero past the lengths",
    ),
    ("clip_grad_norm", "returns_clipped_norm"): (
        everything_but("clip_grad_norm", *CLIPPING),
        "norm AFTER clipping",
    ),
    ("clip_grad_norm", "clips_by_value"): (
        everything_but("clip_grad_norm", *CLIPPING),
        "clipped by value",
    ),
    ("clip_grad_norm", "per_array_norm"): (
        everything_but("clip_grad_norm", *CLIPPING),
        "clipped by its own norm",
    ),
    ("dropout", "no_scaling"): (MASK_TESTS, "without the 1/(1 - p) scale"),
    ("dropout", "scales_at_eval"): ({"evaluation_is_identity"}, "in evaluation"),
    ("dropout", "keeps_with_probability_p"): (
        {"keep_rate_large_draw", "expected_value_large_draw"},
        "probability of DROPPING",
    ),
    ("dropout", "global_rng"): ({"same_seed_same_mask"}, "same Generator seed"),
    ("dropout", "divides_by_zero_at_p_one"): ({"p_one_drops_everything"}, "divide by zero"),
}


def grade(kata: str, path: Path, tmp_path: Path, seed: int = SEED):
    """An in-process check whose capsule lands in tmp_path."""
    return check_file(kata, path, seed=seed, isolated=False, capsule_dir=tmp_path)


def failures(result) -> str:
    """The failing messages, for assertion output."""
    return "\n".join(t.message for t in result.tests if not t.passed) or str(result.error)


@pytest.mark.parametrize("kata", ADVANCED)
def test_reference_solution_passes(kata: str, tmp_path: Path) -> None:
    for seed in (1, 2):
        result = grade(kata, solutions_dir() / f"{kata}.py", tmp_path, seed)
        assert result.passed, failures(result)
        assert len(result.tests) == result.expected_tests >= 5


def test_reference_passes_in_a_real_child_process(tmp_path: Path) -> None:
    # dropout exercises what only the child decodes: a Generator argument and the errstate.
    result = check_file("dropout", solutions_dir() / "dropout.py", seed=4, capsule_dir=tmp_path)
    assert result.passed, failures(result)
    assert result.error is None


@pytest.mark.parametrize("kata", ADVANCED)
def test_starter_fails_with_not_implemented(kata: str, tmp_path: Path) -> None:
    result = grade(kata, katas_dir() / kata / f"{kata}.py", tmp_path)
    assert not result.passed and result.error is None and result.tests
    assert all(not t.passed and "NotImplementedError" in t.message for t in result.tests)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # unstable_softmax overflows on purpose
@pytest.mark.parametrize(
    ("kata", "fixture"), sorted(WRONG), ids=[f"{k}-{f}" for k, f in sorted(WRONG)]
)
def test_wrong_implementation_fails_the_right_tests(
    kata: str, fixture: str, tmp_path: Path
) -> None:
    must_fail, phrase = WRONG[(kata, fixture)]
    result = grade(kata, FIXTURES / kata / f"{fixture}.py", tmp_path)
    assert not result.passed and result.error is None
    assert set(result.failing_tests) == must_fail, failures(result)
    assert any(phrase in t.message for t in result.tests if not t.passed), failures(result)


def test_every_fixture_is_listed_and_each_kata_has_two() -> None:
    on_disk = {(k, p.stem) for k in ADVANCED for p in (FIXTURES / k).glob("*.py")}
    assert on_disk == set(WRONG)
    for kata in ADVANCED:
        assert sum(k == kata for k, _ in WRONG) >= 2


def test_gradient_message_names_the_wrong_and_the_right_gradients(tmp_path: Path) -> None:
    result = grade("rnn_backward", FIXTURES / "rnn_backward" / "no_accumulation.py", tmp_path)
    message = next(t.message for t in result.tests if t.name == "given_state")
    assert message.startswith("Called rnn_backward(x=(")
    assert "d W_hh is wrong: relative error" in message and "(tolerance 1e-6)" in message
    assert "d x and d h0 are right —" in message
    assert "sum da_t^T h_{t-1} over every time step" in message


def first_array(case) -> np.ndarray:
    """x, or the first gradient array for clip_grad_norm."""
    args = case.call.args
    return args["x"] if "x" in args else next(iter(args["grads"].values()))


@pytest.mark.parametrize("kata", ADVANCED)
def test_cases_are_fresh_reproducible_and_have_distinct_dims(kata: str) -> None:
    suite = load_suite(kata)
    cases, again = suite.cases(np.random.default_rng(5)), suite.cases(np.random.default_rng(5))
    other = suite.cases(np.random.default_rng(6))
    assert [c.name for c in cases] == [c.name for c in again] and len(
        {c.name for c in cases}
    ) == len(cases)
    first, second, third = (first_array(c[0]) for c in (cases, again, other))
    assert np.array_equal(first, second) and not np.array_equal(first, third)
    for case in cases:
        sizes = [v for k, v in case.dims.items() if not (k == "T" and v == 1)]
        assert len(set(sizes)) == len(sizes), (case.name, case.dims)
        if kata in GRADIENT_KATAS:
            assert case.dtype == "float64" and case.tol.rtol == 1e-6


def test_plans_cover_what_the_issue_asks() -> None:
    rng = np.random.default_rng(3)
    stacked = load_suite("stacked_lstm").cases(rng)
    assert {(c.call.args["num_layers"], c.call.args["bidirectional"]) for c in stacked} >= {
        (n, b) for n in (1, 2, 3) for b in (False, True)
    }
    for case in load_suite("packed_rnn").cases(rng):
        lengths, T = case.call.args["lengths"], case.dims["T"]
        assert lengths.min() >= 1 and lengths.max() == T
        if case.name != "all_full_length":
            assert 1 in lengths and np.any(np.diff(lengths) > 0) and np.any(np.diff(lengths) < 0)
    norms = {c.call.args.get("norm_type", 2.0) for c in load_suite("clip_grad_norm").cases(rng)}
    assert {1.0, 2.0, 3.0, float("inf")} <= norms
    drops = load_suite("dropout").cases(rng)
    assert {c.call.args["p"] for c in drops} >= {0.0, 1.0}
    assert any(not c.call.args["training"] for c in drops)
    assert all(c.call.errstate == {"divide": "raise", "invalid": "raise"} for c in drops)
    assert max(c.call.args["x"].size for c in drops) >= 100_000


def test_dropout_statistics_do_not_fail_a_correct_kata_across_seeds(tmp_path: Path) -> None:
    for seed in range(20, 26):
        result = grade("dropout", solutions_dir() / "dropout.py", tmp_path, seed)
        assert result.passed, failures(result)


# The rustlings-style proof over the whole registry: every kata has a suite, its starter
# fails it and its reference solution passes it.
@pytest.mark.parametrize("kata", registry.default().katas, ids=lambda k: k.name)
def test_every_registered_kata_is_graded_starter_fails_solution_passes(
    kata, tmp_path: Path
) -> None:
    assert kata.name in suite_names()
    assert load_suite(kata.name).entry == tuple(kata.entry)
    starter = grade(kata.name, katas_dir() / kata.name / f"{kata.name}.py", tmp_path)
    assert not starter.passed and not any(t.passed for t in starter.tests)
    solution = grade(kata.name, solutions_dir() / f"{kata.name}.py", tmp_path)
    assert solution.passed, failures(solution)


def test_registry_has_all_sixteen_katas_and_no_orphan_suites() -> None:
    names = set(registry.default().names())
    assert len(names) == 16 and set(ADVANCED) <= names
    assert set(suite_names()) == names
