"""The mistakes of the attention kata (Luong and Bahdanau attention over padded encoder
outputs), each next to the slips that reproduce it.

A slip is one concrete wrong implementation: ``reproduce(inputs, actual)`` returns what it
would have returned, ``(context (B, K), weights (B, S))`` in float64, for the call's inputs
(``query``, ``keys``, ``mask`` and either ``score``/``W_a`` for luong_attention or ``W_q``,
``W_k``, ``v`` for bahdanau_attention). ``attention(inputs, ...)`` is the right answer with
switches, one per mistake.

Two mistakes have no slip, because no answer of the right form shows them: a transposed
``W_a`` raises (Q != K in every "general" case) and an unstable softmax returns NaN. The
hidden suite recognises those itself (see rnnprep/hidden/test_attention.py) and names them
with ATTENTION_GENERAL_TRANSPOSED and advanced.SOFTMAX_OVERFLOW.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from rnnprep.diagnosis.mistake import Mistake
from rnnprep.diagnosis.slips import Slip

Array = np.ndarray
Inputs = Mapping[str, Any]

# --- the mistakes -------------------------------------------------------------------------------

ATTENTION_MASK_IGNORED = Mistake(
    "attention-mask-ignored",
    "Padded source positions get attention weight",
    "The encoder outputs past each sequence's length are padding: whatever they hold, the "
    "softmax must give them weight exactly 0, so the context is the same however much a "
    "sentence was padded. A softmax over every position lets the padding take weight (and "
    "often the largest share, since its scores are arbitrary).",
    "Before the softmax set the scores of masked positions to -inf: "
    "scores = np.where(mask, scores, -np.inf).",
    (
        "attention.mask.softmax",
        "attention.open.masks",
    ),
)

ATTENTION_SOFTMAX_AXIS = Mistake(
    "attention-softmax-axis",
    "The softmax runs over the wrong axis",
    "Each batch item attends over ITS OWN source positions: the softmax normalises the scores "
    "of one row (axis 1 of the (B, S) scores), so every row of weights sums to 1. A softmax "
    "over the batch axis makes each column sum to 1, and one over the whole (B, S) array "
    "shares a single distribution between unrelated sentences.",
    "Normalise along the source axis: subtract scores.max(axis=1, keepdims=True), exp, and "
    "divide by the sum over axis=1 with keepdims=True.",
    (
        "attention.shape.weights",
        "attention.mask.softmax",
    ),
)

ATTENTION_MASK_AFTER_SOFTMAX = Mistake(
    "attention-mask-after-softmax",
    "Padding zeroed after the softmax without renormalising",
    "Zeroing the padded weights AFTER the softmax removes the share the padding took, so the "
    "remaining weights sum to less than 1 and the context shrinks towards 0. Masking must "
    "happen before the softmax (or the surviving weights must be divided by their new sum).",
    "Mask the scores with -inf before the softmax; the weights of the real positions then sum to 1.",
    (
        "attention.mask.softmax",
        "attention.open.masks",
    ),
)

ATTENTION_MASK_ZERO_SCORE = Mistake(
    "attention-mask-zero-score",
    "Masked by setting the padded scores to 0 instead of -inf",
    "A score of 0 is not 'off': exp(0) = 1, as much weight as a real position whose score is "
    "0. Multiplying the scores by the mask (scores * mask) leaves the padding in the softmax "
    "with score 0, so it still takes weight, more of it the more padding there is.",
    "Use -inf, not 0: scores = np.where(mask, scores, -np.inf) before the softmax.",
    (
        "attention.mask.zero-leak",
        "attention.mask.softmax",
    ),
)

ATTENTION_SCALE = Mistake(
    "attention-scale-wrong",
    "The dot product is scaled by the wrong factor",
    "Scaled dot-product attention divides q . k by sqrt(K), K the width of the vectors being "
    "multiplied: for unit-variance entries q . k has variance K, so the scaled score has "
    "variance 1. Not sqrt(S) (the source length), not K itself. Luong's 'dot' and 'general' "
    "scores are not scaled at all.",
    "Only for score='scaled_dot': scores = keys @ q / np.sqrt(K), K = keys.shape[-1].",
    (
        "attention.scaled.why",
        "attention.scaled.variance",
        "attention.open.sqrt-dk",
    ),
)

# Recognised by the hidden suite: a "general" case (Q != K) that raises a shape error.
ATTENTION_GENERAL_TRANSPOSED = Mistake(
    "attention-general-transposed",
    "W_a of the general score used the wrong way round",
    "Luong's general score is h_t^T W_a h_s with the decoder state h_t (Q) on the left and "
    "the encoder state h_s (K) on the right, so W_a has shape (Q, K). score_s = "
    "keys[s] . (W_a^T q): project the query with q @ W_a (B, K), then dot it with every key. "
    "W_a @ q or keys @ W_a needs Q == K and only works by accident when the sizes match.",
    "projected = query @ W_a (B, K); scores = np.einsum('bsk,bk->bs', keys, projected).",
    (
        "attention.luong.scores",
        "attention.shape.context",
    ),
)

ATTENTION_CONTEXT_UNMASKED = Mistake(
    "attention-context-unmasked",
    "The context is computed from the unmasked weights",
    "The weights are right, but the context was summed with another set of weights (the "
    "softmax before masking): the padding still leaks into the context. The context is the "
    "weighted sum of the keys with exactly the weights returned.",
    "Compute context = np.einsum('bs,bsk->bk', weights, keys) with the masked weights.",
    (
        "attention.mask.softmax",
        "attention.shape.context",
    ),
)


# --- the right answer, with switches -----------------------------------------------------------


def f64(value: Any) -> Any:
    """Float arrays in float64; everything else as is."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    return value


