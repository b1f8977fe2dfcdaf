"""The beam search of the beam_search kata, its mistakes, and the slips that reproduce them.

torch has no beam search, so ``search`` below is the exact reference the hidden suite uses
(proved, in tests/test_hidden_beam_search.py, equal to an exhaustive enumeration of every
hypothesis wherever the beam is wide enough to keep them all, to greedy decoding at
beam_size 1, and to an independent implementation where the beam prunes). Its keyword switches turn it into the known wrong versions, so a slip is one
call of the same function and each mistake differs from the reference in one place only.

The algorithm, as the kata's README states it: hypotheses start as [bos] with score 0; each
step extends every ALIVE hypothesis by every token and keeps the beam_size best of the N * V
extensions by summed log-prob (a stable sort: ties go to the earlier hypothesis, then the
lower token id); an extension ending in eos is finished and leaves the beam; after max_len
steps (or when nothing is alive) the alive hypotheses are finished as they are; the answer is
the finished hypothesis with the largest score / length**alpha (the first finished on a tie),
returned without bos, with its normalised score.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnprep.diagnosis.mistake import Mistake
from rnnprep.diagnosis.slips import Slip
from rnnprep.sandbox import Model, models

Array = np.ndarray
Inputs = Mapping[str, Any]
Step = Callable[[Array], Array]  # (N, t) int prefixes -> (N, V) log-probs of the next token


@dataclass(frozen=True)
class Found:
    """A finished hypothesis: its tokens (bos first) and raw summed log-prob."""

    tokens: Array  # (t + 1,) int, bos first
    raw: float


def step_of(inputs: Inputs) -> Step:
    """The case's step function, built here as the child builds it (sandbox/models.py)."""
    model = inputs["step"]
    assert isinstance(model, Model)
    return models.build(model.kind, model.arrays)


