"""Hidden suite of sampling: sample(logits, rng, temperature=1.0, top_k=0, top_p=1.0, n=1) ->
(tokens (B, n) int, probs (B, V)), temperature, top-k and nucleus (top-p) sampling.

Reference for probs: torch ops in float64, in Hugging Face's order and with its rules
(transformers, src/transformers/generation/logits_process.py at commit 00857b6c:
TemperatureLogitsWarper divides the scores by T; TopKLogitsWarper removes
``scores < torch.topk(scores, top_k)[0][..., -1, None]``, so ties at the k-th value are kept;
TopPLogitsWarper removes, in ascending order, the tokens whose cumulative probability is
<= 1 - top_p, i.e. keeps the smallest set of most probable tokens whose mass reaches top_p, the
crossing token included, at least one kept; generate() applies temperature, then top-k, then
top-p). Here the nucleus is cut from a stable descending sort (ties keep token order), then
the survivors are renormalised. tests/test_hidden_sampling.py checks this reference against a
transcription of those two warpers.

Reference for tokens: exact, given the Generator. The grader builds np.random.default_rng(seed)
as the child does, draws u = rng.random((B, n)) once and takes, per sample, the first token id
whose cumulative probability (cumsum of the reference probs along V, divided by its last value)
exceeds u. Tokens are compared exactly, probs at the dtype's tolerance. Cases are drawn so
that no u and no nucleus boundary lies within 1e-4 of a cumulative sum, and no two distinct
logits within 1e-3, so rounding (float32 included) cannot move a token; sampling cases have
enough entropy that a draw from another stream cannot match by chance (below 1e-6).

The plan:

    temperature_sharpens       temperature in [0.4, 0.7]: sharper than softmax(logits)
    temperature_flattens       temperature in [1.5, 3]: flatter
    top_k_only                 top_k in [2, V-3], temperature left at 1
    top_p_only                 top_p in [0.5, 0.9], temperature left at 1
    temperature_top_k_top_p    all three: the nucleus is cut after temperature and top-k
    greedy_top_k_1             top_k=1: every sample is the argmax, probs one-hot
    tiny_top_p                 top_p=0.001: only the most probable token survives
    top_k_ties                 the k-th largest logit is tied: every tied token is kept
    many_samples               n from 20 to 30 samples per row, temperature and top_k
    defaults_one_sample        only logits and rng: temperature 1, no filter, n=1
    all_three_float32          temperature, top_k, top_p on float32 logits
    same_seed_same_tokens      the first case again, the same seed: the same tokens
    other_seed_other_tokens    the first case's logits, another seed: other tokens
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnnprep import diagnosis
from rnnprep.diagnosis import sampling as mistakes
from rnnprep.diagnosis.slips import Same, leaves_close, matching
from rnnprep.grading import suite
from rnnprep.grading.torch_reference import tensor
from rnnprep.sandbox import RngSeed

KATA = suite.kata("sampling")
Submission = Callable[[suite.Case], Any]

MARGIN = 1e-4  # no u and no nucleus boundary this close to a cumulative sum
GAP = 1e-3  # distinct logits at least this far apart
CHANCE = 1e-6  # the most a draw from another stream may have of matching every token
SHARP, FLAT = (0.4, 0.7), (1.5, 3.0)
# what a case needs to show: these slips must give other probs (by more than 1e-3)
TEMPERATURE = ({"temperature": "multiply"}, {"temperature": "ignore"})
NUCLEUS = ({"inclusive": False}, {"renormalise": "never"})
ORDER = ({"order": "p_then_k"}, {"order": "p_before_temperature"})
# fmt: off
PLAN = (
    suite.Planned("temperature_sharpens", "temperature below 1 sharpens the distribution",
                  {"temperature": SHARP, "shows": TEMPERATURE}),
    suite.Planned("temperature_flattens", "temperature above 1 flattens the distribution",
                  {"temperature": FLAT, "shows": TEMPERATURE}),
    suite.Planned("top_k_only", "top_k alone (temperature left at 1)", {"top_k": True, "shows": NUCLEUS[1:]}),
    suite.Planned("top_p_only", "top_p alone (temperature left at 1): the crossing token is kept",
                  {"top_p": (0.5, 0.9), "shows": NUCLEUS}),
    suite.Planned("temperature_top_k_top_p", "temperature, then top-k, then the nucleus of what is left",
                  {"temperature": SHARP, "top_k": True, "top_p": (0.5, 0.9), "shows": NUCLEUS + ORDER}),
    suite.Planned("greedy_top_k_1", "top_k=1: every sample is the argmax", {"temperature": FLAT, "top_k": 1,
                  "greedy": True, "shows": NUCLEUS[1:]}),
    suite.Planned("tiny_top_p", "top_p=0.001: only the most probable token survives",
                  {"temperature": FLAT, "top_p": 0.001, "greedy": True, "shows": NUCLEUS[1:]}),
    suite.Planned("top_k_ties", "the k-th largest logit is tied: every tied token is kept",
                  {"top_k": True, "ties": True, "shows": ({"ties": "first"}, {"ties": "last"})}),
    suite.Planned("many_samples", "20 to 30 samples per row, with temperature and top_k",
                  {"temperature": FLAT, "top_k": True, "N": (20, 30), "shows": TEMPERATURE}),
    suite.Planned("defaults_one_sample", "only logits and rng: temperature 1, no filtering, one sample",
                  {"N": None, "B": (6, 8), "V": (14, 20), "scale": 0.5}),
    suite.Planned("all_three_float32", "temperature, top_k and top_p on float32 logits",
                  {"temperature": SHARP, "top_k": True, "top_p": (0.5, 0.9), "dtype": "float32",
                   "shows": NUCLEUS + ORDER}),
)
# fmt: on


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """The plan, then the two twins of the first case (same seed; another seed)."""
    drawn = [draw(rng, planned) for planned in PLAN]
    first = drawn[0]
    same = twin(first, "same_seed_same_tokens", "the first test again, the same Generator seed: the same tokens",
                first.call.args["rng"].seed)  # fmt: skip
    while True:
        other = twin(first, "other_seed_other_tokens", "the first test's logits, another Generator seed",
                     int(rng.integers(2**31)))  # fmt: skip
        tokens, first_tokens = (mistakes.sample(c.call.inputs())[0] for c in (other, first))  # (B, n) each
        if fair(other) and not np.array_equal(tokens, first_tokens):
            return [*drawn, same, other]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Distinct B, V, N; logits ~ 1.5 N(0, 1) (0.5 N(0, 1) for the defaults); options drawn in their
    ranges, again until the case is fair and shows the mistakes it is for."""
    options = planned.options
    dtype: str = options.get("dtype", "float64")
    N = options.get("N", (2, 8))
    while True:
        sizes = {"B": options.get("B", (2, 5)), "V": options.get("V", (7, 13)), "N": N or (1, 1)}
        dims = suite.draw_dims(rng, sizes)
        B, V = dims["B"], dims["V"]
        kwargs: dict[str, Any] = {}
        if "temperature" in options:
            kwargs["temperature"] = round(float(rng.uniform(*options["temperature"])), 2)
        if "top_k" in options:
            top_k = options["top_k"]
            kwargs["top_k"] = int(rng.integers(2, V - 2)) if top_k is True else top_k
        if "top_p" in options:
            top_p = options["top_p"]
            kwargs["top_p"] = round(float(rng.uniform(*top_p)), 2) if isinstance(top_p, tuple) else top_p
        if N is not None:
            kwargs["n"] = dims["N"]
        logits = options.get("scale", 1.5) * rng.standard_normal((B, V))  # (B, V)
        if options.get("ties"):
            logits = tie_at_k(rng, logits, kwargs["top_k"])  # (B, V)
        args = {"logits": logits.astype(dtype), "rng": RngSeed(int(rng.integers(2**31)))}
        call = suite.Call(KATA.entry[0], args, kwargs)
        case = suite.Case(planned.name, planned.about, call, KATA.returns, dims, dtype, suite.TOLERANCE[dtype],
                          {"greedy": bool(options.get("greedy"))})  # fmt: skip
        if fair(case) and shows(case, options.get("shows", ())):
            return case


