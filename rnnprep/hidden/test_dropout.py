"""Hidden suite of dropout: dropout(x, p, training, rng) -> (y, mask), inverted dropout.

The mask is random, so no reference can predict it. Each answer is judged against torch's
formula applied to the mask it returned (y == x * mask / (1 - p)); the keep rate and the mean
of y over a large draw must be within 6 standard deviations of 1 - p and mean(x) (a correct
kata fails about once in 10^9 seeds); evaluation, p = 0 and p = 1 must be exactly torch's
F.dropout; and the mask must come from the Generator: the same seed gives the same mask,
another seed another one (those twin cases call the first case again and compare masks).

The plan, in the order the tests run:

    training_uses_its_mask      y = x * mask / (1 - p) for the returned mask
    training_float32            the same on float32 arrays (a float64 y passes with a note)
    same_seed_same_mask         the first case's x, p and Generator seed: the same mask
    other_seed_other_mask       the first case's x and p, another seed: another mask
    keep_rate_large_draw        ~150 000 units: the share kept is close to 1 - p
    expected_value_large_draw   positive x: mean(y) is close to mean(x)
    evaluation_is_identity      training=False: y is x, every unit kept
    p_zero_is_identity          training with p=0: nothing dropped
    p_one_drops_everything      training with p=1: y = 0, no unit kept, no division by zero
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnnprep import diagnosis
from rnnprep.diagnosis import advanced
from rnnprep.diagnosis.slips import leaves_close
from rnnprep.grading import suite
from rnnprep.grading.compare import (
    dtype_note,
    dtype_problem,
    shape_problem,
    structure_problem,
    value_line,
)
from rnnprep.grading.spec import ArrayOut, leaves
from rnnprep.grading.torch_reference import tensor, to_numpy
from rnnprep.sandbox import RngSeed

KATA = suite.kata("dropout")
Y, MASK = (leaf for leaf in leaves(KATA.returns) if isinstance(leaf, ArrayOut))
Submission = Callable[[suite.Case], Any]

SIGMAS = 6.0
SMALL = {"B": (2, 5), "T": (6, 9), "H": (10, 14)}
LARGE = {"B": (40, 48), "T": (50, 58), "H": (60, 68)}  # ~150 000 units
# Floating-point warnings become errors in the child: p = 1 must not divide by zero.
STRICT = {"divide": "raise", "invalid": "raise"}
MASK_JUDGES = ("mask", "keep_rate", "mean", "same", "differ")  # judged on the returned mask
EDGE_JUDGES = ("identity", "zeros")  # judged against torch's F.dropout exactly


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """The plan (see the module docstring); the twins reuse the first case's x, p and seed."""
    first = draw(rng, "training_uses_its_mask", "training, y must be x * mask / (1 - p)", "mask")
    first_seed = first.call.args["rng"].seed
    other_seed = first_seed
    while other_seed == first_seed:
        other_seed = int(rng.integers(2**31))
    return [
        first,
        draw(rng, "training_float32", "training on float32 arrays", "mask", dtype="float32"),
        twin(first, "same_seed_same_mask", "the same x, p and Generator seed again: the same mask", first_seed),
        twin(first, "other_seed_other_mask", "the same x and p, another Generator seed: another mask", other_seed),
        draw(rng, "keep_rate_large_draw", "a large draw: the share of kept units must be close to 1 - p",
             "keep_rate", dims=LARGE, p=0.3),
        draw(rng, "expected_value_large_draw", "a large draw of positive x: mean(y) must be close to mean(x)",
             "mean", dims=LARGE, p=0.6, positive=True),
        draw(rng, "evaluation_is_identity", "training=False: y is x and every unit is kept", "identity",
             training=False),
        draw(rng, "p_zero_is_identity", "training with p=0: nothing is dropped", "identity", p=0.0),
        draw(rng, "p_one_drops_everything", "training with p=1: everything dropped, without dividing by zero",
             "zeros", p=1.0),
    ]


