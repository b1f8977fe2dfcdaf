"""Comparison and its tutor-style messages: structure, then shape, then values, then dtype."""

from __future__ import annotations

import numpy as np
import pytest

from rnnprep.grading.cases import draw_dims
from rnnprep.grading.compare import axes_named, compare, structure_problem
from rnnprep.grading.spec import FLOAT32, FLOAT64, Call, Case, parse_returns
from rnnprep.grading.types import Stage
from rnnprep.sandbox.protocol import Opaque

DIMS = {"B": 3, "T": 7, "I": 5, "H": 4}


def lstm_case(dtype: str = "float64") -> Case:
    """An lstm-shaped case with small inputs (only shapes and dtypes matter here)."""
    rng = np.random.default_rng(0)
    args = {
        "x": rng.standard_normal((3, 7, 5)).astype(dtype),  # (B, T, I)
        "h0": None,
        "c0": None,
        "W_ih": np.ones((16, 5), dtype=dtype),  # (4H, I)
    }
    returns = parse_returns("(output[B,T,H], (h_n[B,H], c_n[B,H]))")
    return Case(
        "given_state",
        "a test",
        Call("lstm_forward", args),
        returns,
        dict(DIMS),
        dtype,
        FLOAT64 if dtype == "float64" else FLOAT32,
    )


def expected(dtype: str = "float64"):
    rng = np.random.default_rng(1)
    out = rng.standard_normal((3, 7, 4)).astype(dtype)  # (B, T, H)
    return out, (out[:, -1].copy(), rng.standard_normal((3, 4)).astype(dtype))


def test_exact_answer_passes_and_names_the_call() -> None:
    verdict = compare(lstm_case(), expected(), expected())
    assert verdict.passed and verdict.stage is Stage.OK
    assert (
        "lstm_forward(x=(3, 7, 5), h0=None, c0=None, W_ih=(16, 5)) on float64 arrays"
        in verdict.message
    )
    assert "B=3, T=7, I=5, H=4" in verdict.message


def test_wrong_shape_is_reported_before_values_with_named_axes() -> None:
    out, state = expected()
    verdict = compare(lstm_case(), (out.transpose(1, 0, 2), state), expected())
    assert verdict.stage is Stage.SHAPE and not verdict.passed
    assert (
        "output has shape (7, 3, 4), i.e. (T, B, H); expected (3, 7, 4), i.e. (B, T, H)"
        in verdict.message
    )
    assert "another order" in verdict.message
    assert "wrong values" not in verdict.message


def test_missing_axis_is_said() -> None:
    out, state = expected()
    verdict = compare(lstm_case(), (out[:, -1], state), expected())
    assert "(B, H)" in verdict.message and "An axis is missing" in verdict.message


def test_a_more_precise_dtype_passes_with_a_note() -> None:
    out, (h, c) = expected("float32")
    verdict = compare(lstm_case("float32"), (out, (h, c.astype(np.float64))), expected("float32"))
    assert verdict.passed
    assert verdict.notes == ("Note: c_n is float64 for float32 inputs. That passes; torch would "
                             "return float32 (create arrays with dtype=x.dtype to match it).",)


def test_a_less_precise_dtype_fails_after_the_values() -> None:
    out, (h, c) = expected()
    verdict = compare(lstm_case(), (out.astype(np.float32), (h, c)), expected())
    assert verdict.stage is Stage.VALUE  # float32 rounding is beyond float64's tolerance anyway
    half = (out.astype(np.float16), (h, c))
    verdict = compare(lstm_case("float32"), half, (half[0].astype(np.float64), (h, c)))
    assert verdict.stage is Stage.DTYPE
    assert "output has dtype float16, less precise than the float32 inputs" in verdict.message


def test_a_value_error_is_not_hidden_behind_the_dtype() -> None:
    out, (h, c) = expected("float32")
    wrong = (out * 2).astype(np.float64)
    verdict = compare(lstm_case("float32"), (wrong, (h, c)), expected("float32"))
    assert verdict.stage is Stage.VALUE and "output: wrong values" in verdict.message


def test_integers_are_not_floats() -> None:
    out, (h, c) = expected()
    zeros = np.zeros_like(out)
    verdict = compare(lstm_case(), (zeros.astype(np.int64), (h, c)), (zeros, (h, c)))
    assert verdict.stage is Stage.DTYPE and "should hold floats" in verdict.message


def test_values_report_max_abs_error_and_where() -> None:
    out, (h, c) = expected()
    wrong = out.copy()
    wrong[1, 2, 3] += 0.25
    verdict = compare(lstm_case(), (wrong, (h, c)), expected())
    assert verdict.stage is Stage.VALUE
    assert (
        "output: wrong values in 1 of 84 entries; max abs error 0.25 at index (1, 2, 3)"
        in verdict.message
    )
    assert "h_n: matches" in verdict.message and "c_n: matches" in verdict.message