def tie_at_k(rng: np.random.Generator, logits: np.ndarray, k: int) -> np.ndarray:
    """Logits whose k-th largest value is shared by the (k+1)-th (and sometimes the (k+2)-th)."""
    tied = logits.copy()  # (B, V)
    order = np.argsort(-tied, axis=1)  # (B, V)
    for b in range(len(tied)):
        width = 2 + int(rng.integers(0, 2))
        tied[b, order[b, k : k - 1 + width]] = tied[b, order[b, k - 1]]
    return tied


def twin(first: suite.Case, name: str, about: str, seed: int) -> suite.Case:
    """The first case's logits and options with the Generator of `seed`."""
    call = suite.Call(KATA.entry[0], {**first.call.args, "rng": RngSeed(seed)}, dict(first.call.kwargs))
    return suite.Case(name, about, call, KATA.returns, first.dims, first.dtype, first.tol,
                      {"greedy": False, "twin": first})  # fmt: skip


def fair(case: suite.Case) -> bool:
    """No boundary within reach of rounding, and (unless greedy) no chance match of the tokens."""
    inputs = case.call.inputs()
    logits = np.asarray(inputs["logits"], dtype=np.float64)  # (B, V)
    gaps = np.diff(np.sort(logits, axis=1), axis=1)  # (B, V-1)
    if np.any((gaps > 0) & (gaps < GAP)):
        return False
    probs = mistakes.filtered(inputs)  # (B, V)
    if mistakes.options(inputs)[2] < 1.0:
        source = mistakes.filtered({**inputs, "top_p": 1.0})  # (B, V): what the nucleus is cut from
        ranked = -np.sort(-source, axis=1)  # (B, V)
        if np.any(np.abs(np.cumsum(ranked, axis=1) - ranked - inputs["top_p"]) < MARGIN):
            return False
    cdf = np.cumsum(probs, axis=1) / probs.sum(axis=1, keepdims=True)  # (B, V)
    u = mistakes.uniforms(inputs, len(probs))  # (B, n)
    if np.any(np.abs(u[:, :, None] - cdf[:, None, :]) < MARGIN):
        return False
    tokens = mistakes.inverse_cdf(probs, u)  # (B, n)
    chance = float(np.prod(np.take_along_axis(probs, tokens, axis=1)))  # another stream matching every token
    return case.extra["greedy"] or chance < CHANCE


