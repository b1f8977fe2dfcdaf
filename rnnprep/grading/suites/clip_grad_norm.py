"""Hidden suite for the clip_grad_norm kata: global-norm clipping against torch.nn.utils.clip_grad_norm_."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rnnprep.grading.framework import (
    TOLERANCE,
    Array,
    Call,
    Case,
    Mapping,
    Scalar,
    Seq,
    Suite,
    draw_dims,
)

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.grading.compare import Verdict

# factor: max_norm = factor * the true total norm (< 1 clips, > 1 leaves the gradients alone).
PLAN: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "l2_norm_clipped",
        "norm_type=2.0, max_norm below the total norm",
        {"norm_type": 2.0, "factor": (0.2, 0.6)},
    ),
    (
        "default_norm_type",
        "norm_type left at its default (2.0), clipping",
        {"norm_type": None, "factor": (0.2, 0.6)},
    ),
    (
        "l2_norm_below_max",
        "max_norm above the total norm: nothing is scaled (coef capped at 1)",
        {"norm_type": 2.0, "factor": (1.5, 3.0)},
    ),
    (
        "inf_norm_clipped",
        "norm_type=inf: the max-norm, max |g| over every array",
        {"norm_type": math.inf, "factor": (0.2, 0.6)},
    ),
    ("l1_norm_clipped", "norm_type=1.0, clipping", {"norm_type": 1.0, "factor": (0.2, 0.6)}),
    ("l3_norm_clipped", "norm_type=3.0, clipping", {"norm_type": 3.0, "factor": (0.2, 0.6)}),
    (
        "all_zero_gradients",
        "every gradient zero: total norm 0, nothing divides by zero",
        {"norm_type": 2.0, "zero": True},
    ),
    (
        "l2_norm_float32",
        "norm_type=2.0, clipping, float32 arrays",
        {"norm_type": 2.0, "factor": (0.2, 0.6), "dtype": "float32"},
    ),
)
SHAPES: dict[str, tuple[str, ...]] = {
    "weight_ih": ("4H", "I"),
    "weight_hh": ("4H", "H"),
    "bias": ("4H",),
    "W_out": ("C", "H"),
}


def norm_of(grads: dict[str, np.ndarray], norm_type: float) -> float:
    """The p-norm of every array taken together (the max of |g| for inf), in float64."""
    import numpy as np

    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads.values()])  # (N,)
    return float(np.linalg.norm(flat, ord=norm_type))


class ClipGradNormSuite(Suite):
    """(clipped dict, total_norm before clipping) as clip_grad_norm_ leaves .grad and returns."""

    kata = "clip_grad_norm"
    entry = ("clip_grad_norm",)

    plan = PLAN

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        norm_type: float | None,
        factor: tuple[float, float] = (0.5, 0.5),
        zero: bool = False,
        dtype: str = "float64",
    ) -> Case:
        """Draw gradient arrays of distinct shapes and a max_norm placed relative to their norm."""
        import numpy as np

        dims = draw_dims(rng, {"I": (2, 7), "H": (2, 6), "C": (2, 5)}, {"H": 4})
        dims["4H"] = 4 * dims["H"]
        draw = np.zeros if zero else rng.standard_normal
        grads = {
            key: draw(tuple(dims[a] for a in axes)).astype(dtype)  # (4H, I), (4H, H), (4H,), (C, H)
            for key, axes in SHAPES.items()
        }
        total = norm_of(grads, 2.0 if norm_type is None else norm_type)
        max_norm = round(float(rng.uniform(*factor) * total if total else rng.uniform(0.5, 2.0)), 3)
        args: dict[str, Any] = {"grads": grads, "max_norm": max_norm}
        if norm_type is not None:
            args["norm_type"] = norm_type
        returns = Seq(
            (
                Mapping("clipped", {key: Array(key, axes) for key, axes in SHAPES.items()}),
                Scalar("total_norm"),
            )
        )
        return Case(
            name, about, Call("clip_grad_norm", args), returns, dims, dtype, TOLERANCE[dtype]
        )

    def expected(self, case: Case) -> Any:
        """torch.nn.utils.clip_grad_norm_ on float64 parameters whose .grad are the arrays."""
        import torch

        a = case.call.args
        params = []
        for g in a["grads"].values():
            p = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))  # g's shape
            p.grad = torch.tensor(g, dtype=torch.float64)  # same shape as g
            params.append(p)
        total = torch.nn.utils.clip_grad_norm_(params, a["max_norm"], a.get("norm_type", 2.0))
        clipped = {k: p.grad.numpy().copy() for k, p in zip(a["grads"], params, strict=True)}
        return clipped, float(total)

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """The usual comparison, plus the classic slips named when they reproduce the answer."""
        from rnnprep.grading.compare import compare

        verdict = compare(case, actual, expected)
        if verdict.kind == "value":
            verdict.message += _named_slip(case, actual, expected)
        return verdict


def _named_slip(case: Case, actual: Any, expected: Any) -> str:
    """A sentence when the answer is exactly a known wrong variant."""
    import numpy as np

    a = case.call.args
    grads, max_norm = a["grads"], a["max_norm"]
    norm_type = a.get("norm_type", 2.0)
    clipped, total = actual
    tol = 10 * (case.tol.atol + case.tol.rtol)

    def same(x: Any, y: Any) -> bool:
        return bool(np.allclose(np.asarray(x, dtype=float), y, rtol=tol, atol=tol))

    if same(total, norm_of(expected[0], norm_type)) and not same(total, expected[1]):
        return "\ntotal_norm is the norm AFTER clipping: return the norm measured before scaling."
    by_value = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}  # g's shapes
    if all(same(clipped[k], by_value[k]) for k in grads):
        return (
            "\nThe arrays are clipped by value (np.clip to ±max_norm): clipping by norm scales "
            "every array by the same coef = max_norm / (total_norm + 1e-6), capped at 1."
        )
    per_array = {
        k: g * min(max_norm / (norm_of({k: g}, norm_type) + 1e-6), 1.0) for k, g in grads.items()
    }
    if all(same(clipped[k], per_array[k]) for k in grads):
        return (
            "\nEach array is clipped by its own norm: use ONE total norm over all arrays, so "
            "every array is scaled by the same coef and the direction is kept."
        )
    if same(total, expected[1]):
        return "\ntotal_norm is right: the scaling is off (coef = min(max_norm / (total_norm + 1e-6), 1))."
    return ""


SUITE = ClipGradNormSuite()
