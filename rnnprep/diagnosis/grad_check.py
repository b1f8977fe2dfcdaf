"""The mistakes of the grad_check kata and the slips that reproduce them.

A slip redoes the finite differences the wrong way, in float64, with the same loss the child
built (sandbox/models.py, kind ``rnn_loss``): one-sided, divided by eps instead of 2 * eps,
perturbations never undone, every entry nudged at once, a copy perturbed instead of the
parameter, the default eps instead of the one given; or the right numeric gradient with a
wrong relative error. Each returns (numeric, rel_error) as the kata does.

One mistake has no slip: 0/0 for a parameter whose claimed and numeric gradients are both
exactly zero (NaN, or a ZeroDivisionError). The hidden suite recognises it on the single-step
case, where W_hh's gradient is exactly 0, and names it with GRADCHECK_ZERO_NORMS.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from rnnprep.diagnosis.mistake import Mistake
from rnnprep.diagnosis.slips import Slip
from rnnprep.sandbox import Model, models

Array = np.ndarray
Inputs = Mapping[str, Any]
Grads = dict[str, Array]
Loss = Callable[[Mapping[str, Array]], float]

DEFAULT_EPS = 1e-5

QUIZ_CENTRAL = ("training.gradcheck.central-order", "training.gradcheck.cubic-error")
QUIZ_PROCEDURE = ("training.gradcheck.procedure", "training.open.gradcheck")
QUIZ_RELATIVE = ("training.gradcheck.relative-error", "training.open.gradcheck")

GRADCHECK_ONE_SIDED = Mistake(
    "gradcheck-one-sided",
    "A one-sided difference instead of the central one",
    "(loss(p + eps) - loss(p)) / eps keeps the h f''/2 term of the Taylor expansion: its error "
    "is of order eps (about 1e-6 here), so a correct gradient already shows a relative error "
    "near 1e-5 and small bugs hide below it. The central difference "
    "(loss(p + eps) - loss(p - eps)) / (2 eps) cancels that term: its error is of order eps^2.",
    "Evaluate the loss at p + eps and at p - eps for each entry and divide the difference by 2 * eps.",
    QUIZ_CENTRAL,
)

GRADCHECK_DIVIDES_BY_EPS = Mistake(
    "gradcheck-divides-by-eps",
    "The central difference divided by eps instead of 2 * eps",
    "loss(p + eps) and loss(p - eps) are 2 * eps apart, so their difference is about "
    "2 * eps * gradient. Dividing by eps doubles every numeric gradient, and every correct "
    "analytic gradient then looks wrong (relative error 1/3).",
    "numeric = (loss(p + eps) - loss(p - eps)) / (2 * eps).",
    QUIZ_CENTRAL,
)

GRADCHECK_NOT_RESTORED = Mistake(
    "gradcheck-not-restored",
    "A perturbed entry is not put back",
    "Each numeric derivative must be taken at the original parameters with one entry nudged. "
    "An entry left at p - eps (or p + eps) after its two evaluations moves the point at which "
    "every later entry is measured: the parameters drift, the later derivatives are slightly "
    "off, and when you perturb the caller's arrays in place their values come back changed.",
    "Keep old = p[idx]; set p[idx] = old + eps, then old - eps, then p[idx] = old before the next "
    "entry (or work on copies of the arrays).",
    QUIZ_PROCEDURE,
)

GRADCHECK_ALL_AT_ONCE = Mistake(
    "gradcheck-perturbs-all-at-once",
    "Every entry nudged at once",
    "Adding eps to a whole array measures the derivative along the all-ones direction: the SUM "
    "of that array's partial derivatives, written into every entry. A gradient has one partial "
    "derivative per entry, so each entry must be nudged on its own while the others stay put.",
    "Loop over the entries (for idx in np.ndindex(p.shape)) and perturb p[idx] alone.",
    QUIZ_PROCEDURE,
)

GRADCHECK_PERTURBS_COPY = Mistake(
    "gradcheck-perturbs-a-copy",
    "The perturbation never reaches the loss",
    "p.flatten() (or p.copy(), np.array(p)) returns a new array: nudging its entries leaves "
    "the array inside params unchanged, loss(params) returns the same value twice, and every "
    "numeric derivative is 0. p.ravel() and p.reshape(-1) are views of a contiguous array, and "
    "p[idx] always writes into the array itself.",
    "Perturb the array that loss() will read: p[idx] = old + eps with p the array in the dict you pass.",
    QUIZ_PROCEDURE,
)

GRADCHECK_IGNORES_EPS = Mistake(
    "gradcheck-ignores-eps",
    "The eps argument is ignored",
    "The step is the caller's choice: with eps = 1e-2 the central difference differs from the "
    "exact gradient by O(eps^2), about 1e-5 here, and that is what the caller asked to measure. "
    "A fixed step inside the function answers another question.",
    "Use the eps parameter (default 1e-5) in both the perturbation and the division.",
    ("training.gradcheck.cubic-error", "training.gradcheck.central-order"),
)

GRADCHECK_REL_ERROR = Mistake(
    "gradcheck-rel-error-formula",
    "The relative error is not ||grads - numeric|| / (||grads|| + ||numeric||)",
    "The relative error of a parameter compares whole arrays by their norms: "
    "||grads - numeric|| / (||grads|| + ||numeric||). Dividing by the max of the norms, by "
    "||numeric|| alone, taking the largest entrywise ratio or no ratio at all gives other "
    "numbers, and thresholds such as 1e-7 (right) and 1e-2 (a bug) stop meaning anything.",
    "rel = np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)), 0.0 when both norms are 0.",
    QUIZ_RELATIVE,
)

# Recognised by the hidden suite (single_step: W_hh's gradient is exactly 0 when T = 1).
GRADCHECK_ZERO_NORMS = Mistake(
    "gradcheck-rel-error-zero-norms",
    "0 / 0 when a gradient is exactly zero",
    "A parameter can have an exactly zero gradient: with one time step, W_hh only ever "
    "multiplies h_0 = 0. Then grads, numeric and their difference are all zero and the ratio is "
    "0/0. Both gradients agree perfectly, so the relative error is 0.0, not NaN or an exception.",
    "denominator = ||g|| + ||n||; rel = ||g - n|| / denominator if denominator > 0 else 0.0.",
    QUIZ_RELATIVE,
)


# --- the slips -----------------------------------------------------------------------------------


def loss_of(inputs: Inputs) -> Loss:
    """The case's loss function, built here as the child builds it."""
    model = inputs["loss"]
    assert isinstance(model, Model)
    return models.build(model.kind, model.arrays)