def draw(rng: np.random.Generator, name: str, about: str, judge: str, *,
         dims: dict[str, tuple[int, int]] = SMALL, p: float | None = None, training: bool = True,
         positive: bool = False, dtype: str = "float64") -> suite.Case:  # fmt: skip
    """x (normal, or uniform in [0.5, 1.5]), p (drawn in [0.2, 0.7] unless given) and a seed."""
    sizes = suite.draw_dims(rng, dims)
    shape = (sizes["B"], sizes["T"], sizes["H"])
    x = rng.uniform(0.5, 1.5, shape) if positive else rng.standard_normal(shape)  # (B, T, H)
    p = round(float(rng.uniform(0.2, 0.7)), 2) if p is None else p
    args = {"x": x.astype(dtype), "p": p, "training": training, "rng": RngSeed(int(rng.integers(2**31)))}
    call = suite.Call(KATA.entry[0], args, errstate=STRICT)
    return suite.Case(name, about, call, KATA.returns, sizes, dtype, suite.TOLERANCE[dtype], {"judge": judge})


def twin(first: suite.Case, name: str, about: str, seed: int) -> suite.Case:
    """First's x and p with a Generator of `seed`, judged against first's mask."""
    call = suite.Call(KATA.entry[0], {**first.call.args, "rng": RngSeed(seed)}, errstate=STRICT)
    judge = "same" if seed == first.call.args["rng"].seed else "differ"
    return suite.Case(name, about, call, KATA.returns, first.dims, first.dtype, first.tol,
                      {"judge": judge, "twin": first})  # fmt: skip


