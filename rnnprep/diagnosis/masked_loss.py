"""The mistakes of the masked_loss kata (cross-entropy over a padded batch, and perplexity),
each next to the slips that reproduce it.

A slip is one concrete wrong implementation: ``reproduce(inputs, actual)`` returns the
``(loss, perplexity)`` it would have returned for the call's inputs (``logits`` (B, T, V),
``targets`` (B, T), ``lengths`` (B,) and ``average`` when given), in float64.
``masked_loss(inputs, ...)`` is the right answer with switches, one per mistake; a wrong
implementation computes its perplexity from its own token average, as real code does.

The naive softmax (exp of the raw logits) gives NaN or inf on large logits: its slip agrees
with an answer when both are non-finite, which the hidden suite's comparison allows
(rnnprep/hidden/test_masked_loss.py, ``agree``). That mistake is the catalogue's
``softmax-overflow`` (advanced.SOFTMAX_OVERFLOW), shared with seq_classifier and attention.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rnnprep.diagnosis.advanced import SOFTMAX_OVERFLOW
from rnnprep.diagnosis.mistake import Mistake
from rnnprep.diagnosis.slips import Slip

Inputs = Mapping[str, Any]

# --- the mistakes -------------------------------------------------------------------------------

MASKED_LOSS_COUNTS_PADDING = Mistake(
    "masked-loss-counts-padding",
    "Padding positions counted in the loss",
    "Positions t >= lengths[b] are padding whatever the targets hold there. Ignoring only "
    "targets == -100 (the ignore_index convention of a collate function) works only when the "
    "padding was filled with -100: padding filled with 0 or a real token id is then scored as "
    "if the model had to predict it, and counted in the mean, so the loss depends on how much "
    "padding the batch happens to have.",
    "Build the mask from the lengths, never from the target values: real = np.arange(T) < "
    "lengths[:, None]; sum the per-token losses over real positions and divide by real.sum().",
    (
        "training.mask.ce-value",
        "training.mask.ignored-gradient",
        "training.open.masked-loss",
    ),
)

MASKED_LOSS_DENOMINATOR = Mistake(
    "masked-loss-wrong-denominator",
    "The masked sum divided by the wrong count",
    "Masking the sum is half the job: the mean must divide by the number of REAL tokens, "
    "sum(lengths). Dividing by B*T (every position, padding included) shrinks the loss as the "
    "padding grows, so batches with more padding look better and get smaller gradients; "
    "dividing by B gives the summed loss per sequence, which grows with the lengths.",
    "Token average: (nll * real).sum() / real.sum(). Sequence average: (nll * real).sum(axis=1) "
    "/ lengths, then the mean over the batch.",
    (
        "training.mask.wrong-denominator",
        "training.mask.ce-value",
    ),
)

MASKED_LOSS_AVERAGE_SWAPPED = Mistake(
    "masked-loss-average-swapped",
    "Token and sequence averages swapped",
    "The token average weights every real token equally: sum over all real tokens / their "
    "number, what F.cross_entropy with ignore_index computes. The sequence average first takes "
    "each sequence's mean loss and then the mean over sequences, so a short sequence counts "
    "as much as a long one. They agree only when every sequence has the same length.",
    "average='token': nll_real.sum() / lengths.sum(); average='sequence': "
    "(nll_real.sum(axis=1) / lengths).mean().",
    (
        "training.mask.token-vs-sequence",
        "training.open.masked-loss",
    ),
)

MASKED_LOSS_PERPLEXITY = Mistake(
    "masked-loss-perplexity",
    "Perplexity is not exp of the per-token loss",
    "Perplexity is exp of the mean negative log-likelihood PER TOKEN, with the natural log the "
    "loss uses: the inverse geometric mean of the probabilities of the real tokens. 2 ** loss "
    "mixes bits with nats, exp of the summed loss grows with the length of the text, and exp "
    "of the sequence average weights tokens unequally. Whatever average the loss returns, the "
    "perplexity is exp(token-averaged loss).",
    "perplexity = np.exp(token_average), with token_average = nll_real.sum() / lengths.sum().",
    (
        "decoding.ppl.definition",
        "decoding.ppl.bits-vs-nats",
        "decoding.open.perplexity",
    ),
)

MASKED_LOSS_OFF_BY_ONE = Mistake(
    "masked-loss-mask-off-by-one",
    "The mask is off by one position",
    "A sequence of length L has its real tokens at t = 0, ..., L-1, so the mask is t < L. "
    "t <= L scores one padding position per sequence (and counts it); t < L - 1 drops each "
    "sequence's last real token, and a sequence of length 1 then has no token at all.",
    "real = np.arange(T)[None, :] < lengths[:, None]  (strictly less than).",
    (
        "training.mask.ce-value",
        "rnn.padding.last-step-bug",
    ),
)


# --- the reproducer -----------------------------------------------------------------------------


def masked_loss(inputs: Inputs, *, mask: str = "lengths", divide: str = "real", swap: bool = False,
                perplexity: str = "exp", stable: bool = True) -> tuple[float, float]:  # fmt: skip
    """The right (loss, perplexity) in float64, or one slip's.

    ``mask``: "lengths" (t < lengths[b]), "ignore_index" (targets != -100), "off_by_one"
    (t <= lengths[b]) or "drops_last" (t < lengths[b] - 1). ``divide``: "real" (the tokens the
    mask keeps), "all" (every position: B*T, T per sequence) or "batch" (B; 1 per sequence).
    ``swap``: return the other average. ``perplexity``: "exp" (of the token average), "base2",
    "sum" (exp of the summed loss) or "returned" (exp of the returned loss). ``stable``:
    subtract the max before exp.
    """
    logits = np.asarray(inputs["logits"], dtype=np.float64)  # (B, T, V)
    targets = np.asarray(inputs["targets"])  # (B, T)
    lengths = np.asarray(inputs["lengths"])  # (B,)
    B, T, _ = logits.shape
    steps = np.arange(T)[None, :]  # (1, T)
    real = {
        "lengths": steps < lengths[:, None],
        "ignore_index": targets != -100,
        "off_by_one": steps <= lengths[:, None],
        "drops_last": steps < lengths[:, None] - 1,
    }[mask]  # (B, T)
    safe = np.where(real & (targets >= 0), targets, 0)  # (B, T): a valid id where not scored
    shifted = logits - logits.max(axis=-1, keepdims=True) if stable else logits  # (B, T, V)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # (B, T, V)
    nll = np.where(real, -np.take_along_axis(log_p, safe[..., None], axis=-1)[..., 0], 0.0)  # (B, T)
    count = {"real": real.sum(axis=1), "all": np.full(B, T), "batch": np.ones(B)}[divide]  # (B,)
    token = float(nll.sum() / count.sum())
    sequence = float(np.mean(nll.sum(axis=1) / count))
    wants_sequence = inputs.get("average", "token") == "sequence"
    returned = sequence if wants_sequence != swap else token
    ppl = {"exp": np.exp(token), "base2": 2.0**token, "sum": np.exp(nll.sum()), "returned": np.exp(returned)}
    return returned, float(ppl[perplexity])


# fmt: off
SLIPS: list[Slip] = [
    Slip(MASKED_LOSS_COUNTS_PADDING, "only targets == -100 were ignored, so the padding positions "
         "(t >= lengths[b]) that hold 0 or a real id were counted as tokens",
         lambda inputs, actual: masked_loss(inputs, mask="ignore_index")),
    Slip(MASKED_LOSS_DENOMINATOR, "the masked sum divided by every position, padding included (B*T, or T per "
         "sequence)", lambda inputs, actual: masked_loss(inputs, divide="all")),
    Slip(MASKED_LOSS_DENOMINATOR, "the masked sum divided by the batch size B: a summed loss per sequence",
         lambda inputs, actual: masked_loss(inputs, divide="batch")),
    Slip(MASKED_LOSS_AVERAGE_SWAPPED, "the other average: per sequence where per token was asked, or the other "
         "way round", lambda inputs, actual: masked_loss(inputs, swap=True)),
    Slip(MASKED_LOSS_PERPLEXITY, "perplexity = 2 ** loss, but the loss is in nats (natural log): e ** loss",
         lambda inputs, actual: masked_loss(inputs, perplexity="base2")),
    Slip(MASKED_LOSS_PERPLEXITY, "perplexity = exp of the SUMMED loss, not of the per-token average",
         lambda inputs, actual: masked_loss(inputs, perplexity="sum")),
    Slip(MASKED_LOSS_PERPLEXITY, "perplexity = exp of the sequence-averaged loss; perplexity is per token",
         lambda inputs, actual: masked_loss(inputs, perplexity="returned")),
    Slip(MASKED_LOSS_OFF_BY_ONE, "the mask keeps t <= lengths[b]: one padding position per sequence is scored",
         lambda inputs, actual: masked_loss(inputs, mask="off_by_one")),
    Slip(MASKED_LOSS_OFF_BY_ONE, "the mask keeps t < lengths[b] - 1: each sequence's last real token is dropped",
         lambda inputs, actual: masked_loss(inputs, mask="drops_last")),
    Slip(SOFTMAX_OVERFLOW, "exp() of the raw logits, without subtracting the max, overflows to inf",
         lambda inputs, actual: masked_loss(inputs, stable=False)),
]
# fmt: on

MISTAKES: tuple[Mistake, ...] = (
    MASKED_LOSS_COUNTS_PADDING,
    MASKED_LOSS_DENOMINATOR,
    MASKED_LOSS_AVERAGE_SWAPPED,
    MASKED_LOSS_PERPLEXITY,
    MASKED_LOSS_OFF_BY_ONE,
)
