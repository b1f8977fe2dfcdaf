"""The mistakes of the sampling kata (temperature, top-k and nucleus sampling from logits), each
next to the slips that reproduce it.

A slip is one concrete wrong implementation: ``reproduce(inputs, actual)`` returns the
``(tokens (B, n), probs (B, V))`` it would have returned for the call's inputs (``logits``,
``rng`` (an ``RngSeed``) and, when given, ``temperature``, ``top_k``, ``top_p``, ``n``).
PROBS_SLIPS, the slips of the filtering (``filtered(inputs, ...)`` with one switch per
mistake), return the submission's own tokens beside their probs, the way dropout's slips reuse
its mask: a wrong distribution is named whatever was drawn from it. DRAW_SLIPS
(``draw(inputs, probs, how)``) return the right probs beside their tokens: a right
distribution sampled the wrong way. The hidden suite tries PROBS_SLIPS when probs is wrong and
DRAW_SLIPS when only the tokens are.

One mistake has no complete slip: tokens drawn from the global np.random (or any other stream)
cannot be reproduced. The hidden suite names SAMPLING_RNG_STREAM whenever probs are right and
tokens are not, and its twin tests show the symptom (the same seed, other tokens).

Everything is NumPy in float64; the order of the filters is Hugging Face's (temperature, then
top-k, then top-p: TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rnnprep.diagnosis.mistake import Mistake
from rnnprep.diagnosis.slips import Reproduce, Slip

Array = np.ndarray
Inputs = Mapping[str, Any]

# --- the mistakes -------------------------------------------------------------------------------

SAMPLING_TEMPERATURE = Mistake(
    "sampling-temperature-wrong",
    "Temperature not applied as logits / temperature",
    "Temperature divides the logits before the softmax: softmax(z / T). T < 1 spreads the "
    "logits apart and sharpens the distribution towards the argmax, T > 1 squeezes them and "
    "flattens it towards uniform. Multiplying by T does the opposite; dividing the "
    "PROBABILITIES by T changes nothing once they are renormalised, so the temperature is "
    "silently ignored.",
    "z = logits / temperature, first, before top-k, the softmax and top-p.",
    (
        "decoding.temp.softmax",
        "decoding.temp.limits",
        "rnn.generation.temperature",
    ),
)

SAMPLING_TOP_P_EXCLUSIVE = Mistake(
    "sampling-top-p-excludes-crossing",
    "The nucleus leaves out the token that crosses top_p",
    "The nucleus is the SMALLEST set of most probable tokens whose probabilities add up to at "
    "least top_p, so the token whose cumulative sum crosses top_p belongs to it. Keeping only "
    "tokens with cumsum < top_p stops one token short: the kept mass is below top_p, and when "
    "the most probable token alone exceeds top_p nothing would be left but for the "
    "at-least-one rule.",
    "In decreasing order, keep a token when the mass BEFORE it is below top_p: "
    "keep = cumsum(sorted_p) - sorted_p < top_p.",
    (
        "decoding.nucleus.size",
        "decoding.nucleus.name",
    ),
)

SAMPLING_NOT_RENORMALISED = Mistake(
    "sampling-not-renormalised",
    "The filtered probabilities are not renormalised",
    "Top-k and top-p remove tokens; the survivors must then be divided by their total so that "
    "probs sums to 1 and the removed mass moves onto them in proportion. Zeroing the filtered "
    "probabilities of the full softmax leaves a distribution that sums to less than 1: the "
    "returned probs are wrong, and a draw against their cumulative sum can fall off the end.",
    "After each filter: probs = np.where(keep, probs, 0); probs /= probs.sum(axis=1, keepdims=True) "
    "(or set the filtered logits to -inf before the softmax).",
    (
        "decoding.topk.renorm",
        "decoding.nucleus.size",
    ),
)

SAMPLING_FILTER_ORDER = Mistake(
    "sampling-filter-order",
    "The filters are applied in the wrong order",
    "The order is part of the contract (Hugging Face's too): divide by the temperature, keep "
    "the top-k logits, softmax, then the nucleus of THAT distribution. The nucleus depends on "
    "the distribution it is cut from: computed before top-k (on the full softmax) or before the "
    "temperature, it keeps another set of tokens. Temperature and top-k commute (dividing by "
    "T > 0 keeps the order of the logits); top-p does not commute with either.",
    "z = logits / T; top-k on z; probs = softmax(z); then top-p on probs; renormalise.",
    (
        "decoding.nucleus.vs-topk",
        "decoding.nucleus.size",
        "decoding.temp.softmax",
    ),
)

SAMPLING_TOP_K_TIES = Mistake(
    "sampling-top-k-ties",
    "Top-k drops tokens tied with the k-th largest logit",
    "Top-k keeps every logit that is not below the k-th largest value, as Hugging Face's "
    "TopKLogitsWarper does (remove z < topk(z, k).values[..., -1]). When several tokens tie at "
    "the k-th value they are all kept, so more than k tokens can survive; taking exactly k "
    "indices from an argsort keeps an arbitrary subset of the tie.",
    "kth = np.sort(z, axis=1)[:, -top_k, None]; z = np.where(z < kth, -np.inf, z).",
    (
        "decoding.topk.renorm",
        "decoding.nucleus.vs-topk",
    ),
)

SAMPLING_RETURNS_LOGITS = Mistake(
    "sampling-returns-logits",
    "probs holds logits or log-probabilities",
    "probs must be the sampling distribution itself: non-negative, zero for every filtered "
    "token, each row summing to 1. The filtered logits (z with -inf) or the log-probabilities "
    "are the same information in log space, but not what the contract returns.",
    "Return np.exp of the filtered log-probabilities, i.e. the renormalised softmax, with "
    "exact zeros for the filtered tokens.",
    (
        "decoding.temp.softmax",
        "decoding.topk.renorm",
    ),
)

SAMPLING_RNG_STREAM = Mistake(
    "sampling-rng-stream",
    "The tokens are not drawn from rng as the contract says",
    "A seed reproduces a sample only if the Generator is used the agreed way: u = "
    "rng.random((B, n)) drawn once, row by row, and each token the first index, in token-id "
    "order, whose cumulative probability exceeds u. np.random.* draws from hidden global "
    "state (another seed gives nothing reproducible); drawing in another order, with another "
    "method (Gumbel-max, multinomial), over the sorted probabilities, or from the distribution "
    "before filtering gives other tokens for the same seed.",
    "u = rng.random((B, n)); cdf = np.cumsum(probs, axis=1); cdf /= cdf[:, -1:]; "
    "tokens = (u[:, :, None] >= cdf[:, None, :]).sum(axis=2).",
    (
        "rnn.generation.sampling-loop",
        "decoding.open.beam-vs-sampling",
    ),
)


# --- the reproducers ----------------------------------------------------------------------------


def options(inputs: Inputs) -> tuple[float, int, float, int]:
    """(temperature, top_k, top_p, n) with the contract's defaults."""
    return (float(inputs.get("temperature", 1.0)), int(inputs.get("top_k", 0)),
            float(inputs.get("top_p", 1.0)), int(inputs.get("n", 1)))  # fmt: skip