def raw_scores(inputs: Inputs, scale: Callable[[int, int], float] | None = None) -> Array:
    """One score per (batch item, source position), before any mask; (B, S).

    ``scale(K, S)`` replaces the divisor of the 'scaled_dot' score (sqrt(K)); for 'dot' and
    'general' a given scale divides the score too (a learner who scales every score).
    """
    query, keys = f64(inputs["query"]), f64(inputs["keys"])  # (B, Q), (B, S, K)
    _, S, K = keys.shape
    if "W_q" in inputs:  # bahdanau_attention
        hidden = np.tanh((query @ f64(inputs["W_q"]).T)[:, None, :] + keys @ f64(inputs["W_k"]).T)  # (B, S, A)
        return hidden @ f64(inputs["v"])  # (B, S)
    kind = inputs.get("score", "dot")
    if kind == "general":
        scores = np.einsum("bsk,bk->bs", keys, query @ f64(inputs["W_a"]))  # (B, S)
    else:
        scores = np.einsum("bsk,bk->bs", keys, query)  # (B, S)
    if kind == "scaled_dot":
        return scores / (np.sqrt(K) if scale is None else scale(K, S))  # (B, S)
    return scores if scale is None else scores / scale(K, S)  # (B, S)


def softmax(scores: Array, axis: int | None) -> Array:
    """A stable softmax along an axis (None: over every entry at once)."""
    top = np.max(scores, axis=axis, keepdims=True)  # broadcastable
    e = np.exp(scores - top)  # same shape as scores
    return e / e.sum(axis=axis, keepdims=True)  # same shape as scores