@pytest.mark.parametrize(("dtype", "passes"), [("float64", False), ("float32", True)])
def test_tolerance_follows_the_dtype(dtype: str, passes: bool) -> None:
    out, (h, c) = expected(dtype)
    nudged = (out + np.asarray(2e-7, dtype=dtype)).astype(dtype)
    assert compare(lstm_case(dtype), (nudged, (h, c)), expected(dtype)).passed is passes


def test_nan_is_never_a_match() -> None:
    out, (h, c) = expected()
    broken = out.copy()
    broken[0, 0, 0] = np.nan
    verdict = compare(lstm_case(), (broken, (h, c)), expected())
    assert not verdict.passed and "NaN" in verdict.message


@pytest.mark.parametrize(
    ("returned", "says"),
    [
        (None, "is a `return` statement missing?"),
        ((1, 2, 3), "Expected a tuple (output, (h_n, c_n)) of 2 items, got a tuple of 3 items"),
        ((Opaque("torch.Tensor", "tensor([...])"), (1, 2)), "Katas are solved in NumPy"),
        (([[0.0]], (1, 2)), "output should be a numpy array but is a list"),
        ((Opaque("numpy.matrix", "matrix([[1.]])"), (1, 2)), "an ndarray subclass"),
    ],
)
def test_wrong_return_types_are_explained(returned, says: str) -> None:
    verdict = compare(lstm_case(), returned, expected())
    assert verdict.stage is Stage.STRUCTURE and says in verdict.message


def test_a_list_is_accepted_for_a_tuple() -> None:
    out, (h, c) = expected()
    assert compare(lstm_case(), [out, [h, c]], expected()).passed


def test_axes_named_leaves_ambiguous_sizes_as_numbers() -> None:
    assert axes_named((7, 3, 4), DIMS) == "(T, B, H)"
    assert axes_named((4, 1), {"H": 4, "T": 1}) == "(H, 1)"
    assert axes_named((9,), DIMS) == "(9,)"


def test_draw_dims_keeps_sizes_and_gate_widths_apart() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        dims = draw_dims(rng, {"B": (2, 6), "T": (2, 8), "I": (2, 7), "H": (2, 6)}, {"H": 4})
        sizes = [*dims.values(), 4 * dims["H"]]
        assert len(set(sizes)) == len(sizes)


def test_a_nested_structure_problem_is_prefixed_once() -> None:
    out, (h, _) = expected()
    problem = structure_problem(lstm_case().returns, (out, (h, 3)))
    assert problem == "In the returned tuple (output, (h_n, c_n)): c_n should be a numpy array but is a int."


# --- int and bool arrays: exact ------------------------------------------------------------------


def token_case(returns: str = "(tokens[B,T]:int, score)") -> Case:
    call = Call("decode", {"logits": np.zeros((3, 7, 5))})
    return Case("greedy", "a test", call, parse_returns(returns), dict(DIMS))


def test_an_int_array_is_declared_with_a_colon_and_compared_exactly() -> None:
    spec = parse_returns("(tokens[B,T]:int, keep[B]:bool, score)")
    assert [leaf.element for leaf in spec.items[:2]] == ["int", "bool"]  # type: ignore[union-attr]
    tokens = np.arange(21).reshape(3, 7)
    assert compare(token_case(), (tokens, 0.5), (tokens, 0.5)).passed
    off_by_one = tokens.copy()
    off_by_one[1, 2] += 1
    verdict = compare(token_case(), (off_by_one, 0.5), (tokens, 0.5))
    assert verdict.stage is Stage.VALUE
    assert "tokens: 1 of 21 entries differ; first at index (1, 2): got 10, expected 9" in verdict.message


def test_int_values_in_a_float_array_pass_the_values_but_fail_the_dtype() -> None:
    tokens = np.arange(21).reshape(3, 7)
    verdict = compare(token_case(), (tokens.astype(np.float64), 0.5), (tokens, 0.5))
    assert verdict.stage is Stage.DTYPE and "should hold integers" in verdict.message
    keep = compare(token_case("keep[B,T]:bool"), tokens % 2, tokens % 2 == 1)
    assert keep.stage is Stage.DTYPE and "bool array" in keep.message


def test_an_unknown_element_type_is_a_signature_error() -> None:
    from rnnprep.grading.spec import SignatureError

    with pytest.raises(SignatureError, match="after ':'"):
        parse_returns("tokens[B]:str")