def softmax(z: Array) -> Array:
    """Row softmax; -inf entries get exactly 0."""
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (B, V)
    return e / e.sum(axis=1, keepdims=True)  # (B, V)


def top_k_mask(z: Array, k: int, ties: str = "keep") -> Array:
    """(B, V) True for the kept tokens: z >= the k-th largest ("keep"), or exactly k of them,
    ties broken towards the lower ("first") or the higher ("last") token id."""
    k = min(k, z.shape[1])
    if ties == "keep":
        return z >= np.sort(z, axis=1)[:, -k, None]  # (B, V)
    order = np.argsort(-z, axis=1, kind="stable") if ties == "first" else np.argsort(z, axis=1, kind="stable")[:, ::-1]
    keep = np.zeros(z.shape, dtype=bool)  # (B, V)
    np.put_along_axis(keep, order[:, :k], True, axis=1)
    return keep


def nucleus_mask(probs: Array, top_p: float, inclusive: bool = True) -> Array:
    """(B, V) True for the nucleus: in stable decreasing order, the tokens whose preceding mass
    is below top_p (inclusive), or whose cumulative sum is (exclusive); the first always kept."""
    order = np.argsort(-probs, axis=1, kind="stable")  # (B, V)
    ranked = np.take_along_axis(probs, order, axis=1)  # (B, V)
    cum = np.cumsum(ranked, axis=1)  # (B, V)
    keep_ranked = (cum - ranked < top_p) if inclusive else (cum < top_p)  # (B, V)
    keep_ranked[:, 0] = True
    keep = np.zeros(probs.shape, dtype=bool)  # (B, V)
    np.put_along_axis(keep, order, keep_ranked, axis=1)
    return keep