def search_hypotheses(step: Step, bos: int, eos: int, beam_size: int, max_len: int, *,
                      eos_ends: bool = True, products: bool = False, ties: str = "first",
                      refill: bool = False) -> list[Found]:  # fmt: skip
    """Every finished hypothesis, in the order they finished (the truncated ones last).

    ``eos_ends=False`` treats eos as an ordinary token (hypotheses grow past it);
    ``products`` keeps running products of probabilities instead of sums of log-probs (the
    raw score is then log(product)); ``ties="last"`` breaks ties towards the later candidate
    (argsort ascending, then reversed); ``refill`` keeps beam_size alive hypotheses by walking
    further down the sorted candidates when some of the best ones finished.
    """
    alive = np.full((1, 1), bos, dtype=np.int64)  # (N, t): bos first
    scores = np.ones(1) if products else np.zeros(1)  # (N,): running products or log-prob sums
    finished: list[Found] = []
    for _ in range(max_len):
        if not len(alive):
            break
        log_probs = np.asarray(step(alive), dtype=np.float64)  # (N, V)
        V = log_probs.shape[1]
        if products:
            flat = (scores[:, None] * np.exp(log_probs)).ravel()  # (N * V,)
        else:
            flat = (scores[:, None] + log_probs).ravel()  # (N * V,)
        if ties == "last":
            order = np.argsort(flat, kind="stable")[::-1]  # (N * V,): best first, later index first on ties
        else:
            order = np.argsort(-flat, kind="stable")  # (N * V,): best first, earlier index first on ties
        best = order[:beam_size]  # (k,)
        ends = (best % V == eos) if eos_ends else np.zeros(len(best), dtype=bool)  # (k,)
        for index in best[ends]:
            raw = float(np.log(flat[index])) if products else float(flat[index])
            finished.append(Found(np.append(alive[index // V], eos), raw))
        # the others stay alive; a refilling beam takes the best beam_size that are not eos
        live = order[order % V != eos][:beam_size] if refill else best[~ends]  # (n,)
        hyp, tok = np.divmod(live, V)  # (n,), (n,)
        alive = np.concatenate([alive[hyp], tok[:, None]], axis=1)  # (n, t + 1)
        scores = flat[live]  # (n,)
    for tokens, s in zip(alive, scores, strict=True):
        finished.append(Found(tokens, float(np.log(s)) if products else float(s)))
    return finished


def choose(finished: list[Found], alpha: float, *, bos_in_length: bool = False,
           normalise: str = "both") -> tuple[Array, float]:  # fmt: skip
    """The winner among finished hypotheses: (tokens without bos, its score).

    ``normalise``: "both" (select and report score / length**alpha), "none" (select and report
    the raw sum), "select" (select by the normalised score, report the raw sum).
    """
    lengths = np.array([len(f.tokens) - (0 if bos_in_length else 1) for f in finished], dtype=np.float64)  # (F,)
    raw = np.array([f.raw for f in finished])  # (F,)
    normalised = raw / lengths**alpha if normalise != "none" else raw  # (F,)
    best = int(np.argmax(normalised))  # the first finished wins a tie
    return finished[best].tokens[1:].copy(), float(normalised[best] if normalise == "both" else raw[best])


def search(inputs: Inputs, *, greedy: bool = False, bos_in_length: bool = False,
           normalise: str = "both", **options: Any) -> tuple[Array, float]:  # fmt: skip
    """The kata's answer for a call's inputs (the reference), or a slip's with its switches."""
    finished = hypotheses(inputs, 1 if greedy else int(inputs["beam_size"]), **options)
    return choose(finished, float(inputs.get("alpha", 0.0)), bos_in_length=bos_in_length, normalise=normalise)


_SEARCHED: weakref.WeakKeyDictionary[Model, dict[tuple[Any, ...], list[Found]]] = weakref.WeakKeyDictionary()


def hypotheses(inputs: Inputs, beam_size: int, **options: Any) -> list[Found]:
    """search_hypotheses for the call's model, remembered per model: the reference and most slips
    share one search (they differ only in how the winner is chosen)."""
    model = inputs["step"]
    key = (int(inputs["bos"]), int(inputs["eos"]), beam_size, int(inputs["max_len"]), *sorted(options.items()))
    searched = _SEARCHED.setdefault(model, {})
    if key not in searched:
        searched[key] = search_hypotheses(step_of(inputs), *key[:4], **options)
    return searched[key]


def sequence_log_prob(step: Step, bos: int, tokens: Array) -> float:
    """The summed log-prob of bos + tokens under the model (one prefix at a time)."""
    prefix = np.concatenate([[bos], np.asarray(tokens, dtype=np.int64)])  # (L + 1,)
    return float(sum(step(prefix[: t + 1])[prefix[t + 1]] for t in range(len(prefix) - 1)))


# --- the mistakes --------------------------------------------------------------------------------

BEAM_NO_NORMALISATION = Mistake(
    "beam-no-length-normalisation",
    "Finished hypotheses compared by their raw log-prob",
    "Every token adds a log-prob <= 0, so the raw sum always prefers short outputs. Length "
    "normalisation divides each finished hypothesis's sum by length**alpha before they are "
    "compared, and that normalised value is the score returned. Ignoring alpha gives the raw "
    "winner, often a short hypothesis that stopped early.",
    "Pick the finished hypothesis with the largest raw / length**alpha and return that value.",
    (
        "decoding.beam.length-bias",
        "decoding.beam.raw-vs-normalised",
    ),
)

BEAM_RAW_SCORE_RETURNED = Mistake(
    "beam-returns-raw-score",
    "The returned score is the raw sum, not the normalised score",
    "The winner is chosen by score / length**alpha, and that same normalised value is the "
    "score to return: it is what the hypotheses were ranked by. Returning the raw summed "
    "log-prob mixes two scales.",
    "Return raw / length**alpha of the winner (it equals the raw sum only when alpha = 0).",
    (
        "decoding.beam.raw-vs-normalised",
        "decoding.beam.gnmt-score",
    ),
)

BEAM_LENGTH_COUNTS_BOS = Mistake(
    "beam-length-counts-bos",
    "The length used for normalisation counts bos",
    "bos is given, not generated: it carries no log-prob, so it is not part of the length. "
    "length = the number of generated tokens, eos included. Counting bos divides by "
    "(length + 1)**alpha, which changes every score and can change the winner.",
    "length = len(tokens) - 1 when your tokens start with bos (or count the generated ones).",
    (
        "decoding.beam.sequence-logprob",
        "decoding.beam.gnmt-score",
    ),
)

BEAM_EXTENDS_FINISHED = Mistake(
    "beam-extends-finished",
    "Hypotheses are extended past eos",
    "A hypothesis that has just produced eos is complete: it leaves the beam with its score "
    "and is never extended. Treating eos as an ordinary token keeps finished hypotheses in the "
    "beam, adds log-probs of tokens after the end, and takes beam slots from live ones.",
    "After selecting the beam_size best extensions, move those whose last token is eos to the "
    "finished list; only the others stay alive.",
    (
        "decoding.beam.eos",
        "decoding.beam.step-order",
    ),
)

BEAM_GREEDY = Mistake(
    "beam-greedy-only",
    "beam_size is ignored: the search is greedy",
    "Greedy decoding keeps only the single best extension at each step, and a token that looks "
    "best now can lead to a worse sequence. Beam search keeps the beam_size best partial "
    "hypotheses, so a strong second token can rescue a weak first one.",
    "Keep the beam_size best of ALL N x V extensions each step, not just one.",
    (
        "decoding.greedy.suboptimal",
        "decoding.beam.width-one",
        "decoding.beam.candidates",
    ),
)

BEAM_MULTIPLIES = Mistake(
    "beam-multiplies-probabilities",
    "Probabilities multiplied instead of log-probs added",
    "The probability of a long sequence is a product of many numbers below 1: around 200 "
    "tokens of probability 1/64 give e^-830, far below the smallest float64 (about 1e-308, "
    "e^-708, or e^-745 with denormals). The products underflow to 0, every hypothesis ties and "
    "the search chooses at random. Sums of log-probs never underflow.",
    "Keep scores as summed log-probs: total = scores[:, None] + step(prefixes).",
    (
        "decoding.beam.sequence-logprob",
        "decoding.beam.candidates",
    ),
)

BEAM_TIE_ORDER = Mistake(
    "beam-tie-order",
    "Tied candidates ranked the wrong way round",
    "When two extensions have exactly the same score, the contract keeps the earlier hypothesis, "
    "then the lower token id: a stable sort of the flattened scores in decreasing order. "
    "np.argsort(flat)[::-1] reverses the ties as well, and np.argpartition orders them "
    "arbitrarily.",
    "Sort the negated scores with a stable sort: np.argsort(-flat, kind='stable')[:beam_size].",
    (
        "decoding.beam.candidates",
        "decoding.beam.step-order",
    ),
)

BEAM_REFILLS = Mistake(
    "beam-refills-after-eos",
    "The beam is refilled after hypotheses finish",
    "In this kata the beam_size best extensions are chosen once per step; those ending in eos "
    "finish and the beam simply holds fewer live hypotheses. Topping it up from the next-best "
    "candidates (as some libraries do, scoring 2 x beam_size candidates) is another algorithm "
    "and gives another answer.",
    "Select the beam_size best extensions once; split them into finished (eos) and alive.",
    (
        "decoding.beam.eos",
        "decoding.beam.step-order",
    ),
)

BEAM_OUTPUT_ENDS = Mistake(
    "beam-output-ends",
    "The returned tokens start with bos or lack the final eos",
    "The answer is the generated sequence: without bos (it was given, not generated), and "
    "with eos when the hypothesis finished by producing it (eos was scored like any token). "
    "Only a hypothesis cut off at max_len has no eos.",
    "Return hypothesis[1:] exactly as the hypothesis was finished.",
    (
        "decoding.beam.sequence-logprob",
        "decoding.beam.eos",
    ),
)


def _with_bos(inputs: Inputs, actual: Any) -> Any:
    """The right winner with bos kept at the front."""
    tokens, score = search(inputs)
    return np.concatenate([[int(inputs["bos"])], tokens]), score  # (L + 1,), float


def _without_eos(inputs: Inputs, actual: Any) -> Any:
    """The right winner with its final eos cut off (None when it has none)."""
    tokens, score = search(inputs)
    return (tokens[:-1], score) if len(tokens) and tokens[-1] == int(inputs["eos"]) else None


def _products(inputs: Inputs, actual: Any) -> Any:
    """The tokens products of probabilities pick, with the submission's own score (it has no one
    form: log(0), 0, a product); None where they pick the right tokens."""
    tokens = search(inputs, products=True)[0]
    right = search(inputs)[0]
    return None if len(tokens) == len(right) and np.array_equal(tokens, right) else (tokens, actual[1])


# fmt: off
SLIPS: list[Slip] = [
    Slip(BEAM_NO_NORMALISATION, "the winner chosen by its raw summed log-prob (alpha ignored)",
         lambda inputs, actual: search(inputs, normalise="none")),
    Slip(BEAM_RAW_SCORE_RETURNED, "the right winner, returned with its raw summed log-prob",
         lambda inputs, actual: search(inputs, normalise="select")),
    Slip(BEAM_LENGTH_COUNTS_BOS, "lengths counted with bos: score / (length + 1)**alpha",
         lambda inputs, actual: search(inputs, bos_in_length=True)),
    Slip(BEAM_EXTENDS_FINISHED, "eos treated as an ordinary token: hypotheses grow past it to max_len",
         lambda inputs, actual: search(inputs, eos_ends=False)),
    Slip(BEAM_GREEDY, "greedy decoding: one hypothesis, whatever beam_size is",
         lambda inputs, actual: search(inputs, greedy=True)),
    Slip(BEAM_MULTIPLIES, "running products of probabilities, which underflow to 0 on long sequences",
         _products),
    Slip(BEAM_TIE_ORDER, "tied candidates taken in reverse order (argsort ascending, then reversed)",
         lambda inputs, actual: search(inputs, ties="last")),
    Slip(BEAM_REFILLS, "the beam topped up to beam_size live hypotheses after some finish",
         lambda inputs, actual: search(inputs, refill=True)),
    Slip(BEAM_OUTPUT_ENDS, "the right winner with bos still at the front", _with_bos),
    Slip(BEAM_OUTPUT_ENDS, "the right winner without its final eos", _without_eos),
]
# fmt: on

MISTAKES: tuple[Mistake, ...] = (
    BEAM_NO_NORMALISATION,
    BEAM_RAW_SCORE_RETURNED,
    BEAM_LENGTH_COUNTS_BOS,
    BEAM_EXTENDS_FINISHED,
    BEAM_GREEDY,
    BEAM_MULTIPLIES,
    BEAM_TIE_ORDER,
    BEAM_REFILLS,
    BEAM_OUTPUT_ENDS,
)
