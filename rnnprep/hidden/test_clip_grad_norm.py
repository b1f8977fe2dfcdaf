"""Hidden suite of clip_grad_norm: clip_grad_norm(grads, max_norm, norm_type=2.0) -> (clipped,
total_norm), against torch.nn.utils.clip_grad_norm_ on parameters whose .grad are the arrays.

The plan (max_norm is drawn as a factor of the true total norm: below 1 clips, above 1 not):

    l2_norm_clipped       norm_type=2.0, max_norm below the total norm
    default_norm_type     norm_type left out (2.0), clipping
    l2_norm_below_max     max_norm above the total norm: nothing is scaled (coef capped at 1)
    inf_norm_clipped      norm_type=inf: the max-norm, max |g| over every array
    l1_norm_clipped       norm_type=1.0, clipping
    l3_norm_clipped       norm_type=3.0, clipping
    all_zero_gradients    every gradient zero: total norm 0, nothing divides by zero
    l2_norm_float32       norm_type=2.0, clipping, float32 arrays (float64 results pass with a note)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnnprep.diagnosis import advanced
from rnnprep.diagnosis.slips import leaves_close
from rnnprep.grading import suite
from rnnprep.grading.spec import ArrayOut, DictOut, TupleOut

KATA = suite.kata("clip_grad_norm")
assert isinstance(KATA.returns, TupleOut) and isinstance(KATA.returns.items[0], DictOut)
CLIPPED = KATA.returns.items[0]  # clipped{weight_ih[4H,I], weight_hh[4H,H], bias[4H], W_out[C,H]}
Submission = Callable[[suite.Case], Any]

CLIPS = (0.2, 0.6)  # max_norm = this factor * the total norm: clipping happens
# fmt: off
PLAN = (
    suite.Planned("l2_norm_clipped", "norm_type=2.0, max_norm below the total norm",
                  {"norm_type": 2.0, "factor": CLIPS}),
    suite.Planned("default_norm_type", "norm_type left at its default (2.0), clipping",
                  {"norm_type": None, "factor": CLIPS}),
    suite.Planned("l2_norm_below_max", "max_norm above the total norm: nothing is scaled (coef capped at 1)",
                  {"norm_type": 2.0, "factor": (1.5, 3.0)}),
    suite.Planned("inf_norm_clipped", "norm_type=inf: the max-norm, max |g| over every array",
                  {"norm_type": math.inf, "factor": CLIPS}),
    suite.Planned("l1_norm_clipped", "norm_type=1.0, clipping", {"norm_type": 1.0, "factor": CLIPS}),
    suite.Planned("l3_norm_clipped", "norm_type=3.0, clipping", {"norm_type": 3.0, "factor": CLIPS}),
    suite.Planned("all_zero_gradients", "every gradient zero: total norm 0, nothing divides by zero",
                  {"norm_type": 2.0, "zero": True}),
    suite.Planned("l2_norm_float32", "norm_type=2.0, clipping, float32 arrays",
                  {"norm_type": 2.0, "factor": CLIPS, "dtype": "float32"}),
)
# fmt: on


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Gradient arrays of distinct shapes and a max_norm placed relative to their norm."""
    options = planned.options
    dtype: str = options.get("dtype", "float64")
    norm_type: float | None = options["norm_type"]
    dims = suite.draw_dims(rng, {"I": (2, 7), "H": (2, 6), "C": (2, 5)}, {"H": 4})
    grads = {}
    for key, spec in CLIPPED.items.items():
        assert isinstance(spec, ArrayOut)
        shape = spec.shape(dims)  # (4H, I), (4H, H), (4H,), (C, H)
        grads[key] = (np.zeros(shape) if options.get("zero") else rng.standard_normal(shape)).astype(dtype)
    total = advanced.total_norm([g.astype(np.float64) for g in grads.values()], 2.0 if norm_type is None else norm_type)
    factor = rng.uniform(*options.get("factor", (0.5, 0.5)))
    max_norm = round(float(factor * total if total else rng.uniform(0.5, 2.0)), 3)
    args: dict[str, Any] = {"grads": grads, "max_norm": max_norm}
    if norm_type is not None:
        args["norm_type"] = norm_type
    call = suite.Call(KATA.entry[0], args)
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, dtype, suite.TOLERANCE[dtype])


def reference(case: suite.Case) -> tuple[dict[str, np.ndarray], float]:
    """torch.nn.utils.clip_grad_norm_ on float64 parameters whose .grad are the arrays."""
    a = case.call.args
    params = {}
    for key, g in a["grads"].items():
        params[key] = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))  # g's shape
        params[key].grad = torch.tensor(g, dtype=torch.float64)  # g's shape
    total = torch.nn.utils.clip_grad_norm_(list(params.values()), a["max_norm"], a.get("norm_type", 2.0))
    clipped = {key: p.grad.numpy().copy() for key, p in params.items()}  # each g's shape
    return clipped, float(total)


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """The clipping slips that reproduce the answer; else whether the norm or the scaling is off."""
    same = leaves_close(rtol=case.tol.rtol, atol=case.tol.atol)
    ids, lines = suite.slip_diagnosis(advanced.CLIP_SLIPS, same)(case, actual, expected)
    if not ids and same(actual[1], expected[1]):
        lines.append("total_norm is right: the scaling is off (coef = min(max_norm / (total_norm + 1e-6), 1)).")
    return ids, lines


def test_clip_grad_norm(case: suite.Case, submission: Submission) -> None:
    suite.expect_outputs(case, submission(case), reference(case), diagnose)