def filtered(inputs: Inputs, *, temperature: str = "divide", order: str = "k_then_p", inclusive: bool = True,
             renormalise: str = "always", ties: str = "keep") -> Array:  # fmt: skip
    """The sampling distribution (B, V) in float64, or one slip's.

    ``temperature``: "divide", "multiply" or "ignore". ``order``: "k_then_p" (the contract),
    "p_then_k" (the nucleus of the full softmax), "p_before_temperature" (the nucleus of the
    top-k softmax at T = 1). ``renormalise``: "always", "never" (the full softmax with the
    filtered tokens zeroed) or "after_top_k" (top-k right, the nucleus zeroed only).
    ``ties``: see top_k_mask.
    """
    T, k, p, _ = options(inputs)
    logits = np.asarray(inputs["logits"], dtype=np.float64)  # (B, V)
    z = {"divide": logits / T, "multiply": logits * T, "ignore": logits}[temperature]  # (B, V)
    keep_k = top_k_mask(z, k, ties) if k > 0 else np.ones(z.shape, dtype=bool)  # (B, V)
    if renormalise == "never":
        probs = np.where(keep_k, softmax(z), 0.0)  # (B, V): sums to less than 1
        return np.where(nucleus_mask(probs, p, inclusive), probs, 0.0) if p < 1.0 else probs  # (B, V)
    probs = softmax(np.where(keep_k, z, -np.inf))  # (B, V)
    if p >= 1.0:
        return probs
    source = {
        "k_then_p": probs,
        "p_then_k": softmax(z),
        "p_before_temperature": softmax(np.where(keep_k, logits, -np.inf)),
    }[order]  # (B, V): the distribution the nucleus is cut from
    keep = nucleus_mask(source, p, inclusive) & keep_k  # (B, V)
    if renormalise == "after_top_k":
        return np.where(keep, probs, 0.0)  # (B, V)
    return softmax(np.where(keep, z, -np.inf))  # (B, V)


def uniforms(inputs: Inputs, B: int, order: str = "rows") -> Array:
    """The contract's u = rng.random((B, n)) for the case's seed, or drawn sample-major."""
    n = options(inputs)[3]
    rng = np.random.default_rng(inputs["rng"].seed)
    return rng.random((B, n)) if order == "rows" else rng.random((n, B)).T  # (B, n)


def inverse_cdf(probs: Array, u: Array) -> Array:
    """tokens[b, j] = the first index whose cumulative probability exceeds u[b, j]."""
    cdf = np.cumsum(probs, axis=1)  # (B, V)
    cdf = cdf / cdf[:, -1:]  # (B, V): the last value exactly 1, so every u < 1 lands on a token
    return (u[:, :, None] >= cdf[:, None, :]).sum(axis=2)  # (B, n) int


def draw(inputs: Inputs, probs: Array, how: str = "contract") -> Array:
    """(B, n) tokens drawn from probs with the case's seed: the contract's way, or a slip's.

    ``how``: "contract", "sample_major" (u = rng.random((n, B)).T), "sorted" (inverse CDF over
    the probabilities in decreasing order, mapped back to ids), "sorted_rank" (the same, the rank
    returned instead of the id), "gumbel" (argmax of log p + rng.gumbel((B, n, V))), "greedy".
    """
    B, V = probs.shape
    n = options(inputs)[3]
    if how == "greedy":
        return np.repeat(np.argmax(probs, axis=1)[:, None], n, axis=1)  # (B, n)
    if how == "gumbel":
        g = np.random.default_rng(inputs["rng"].seed).gumbel(size=(B, n, V))  # (B, n, V)
        with np.errstate(divide="ignore"):
            return np.argmax(np.log(probs)[:, None, :] + g, axis=2)  # (B, n)
    u = uniforms(inputs, B, "columns" if how == "sample_major" else "rows")  # (B, n)
    if how in ("contract", "sample_major"):
        return inverse_cdf(probs, u)  # (B, n)
    order = np.argsort(-probs, axis=1, kind="stable")  # (B, V)
    ranks = inverse_cdf(np.take_along_axis(probs, order, axis=1), u)  # (B, n)
    return ranks if how == "sorted_rank" else np.take_along_axis(order, ranks, axis=1)  # (B, n)


def sample(inputs: Inputs) -> tuple[Array, Array]:
    """The right (tokens, probs) in float64 NumPy (the hidden suite's reference is torch)."""
    probs = filtered(inputs)  # (B, V)
    return draw(inputs, probs), probs  # (B, n), (B, V)


def log_space(inputs: Inputs, what: str) -> Array:
    """The right distribution's log-probabilities, or the filtered z = logits / T (-inf filtered)."""
    probs = filtered(inputs)  # (B, V)
    with np.errstate(divide="ignore"):
        if what == "log_probs":
            return np.log(probs)  # (B, V)
        T = options(inputs)[0]
        return np.where(probs > 0, np.asarray(inputs["logits"], dtype=np.float64) / T, -np.inf)  # (B, V)