def attention(inputs: Inputs, *, mask_mode: str = "before", axis: str = "source",
              scale: Callable[[int, int], float] | None = None, context: str = "weights") -> tuple[Array, Array]:  # fmt: skip
    """(context, weights) in float64, or one of the slips.

    ``mask_mode``: "before" (-inf before the softmax), "ignored", "after" (zeroed after the
    softmax, not renormalised) or "zero_score" (scores * mask). ``axis``: "source" (each
    row), "batch" (each column) or "all" (the whole array). ``context``: "weights" (the
    returned weights) or "unmasked" (the softmax of every position).
    """
    keys, mask = f64(inputs["keys"]), np.asarray(inputs["mask"], dtype=bool)  # (B, S, K), (B, S)
    scores = raw_scores(inputs, scale)  # (B, S)
    along = {"source": 1, "batch": 0, "all": None}[axis]
    if mask_mode == "before":
        weights = softmax(np.where(mask, scores, -np.inf), along)  # (B, S)
    elif mask_mode == "zero_score":
        weights = softmax(scores * mask, along)  # (B, S)
    elif mask_mode == "after":
        weights = softmax(scores, along) * mask  # (B, S)
    else:
        weights = softmax(scores, along)  # (B, S)
    mixing = softmax(scores, 1) if context == "unmasked" else weights  # (B, S)
    return np.einsum("bs,bsk->bk", mixing, keys), weights  # (B, K), (B, S)


def _scored(kinds: tuple[str, ...], **options: Any) -> Callable[[Inputs, Any], Any]:
    """A slip that applies only to luong_attention with one of these score kinds."""

    def reproduce(inputs: Inputs, actual: Any) -> Any:
        if "W_q" in inputs or inputs.get("score", "dot") not in kinds:
            return None
        return attention(inputs, **options)

    return reproduce


def _any(**options: Any) -> Callable[[Inputs, Any], Any]:
    """A slip that applies to both functions."""
    return lambda inputs, actual: attention(inputs, **options)


# fmt: off
SLIPS: list[Slip] = [
    Slip(ATTENTION_MASK_IGNORED, "a softmax over every source position, the mask never used",
         _any(mask_mode="ignored")),
    Slip(ATTENTION_SOFTMAX_AXIS, "the softmax runs over the batch axis (each column sums to 1)",
         _any(axis="batch")),
    Slip(ATTENTION_SOFTMAX_AXIS, "one softmax over the whole (B, S) array of masked scores",
         _any(axis="all")),
    Slip(ATTENTION_SOFTMAX_AXIS, "the softmax runs over the batch axis and ignores the mask",
         _any(axis="batch", mask_mode="ignored")),
    Slip(ATTENTION_MASK_AFTER_SOFTMAX, "the padded weights are zeroed after the softmax and the rest not renormalised",
         _any(mask_mode="after")),
    Slip(ATTENTION_MASK_ZERO_SCORE, "the scores are multiplied by the mask: padding scored 0, not -inf",
         _any(mask_mode="zero_score")),
    Slip(ATTENTION_SCALE, "the scaled dot product divided by sqrt(S), the source length, not sqrt(K)",
         _scored(("scaled_dot",), scale=lambda K, S: float(np.sqrt(S)))),
    Slip(ATTENTION_SCALE, "the scaled dot product divided by K, not sqrt(K)",
         _scored(("scaled_dot",), scale=lambda K, S: float(K))),
    Slip(ATTENTION_SCALE, "score='scaled_dot' left unscaled (the plain dot product)",
         _scored(("scaled_dot",), scale=lambda K, S: 1.0)),
    Slip(ATTENTION_SCALE, "a 'dot' or 'general' score divided by sqrt(K): only 'scaled_dot' is scaled",
         _scored(("dot", "general"), scale=lambda K, S: float(np.sqrt(K)))),
    Slip(ATTENTION_CONTEXT_UNMASKED, "the weights are masked but the context sums the keys with the unmasked softmax",
         _any(context="unmasked")),
]
# fmt: on

MISTAKES: tuple[Mistake, ...] = (
    ATTENTION_MASK_IGNORED,
    ATTENTION_SOFTMAX_AXIS,
    ATTENTION_MASK_AFTER_SOFTMAX,
    ATTENTION_MASK_ZERO_SCORE,
    ATTENTION_SCALE,
    ATTENTION_GENERAL_TRANSPOSED,
    ATTENTION_CONTEXT_UNMASKED,
)