def shows(case: suite.Case, variants: tuple[dict[str, Any], ...]) -> bool:
    """Every listed slip gives probs other than the right ones (by more than 1e-3 somewhere)."""
    inputs = case.call.inputs()
    right = mistakes.filtered(inputs)  # (B, V)
    return all(np.abs(mistakes.filtered(inputs, **switches) - right).max() > 1e-3 for switches in variants)


def reference(case: suite.Case) -> tuple[np.ndarray, np.ndarray]:
    """torch in float64 for probs (the module docstring); the exact inverse-CDF draw for tokens."""
    inputs = case.call.inputs()
    temperature, top_k, top_p, n = mistakes.options(inputs)
    z = tensor(inputs["logits"]) / temperature  # (B, V) float64
    B, V = z.shape
    if top_k > 0:
        kth = torch.topk(z, min(top_k, V)).values[:, -1:]  # (B, 1): ties at the k-th value are kept
        z = z.masked_fill(z < kth, -torch.inf)  # (B, V)
    probs = torch.softmax(z, dim=-1)  # (B, V)
    if top_p < 1.0:
        ranked, order = torch.sort(probs, dim=-1, descending=True, stable=True)  # (B, V) each
        drop_ranked = ranked.cumsum(dim=-1) - ranked >= top_p  # (B, V): the mass before reaches top_p
        drop_ranked[:, 0] = False  # the most probable token always stays
        drop = drop_ranked.scatter(1, order, drop_ranked)  # (B, V) in token order
        probs = torch.softmax(z.masked_fill(drop, -torch.inf), dim=-1)  # (B, V): renormalised
    u = torch.from_numpy(np.random.default_rng(inputs["rng"].seed).random((B, n)))  # (B, n)
    cdf = probs.cumsum(dim=-1)  # (B, V)
    cdf = cdf / cdf[:, -1:]  # (B, V): ends at exactly 1
    tokens = torch.searchsorted(cdf, u, right=True)  # (B, n): the first index with cdf > u
    return tokens.numpy().astype(np.int64), probs.numpy()


def agree(case: suite.Case) -> Same:
    """tokens equal, probs within the case's tolerance (-inf equal to -inf)."""
    return leaves_close(rtol=case.tol.rtol, atol=case.tol.atol)


def diagnose(case: suite.Case, actual: Any, expected: Any, earlier: np.ndarray | None = None
             ) -> tuple[list[str], list[str]]:  # fmt: skip
    """Which of tokens and probs is wrong, the twin's evidence, then the slips that reproduce it."""
    tokens, probs = np.asarray(actual[0]), np.asarray(actual[1], dtype=np.float64)  # (B, n), (B, V)
    inputs, seed = case.call.inputs(), case.call.args["rng"].seed
    probs_ok = agree(case)(probs, expected[1])
    if probs_ok and tokens.shape == expected[0].shape and np.array_equal(tokens, expected[0]):
        return [], []
    slips = mistakes.DRAW_SLIPS if probs_ok else mistakes.PROBS_SLIPS
    found = matching(slips, inputs, actual, expected, agree(case))
    ids = list(dict.fromkeys(slip.mistake.id for slip in found))
    lines = [f"Your answer is exactly what this slip gives: {slip.note}." for slip in found[:2]]
    if probs_ok:
        lines.insert(0, f"probs is right but tokens are not. Given the Generator np.random.default_rng({seed}), "
                        f"the tokens are determined: draw u = rng.random((B, n)) once, then each token is the "
                        f"first id whose cumulative probability exceeds u.")  # fmt: skip
        lines[1:1] = twin_lines(case, tokens, earlier)
        ids = ids or [mistakes.SAMPLING_RNG_STREAM.id]
    else:
        lines += probs_lines(case, tokens, probs)
    return ids, lines + diagnosis.lines_for(ids)