def _probs_slip(**switches: Any) -> Reproduce:
    """A slip of the filtering: its probs beside the submission's own tokens."""
    return lambda inputs, actual: (actual[0], filtered(inputs, **switches))


def _draw_slip(how: str = "contract", unfiltered: bool = False) -> Reproduce:
    """A slip of the draw: the right probs beside its tokens."""

    def reproduce(inputs: Inputs, actual: Any) -> Any:
        probs = filtered(inputs)  # (B, V)
        source = softmax(np.asarray(inputs["logits"], dtype=np.float64) / options(inputs)[0]) if unfiltered else probs
        return draw(inputs, source, how), probs  # (B, n), (B, V)

    return reproduce


# fmt: off
PROBS_SLIPS: list[Slip] = [  # a wrong distribution (the submission's tokens kept)
    Slip(SAMPLING_TEMPERATURE, "z = logits * temperature: multiplied instead of divided",
         _probs_slip(temperature="multiply")),
    Slip(SAMPLING_TEMPERATURE, "the temperature has no effect (applied to the probabilities and renormalised "
         "away, or not at all)", _probs_slip(temperature="ignore")),
    Slip(SAMPLING_TOP_P_EXCLUSIVE, "the nucleus keeps cumsum < top_p: the token that crosses top_p is left out",
         _probs_slip(inclusive=False)),
    Slip(SAMPLING_NOT_RENORMALISED, "the filtered tokens zeroed in the full softmax, the rest not renormalised",
         _probs_slip(renormalise="never")),
    Slip(SAMPLING_NOT_RENORMALISED, "top-p zeroes the tokens outside the nucleus without renormalising",
         _probs_slip(renormalise="after_top_k")),
    Slip(SAMPLING_FILTER_ORDER, "the nucleus cut from the full softmax, before top-k",
         _probs_slip(order="p_then_k")),
    Slip(SAMPLING_FILTER_ORDER, "the nucleus cut before the temperature (from the softmax at T = 1)",
         _probs_slip(order="p_before_temperature")),
    Slip(SAMPLING_TOP_K_TIES, "top-k keeps exactly k tokens, the lowest ids of the tie at the k-th value",
         _probs_slip(ties="first")),
    Slip(SAMPLING_TOP_K_TIES, "top-k keeps exactly k tokens, the highest ids of the tie at the k-th value",
         _probs_slip(ties="last")),
    Slip(SAMPLING_RETURNS_LOGITS, "probs holds the log-probabilities (log of the right distribution)",
         lambda inputs, actual: (actual[0], log_space(inputs, "log_probs"))),
    Slip(SAMPLING_RETURNS_LOGITS, "probs holds the filtered logits z = logits / T, -inf where filtered",
         lambda inputs, actual: (actual[0], log_space(inputs, "logits"))),
]
DRAW_SLIPS: list[Slip] = [  # the right distribution, sampled another way
    Slip(SAMPLING_RNG_STREAM, "u drawn sample-major, rng.random((n, B)).T (a loop over samples outside the loop "
         "over rows)", _draw_slip("sample_major")),
    Slip(SAMPLING_RNG_STREAM, "the inverse CDF walks the probabilities sorted in decreasing order, not token ids "
         "0..V-1", _draw_slip("sorted")),
    Slip(SAMPLING_RNG_STREAM, "the position in the sorted order is returned instead of the token id",
         _draw_slip("sorted_rank")),
    Slip(SAMPLING_RNG_STREAM, "the Gumbel-max trick with rng.gumbel: a valid sampler, but another use of the stream",
         _draw_slip("gumbel")),
    Slip(SAMPLING_RNG_STREAM, "every token is the argmax: greedy decoding, nothing sampled",
         _draw_slip("greedy")),
    Slip(SAMPLING_RNG_STREAM, "tokens drawn from softmax(logits / T), the distribution BEFORE top-k and top-p",
         _draw_slip(unfiltered=True)),
]
SLIPS: list[Slip] = PROBS_SLIPS + DRAW_SLIPS
# fmt: on

MISTAKES: tuple[Mistake, ...] = (
    SAMPLING_TEMPERATURE,
    SAMPLING_TOP_P_EXCLUSIVE,
    SAMPLING_NOT_RENORMALISED,
    SAMPLING_FILTER_ORDER,
    SAMPLING_TOP_K_TIES,
    SAMPLING_RETURNS_LOGITS,
    SAMPLING_RNG_STREAM,
)