def reference(case: suite.Case, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """torch's F.dropout in float64: (y, the mask that goes with it).

    Evaluation, p = 0 and p = 1 are deterministic: torch itself. In training torch draws its
    own mask, so its formula is applied to the mask the submission returned:
    y = x * mask / (1 - p).
    """
    a = case.call.args
    x = tensor(a["x"])  # (B, T, H) float64
    p, training = a["p"], a["training"]
    if not training or p in (0.0, 1.0):
        with torch.no_grad():
            y = torch.nn.functional.dropout(x, p, training)  # (B, T, H)
        return to_numpy(y), np.full(tuple(x.shape), not training or p == 0.0)  # (B, T, H) x 2
    kept = torch.from_numpy(np.asarray(mask) != 0)  # (B, T, H) bool: True = kept
    return to_numpy(x * kept / (1.0 - p)), kept.numpy()  # (B, T, H) x 2


def test_dropout(case: suite.Case, submission: Submission) -> None:
    """The property the case is about (case.extra["judge"]), then the dtypes."""
    y, mask = answer(case, submission)
    judge = case.extra["judge"]
    if judge in EDGE_JUDGES:
        judge_edge(case, y, mask)
    else:
        judge_mask_use(case, y, mask)
        if judge == "keep_rate":
            judge_keep_rate(case, mask)
        elif judge == "mean":
            judge_mean(case, y, mask)
        elif judge in ("same", "differ"):
            judge_twin(case, mask, submission)
    expect_dtypes(case, y, mask)


# --- the form of the answer ----------------------------------------------------------------------


def answer(case: suite.Case, submission: Submission) -> tuple[np.ndarray, np.ndarray]:
    """(y, mask) as two arrays shaped like x with finite y; otherwise the test fails here."""
    try:
        returned = submission(case)
    except suite.KataFailure as failure:
        raise_divided_by_zero(case, failure)
        raise
    problem = structure_problem(KATA.returns, returned)
    if problem:
        suite.fail(case, problem, suite.Stage.STRUCTURE, actual=returned)
    y, mask = returned
    shapes = [p for spec, value in ((Y, y), (MASK, mask)) if (p := shape_problem(spec, value, case.dims))]
    if shapes:
        suite.fail(case, "\n".join(shapes), suite.Stage.SHAPE, actual=returned)
    bad = int(np.size(y) - np.count_nonzero(np.isfinite(y)))
    if bad and case.call.args["p"] == 1.0:
        ids = [advanced.DROPOUT_DIVIDES_BY_ZERO.id]
        text = f"y holds {bad} NaN or infinite values: p = 1 must not divide by zero; return zeros."
        suite.fail(case, "\n".join([text, *diagnosis.lines_for(ids)]), suite.Stage.VALUE, ids, actual=returned)
    if bad:
        suite.fail(case, f"y holds {bad} NaN or infinite values.", suite.Stage.VALUE, actual=returned)
    return y, mask


def raise_divided_by_zero(case: suite.Case, failure: suite.KataFailure) -> None:
    """At p = 1, a ZeroDivisionError or FloatingPointError is the classic slip: name it."""
    divided = any(f"raised {kind}" in failure.message for kind in ("ZeroDivisionError", "FloatingPointError"))
    if failure.stage is suite.Stage.RAISED and divided and case.call.args["p"] == 1.0:
        ids = [advanced.DROPOUT_DIVIDES_BY_ZERO.id]
        advice = "p = 1 must not divide by zero: return zeros."
        message = "\n".join([failure.message, advice, *diagnosis.lines_for(ids)])
        raise suite.KataFailure(message, failure.stage, ids, case=case) from None


def expect_dtypes(case: suite.Case, y: np.ndarray, mask: np.ndarray) -> None:
    """y at least as precise as x (more precise passes with a note), mask bool; then the pass."""
    problems = [p for p in [dtype_problem(Y, y, case.dtype)] if p]
    if mask.dtype != np.bool_:
        problems.append(f"mask has dtype {mask.dtype}: return a bool array, True where a unit is kept.")
    if problems:
        suite.fail(case, "\n".join(problems), suite.Stage.DTYPE, actual=(y, mask))
    notes = dtype_note([(Y, y)], case.dtype)
    suite.expect(case, suite.Judgement(suite.Stage.OK, f"{case.called()}\n{passed_text(case, mask)}", notes))


def passed_text(case: suite.Case, mask: np.ndarray) -> str:
    """What was verified, in one line."""
    judge, p = case.extra["judge"], case.call.args["p"]
    if judge == "keep_rate":
        return f"y = x * mask / (1 - p) and the keep rate {mask.mean():.4f} is close to 1 - p = {1 - p:.4f}."
    if judge in ("same", "differ"):
        return "y = x * mask / (1 - p), and the mask depends on the Generator exactly as it should."
    if judge in EDGE_JUDGES:
        return "y and mask are exactly right (torch's F.dropout)."
    if judge == "mean":
        return "y = x * mask / (1 - p) and mean(y) is close to mean(x)."
    return "y = x * mask / (1 - p) for the returned mask."


# --- the properties ---------------------------------------------------------------------------------


def close(actual: np.ndarray, want: np.ndarray, case: suite.Case) -> bool:
    """Within the dtype's tolerance, compared in float64."""
    got = np.asarray(actual, dtype=np.float64)  # same shape as want
    return bool(np.allclose(got, want, rtol=case.tol.rtol, atol=case.tol.atol))


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """The dropout slips (judged on the submission's own mask) that reproduce the answer."""
    same = leaves_close(rtol=case.tol.rtol, atol=case.tol.atol)
    return suite.slip_diagnosis(advanced.DROPOUT_SLIPS, same)(case, actual, expected)


def judge_mask_use(case: suite.Case, y: np.ndarray, mask: np.ndarray) -> None:
    """y must be x * mask / (1 - p) for the mask that came back."""
    expected = reference(case, mask)  # (B, T, H) x 2
    if close(y, expected[0], case):
        return
    p = case.call.args["p"]
    kept = int(np.count_nonzero(mask))
    ids, lines = diagnose(case, (y, mask), expected)
    text = [
        value_line(Y, y, expected[0], case)[1],
        f"y is not x * mask / (1 - p) for the mask you returned (p={p}, {kept} of {mask.size} units kept).",
        *lines,
    ]
    suite.fail(case, "\n".join(text), suite.Stage.VALUE, ids, expected, (y, mask))


def judge_keep_rate(case: suite.Case, mask: np.ndarray) -> None:
    """The share of kept units within SIGMAS standard deviations of 1 - p."""
    p, n = case.call.args["p"], mask.size
    rate = float(np.mean(mask != 0))
    sigma = (p * (1 - p) / n) ** 0.5
    if abs(rate - (1 - p)) <= SIGMAS * sigma:
        return
    text = (
        f"Kept {rate:.4f} of {n} units; with p={p} the keep rate must be 1 - p = {1 - p:.4f} "
        f"(allowed ±{SIGMAS * sigma:.4f}, {SIGMAS:g} standard deviations)."
    )
    ids = keeps_with_p(case, mask)
    if ids:
        text += " You keep units with probability p: p is the probability of DROPPING a unit."
    suite.fail(case, "\n".join([text, *diagnosis.lines_for(ids)]), suite.Stage.VALUE, ids, actual=mask)


def keeps_with_p(case: suite.Case, mask: np.ndarray) -> list[str]:
    """[dropout-keeps-with-p] when the keep rate is within SIGMAS standard deviations of p."""
    p, n = case.call.args["p"], mask.size
    rate = float(np.mean(mask != 0))
    near_p = abs(rate - p) <= SIGMAS * (p * (1 - p) / n) ** 0.5
    return [advanced.DROPOUT_KEEPS_WITH_P.id] if near_p else []


def judge_mean(case: suite.Case, y: np.ndarray, mask: np.ndarray) -> None:
    """mean(y) within SIGMAS standard deviations of mean(x): inverted dropout keeps E[y] = x."""
    x, p = case.call.args["x"].astype(np.float64), case.call.args["p"]  # (B, T, H)
    sigma = float(np.sqrt(np.sum(x**2) * p / (1 - p))) / x.size
    got, want = float(np.mean(y, dtype=np.float64)), float(np.mean(x))
    if abs(got - want) <= SIGMAS * sigma:
        return
    ids = keeps_with_p(case, mask)
    text = (
        f"mean(y) = {got:.4f} but mean(x) = {want:.4f} (allowed ±{SIGMAS * sigma:.4f}): the "
        f"expected value of y must equal x, which is what the 1/(1 - p) scale is for."
    )
    if ids:
        text += (
            f" Your mask keeps {np.mean(mask != 0):.4f} of the units, close to p = {p}: p is the "
            f"probability of DROPPING a unit."
        )
    suite.fail(case, "\n".join([text, *diagnosis.lines_for(ids)]), suite.Stage.VALUE, ids, actual=(y, mask))


def judge_twin(case: suite.Case, mask: np.ndarray, submission: Submission) -> None:
    """Same seed, same mask; another seed, another mask (first's answer is asked for again)."""
    first: suite.Case = case.extra["twin"]
    try:
        earlier = submission(first)[1]  # (B, T, H)
    except (suite.KataFailure, TypeError, IndexError, KeyError):
        earlier = None
    if not isinstance(earlier, np.ndarray) or earlier.shape != mask.shape:
        suite.fail(case, f"Cannot compare: the test {first.name} returned no usable mask.", suite.Stage.VALUE)
    ids = [advanced.DROPOUT_RNG_IGNORED.id]
    equal = bool(np.array_equal(mask != 0, earlier != 0))
    if case.extra["judge"] == "same" and not equal:
        text = (
            f"Called twice with the same Generator seed, the masks differ in "
            f"{int(np.count_nonzero((mask != 0) != (earlier != 0)))} of {mask.size} units (see {first.name}). "
            f"Draw every random number from the rng argument (rng.random(x.shape)), never from "
            f"np.random.* or a Generator of your own."
        )
        suite.fail(case, "\n".join([text, *diagnosis.lines_for(ids)]), suite.Stage.VALUE, ids, actual=mask)
    if case.extra["judge"] == "differ" and equal:
        text = (
            f"Another Generator seed gave exactly the mask of {first.name}: the randomness must "
            f"come from the rng argument, not from a fixed seed inside your function."
        )
        suite.fail(case, "\n".join([text, *diagnosis.lines_for(ids)]), suite.Stage.VALUE, ids, actual=mask)


def judge_edge(case: suite.Case, y: np.ndarray, mask: np.ndarray) -> None:
    """Evaluation and p = 0: y == x, all kept; p = 1: y == 0, nothing kept (torch's F.dropout)."""
    expected = reference(case)  # (B, T, H) x 2
    lines = []
    ids: list[str] = []
    if not close(y, expected[0], case):
        what = "x itself" if case.extra["judge"] == "identity" else "all zeros"
        lines.append(f"y should be {what}. {value_line(Y, y, expected[0], case)[1]}")
        ids, found = diagnose(case, (y, mask), expected)
        lines += found
    kept = case.extra["judge"] == "identity"
    if not np.all((mask != 0) == kept):
        wrong = int(np.count_nonzero((mask != 0) != kept))
        lines.append(f"mask should be all {kept} here, but {wrong} of {mask.size} entries are {not kept}.")
    if lines:
        suite.fail(case, "\n".join(lines), suite.Stage.VALUE, ids, expected, (y, mask))