def eps_of(inputs: Inputs) -> float:
    """The step the call asked for."""
    return float(inputs.get("eps", DEFAULT_EPS))


_COMPUTED: weakref.WeakKeyDictionary[Model, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()


def remembered(inputs: Inputs, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """compute(), once per call's loss and params (the slips of one failing test share the work)."""
    computed = _COMPUTED.setdefault(inputs["loss"], {})
    key = (id(inputs["params"]), *key)
    if key not in computed:
        computed[key] = compute()
    return computed[key]


def numeric_gradients(inputs: Inputs, *, eps: float | None = None, kind: str = "central") -> Grads:
    """Finite differences of the case's loss, one entry at a time, on copies of params.

    ``kind``: "central"; "forward" (loss(p + eps) - loss(p)) / eps; "half" (the central
    difference divided by eps, not 2 eps); "drift" (p[idx] += eps, p[idx] -= 2 eps, never put
    back); "all" (the whole array nudged at once, the directional difference written into every
    entry); "copy" (a copy is nudged, so the loss never changes: zeros).
    """
    h = eps_of(inputs) if eps is None else eps
    if kind == "copy":
        return {name: np.zeros(np.shape(value)) for name, value in inputs["params"].items()}  # each param's shape
    if kind in ("drift", "all"):
        return remembered(inputs, (h, kind), lambda: nudged(loss_of(inputs), inputs["params"], h, kind))
    base, up, down = remembered(inputs, (h,), lambda: evaluations(loss_of(inputs), inputs["params"], h))
    if kind == "forward":
        return {name: (up[name] - base) / h for name in up}  # each param's shape
    return {name: (up[name] - down[name]) / (h if kind == "half" else 2 * h) for name in up}  # each param's shape


def evaluations(loss: Loss, given: Mapping[str, Array], h: float) -> tuple[float, Grads, Grads]:
    """loss(p), and loss at p + h e_idx and p - h e_idx for every entry (each put back after)."""
    params = {name: np.array(value, dtype=np.float64) for name, value in given.items()}  # copies
    up = {name: np.zeros_like(p) for name, p in params.items()}  # each param's shape
    down = {name: np.zeros_like(p) for name, p in params.items()}  # each param's shape
    for name, p in params.items():
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up[name][idx] = loss(params)
            p[idx] = old - h
            down[name][idx] = loss(params)
            p[idx] = old
    return loss(params), up, down


def nudged(loss: Loss, given: Mapping[str, Array], h: float, kind: str) -> Grads:
    """The "drift" (entries never put back) and "all" (whole arrays nudged) central differences."""
    params = {name: np.array(value, dtype=np.float64) for name, value in given.items()}  # copies
    numeric: Grads = {}
    for name, p in params.items():
        n = np.zeros_like(p)  # p's shape
        if kind == "all":
            old = p.copy()  # p's shape
            p += h
            up = loss(params)
            p[...] = old - h
            n[...] = (up - loss(params)) / (2 * h)
            p[...] = old
        else:
            for idx in np.ndindex(p.shape):
                p[idx] += h
                up = loss(params)
                p[idx] -= 2 * h
                n[idx] = (up - loss(params)) / (2 * h)  # p[idx] stays at old - h
        numeric[name] = n
    return numeric


def relative_error(g: Array, n: Array, formula: str = "sum") -> float:
    """||g - n|| / (||g|| + ||n||) (0.0 when both are 0), or a slip's formula."""
    diff, a, b = float(np.linalg.norm(g - n)), float(np.linalg.norm(g)), float(np.linalg.norm(n))
    if formula == "max":
        return diff / max(a, b) if max(a, b) > 0 else 0.0
    if formula == "numeric":
        return diff / b if b > 0 else 0.0
    if formula == "entrywise":
        denominator = np.abs(g) + np.abs(n)  # g's shape
        ratio = np.divide(np.abs(g - n), denominator, out=np.zeros_like(denominator), where=denominator > 0)  # g's shape
        return float(ratio.max()) if ratio.size else 0.0
    if formula == "absolute":
        return diff
    return diff / (a + b) if a + b > 0 else 0.0


def check(inputs: Inputs, numeric: Grads, formula: str = "sum") -> tuple[Grads, dict[str, float]]:
    """(numeric, rel_error) with the claimed grads of the call."""
    grads = {name: np.asarray(value, dtype=np.float64) for name, value in inputs["grads"].items()}
    return numeric, {name: relative_error(grads[name], numeric[name], formula) for name in numeric}


def _kind(kind: str) -> Callable[[Inputs, Any], Any]:
    """A slip whose numeric gradients are of this kind (rel_error computed right from them)."""
    return lambda inputs, actual: check(inputs, numeric_gradients(inputs, kind=kind))


def _formula(formula: str) -> Callable[[Inputs, Any], Any]:
    """A slip with the right numeric gradients and a wrong relative error."""
    return lambda inputs, actual: check(inputs, numeric_gradients(inputs), formula)


def _default_eps(inputs: Inputs, actual: Any) -> Any:
    """The central difference at eps = 1e-5 whatever eps was given (None when that was 1e-5)."""
    if eps_of(inputs) == DEFAULT_EPS:
        return None
    return check(inputs, numeric_gradients(inputs, eps=DEFAULT_EPS))


# fmt: off
SLIPS: list[Slip] = [
    Slip(GRADCHECK_ONE_SIDED, "the one-sided difference (loss(p + eps) - loss(p)) / eps", _kind("forward")),
    Slip(GRADCHECK_DIVIDES_BY_EPS, "(loss(p + eps) - loss(p - eps)) / eps: twice the central difference",
         _kind("half")),
    Slip(GRADCHECK_NOT_RESTORED, "each entry left at p - eps after its two evaluations (never put back)",
         _kind("drift")),
    Slip(GRADCHECK_ALL_AT_ONCE, "each array nudged as a whole: one directional difference in every entry",
         _kind("all")),
    Slip(GRADCHECK_PERTURBS_COPY, "every numeric derivative 0: the nudged array is a copy the loss never reads",
         _kind("copy")),
    Slip(GRADCHECK_IGNORES_EPS, "central differences with eps = 1e-5, not the eps given", _default_eps),
    Slip(GRADCHECK_REL_ERROR, "rel_error = ||grads - numeric|| / max(||grads||, ||numeric||)", _formula("max")),
    Slip(GRADCHECK_REL_ERROR, "rel_error = ||grads - numeric|| / ||numeric||", _formula("numeric")),
    Slip(GRADCHECK_REL_ERROR, "rel_error = the largest entrywise |g - n| / (|g| + |n|)", _formula("entrywise")),
    Slip(GRADCHECK_REL_ERROR, "rel_error = ||grads - numeric||, not divided by anything", _formula("absolute")),
]
# fmt: on

MISTAKES: tuple[Mistake, ...] = (
    GRADCHECK_ONE_SIDED,
    GRADCHECK_DIVIDES_BY_EPS,
    GRADCHECK_NOT_RESTORED,
    GRADCHECK_ALL_AT_ONCE,
    GRADCHECK_PERTURBS_COPY,
    GRADCHECK_IGNORES_EPS,
    GRADCHECK_REL_ERROR,
    GRADCHECK_ZERO_NORMS,
)