def twin_lines(case: suite.Case, tokens: np.ndarray, earlier: np.ndarray | None) -> list[str]:
    """What the twin tests show: another answer for the same seed, or the same for another seed."""
    first: suite.Case | None = case.extra.get("twin")
    if first is None or earlier is None or earlier.shape != tokens.shape:
        return []
    equal = bool(np.array_equal(earlier, tokens))
    if first.call.args["rng"] == case.call.args["rng"] and not equal:
        differ = int(np.count_nonzero(earlier != tokens))
        return [f"Called twice with the same Generator seed, your tokens differ in {differ} of {tokens.size} "
                f"samples (see {first.name}): draw every random number from the rng argument, never from "
                f"np.random.* or a Generator of your own."]  # fmt: skip
    if first.call.args["rng"] != case.call.args["rng"] and equal:
        return [f"Another Generator seed gave exactly the tokens of {first.name}: the randomness must come "
                f"from the rng argument, not from a fixed seed inside your function."]  # fmt: skip
    return []


def probs_lines(case: suite.Case, tokens: np.ndarray, probs: np.ndarray) -> list[str]:
    """What the wrong probs show: log space, a tie cut by top-k, a nucleus short of top_p, rows
    that do not sum to 1, tokens drawn from them."""
    lines = []
    if not np.all(np.isfinite(probs)) or probs.min() < 0:
        lines.append("probs holds negative or infinite values: it must hold probabilities (0 for the filtered "
                     "tokens, each row summing to 1), not logits or log-probabilities.")  # fmt: skip
        return lines
    inputs = case.call.inputs()
    _, top_k, top_p, _ = mistakes.options(inputs)
    kept = probs > 0  # (B, V)
    right = mistakes.filtered(inputs) > 0  # (B, V)
    if top_k > 0 and top_p >= 1.0 and np.any((kept.sum(axis=1) == top_k) & (right.sum(axis=1) > top_k)):
        row = int(np.argmax(right.sum(axis=1) > kept.sum(axis=1)))
        lines.append(f"Row {row} keeps exactly top_k={top_k} tokens, but its {ordinal(top_k)} largest logit is tied: "
                     f"every tied token stays, so {int(right[row].sum())} survive.")  # fmt: skip
    if top_p < 1.0 and kept.shape == right.shape:
        source = mistakes.filtered({**inputs, "top_p": 1.0})  # (B, V): what the nucleus is cut from
        mass = (source * kept).sum(axis=1)  # (B,)
        if np.any(mass < top_p - 1e-9):
            row = int(np.argmin(mass))
            lines.append(f"Row {row} keeps tokens holding {mass[row]:.4f} of the probability, less than "
                         f"top_p={top_p}: the nucleus must reach top_p, the crossing token included.")  # fmt: skip
    sums = probs.sum(axis=1)  # (B,)
    if np.any(np.abs(sums - 1.0) > 1e-3):
        lines.append(f"The rows of probs sum to {', '.join(f'{s:.4f}' for s in sums)}, not 1: after top-k and "
                     f"top-p the surviving probabilities must be renormalised.")  # fmt: skip
    elif tokens.shape == (len(probs), mistakes.options(inputs)[3]) and np.array_equal(
        tokens, mistakes.inverse_cdf(probs, mistakes.uniforms(inputs, len(probs)))
    ):
        lines.append("Your tokens are exactly the contract's draw from YOUR probs: fix probs and they follow.")
    return lines


def ordinal(k: int) -> str:
    """'1st', '2nd', '3rd', '4th', ..., '11th', '12th', '13th', '21st'."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def test_sample(case: suite.Case, submission: Submission) -> None:
    """Structure, shapes, values (tokens exactly, probs at tolerance) and dtypes; twins compare
    with the first case's answer."""
    actual = submission(case)
    earlier = twin_answer(case, submission)
    suite.expect_outputs(case, actual, reference(case), lambda c, a, e: diagnose(c, a, e, earlier))


def twin_answer(case: suite.Case, submission: Submission) -> np.ndarray | None:
    """The tokens the first case got, for a twin (None when there are none to compare)."""
    first: suite.Case | None = case.extra.get("twin")
    if first is None:
        return None
    try:
        tokens = submission(first)[0]
    except (suite.KataFailure, TypeError, IndexError, KeyError):
        return None
    return tokens if isinstance(tokens, np.ndarray) else None
