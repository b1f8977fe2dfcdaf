"""Hidden suite of masked_loss: masked_loss(logits, targets, lengths, average="token") -> (loss,
perplexity), the cross-entropy of a padded batch over its real tokens only.

Reference: torch.nn.functional.cross_entropy in float64 on the logits reshaped to (B*T, V), with
the targets of the padded positions (t >= lengths[b]) set to -100 and ignore_index=-100:
reduction="mean" is the token average; reduction="none", summed per sequence, divided by the
lengths and averaged over the batch is the sequence average; perplexity = exp(token average),
whatever the average.

The padding of the targets holds -100 (what a collate function with ignore_index leaves), 0,
or random valid ids: only the lengths say where a sequence ends. Lengths are drawn so that the
token and sequence averages differ (by more than 0.1 %) wherever there is padding. The plan:

    token_padding_ignore_index   average="token", padding filled with -100
    token_padding_zero           average="token", padding filled with 0 (a real id)
    token_padding_random_ids     average="token", padding filled with random valid ids
    sequence_average             average="sequence", one sequence of 1-2 tokens, one full length
    full_length_sequence         no padding, average="sequence": both averages are equal
    single_token_sequence        one sequence holds a single real token (average="token")
    huge_logits                  logits shifted by ±1000: exp() overflows unless the max is subtracted
    float32_logits               float32 logits (loss and perplexity at 1e-5)
    default_average              average left out: the token average
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from rnnprep import diagnosis
from rnnprep.diagnosis import masked_loss as mistakes
from rnnprep.diagnosis.slips import Same, Slip
from rnnprep.grading import suite
from rnnprep.grading.torch_reference import tensor

KATA = suite.kata("masked_loss")
Submission = Callable[[suite.Case], Any]

SIZES = {"B": (3, 5), "T": (5, 9), "V": (6, 12)}
SHIFT = 1000.0  # huge_logits: exp(1000) is inf in float64
APART = 1e-3  # relative gap required between the token and the sequence averages
# fmt: off
PLAN = (
    suite.Planned("token_padding_ignore_index", "average='token', padding filled with -100",
                  {"average": "token", "pad": "ignore_index", "lengths": "varied"}),
    suite.Planned("token_padding_zero", "average='token', padding filled with 0, a real token id",
                  {"average": "token", "pad": "zero", "lengths": "varied"}),
    suite.Planned("token_padding_random_ids", "average='token', padding filled with random valid ids",
                  {"average": "token", "pad": "random", "lengths": "varied"}),
    suite.Planned("sequence_average", "average='sequence', one sequence of 1 or 2 tokens and one of full length",
                  {"average": "sequence", "pad": "random", "lengths": "spread"}),
    suite.Planned("full_length_sequence", "no padding, average='sequence': both averages are equal here",
                  {"average": "sequence", "pad": "random", "lengths": "full"}),
    suite.Planned("single_token_sequence", "one sequence holds a single real token, average='token'",
                  {"average": "token", "pad": "random", "lengths": "single"}),
    suite.Planned("huge_logits", "logits shifted by ±1000: exp() overflows unless the max is subtracted",
                  {"average": "token", "pad": "ignore_index", "lengths": "varied", "shift": SHIFT}),
    suite.Planned("float32_logits", "float32 logits, average='token', padding filled with 0",
                  {"average": "token", "pad": "zero", "lengths": "varied", "dtype": "float32"}),
    suite.Planned("default_average", "average left out (the token average), padding filled with random ids",
                  {"average": None, "pad": "random", "lengths": "varied"}),
)
# fmt: on


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Distinct B, T, V; logits ~ 1.5 N(0, 1) (shifted for huge_logits); padding as planned."""
    options = planned.options
    dtype: str = options.get("dtype", "float64")
    while True:
        dims = suite.draw_dims(rng, SIZES)
        B, T, V = dims["B"], dims["T"], dims["V"]
        lengths = draw_lengths(rng, options["lengths"], B, T)  # (B,) int64
        logits = 1.5 * rng.standard_normal((B, T, V))  # (B, T, V)
        if "shift" in options:
            logits += options["shift"] * rng.choice([-1.0, 1.0], size=(B, T, 1))  # (B, T, V)
        padded = np.arange(T)[None, :] >= lengths[:, None]  # (B, T)
        fill = {
            "ignore_index": np.full((B, T), -100),
            "zero": np.zeros((B, T), dtype=np.int64),
            "random": rng.integers(0, V, size=(B, T)),
        }[options["pad"]]  # (B, T)
        targets = np.where(padded, fill, rng.integers(0, V, size=(B, T)))  # (B, T) int64
        args = {"logits": logits.astype(dtype), "targets": targets, "lengths": lengths}
        token, _ = mistakes.masked_loss(args)
        sequence, _ = mistakes.masked_loss({**args, "average": "sequence"})
        if options["lengths"] == "full" or abs(token - sequence) > APART * abs(token):
            break
    kwargs = {} if options["average"] is None else {"average": options["average"]}
    call = suite.Call(KATA.entry[0], args, kwargs)
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, dtype, suite.TOLERANCE[dtype])


def draw_lengths(rng: np.random.Generator, kind: str, B: int, T: int) -> np.ndarray:
    """(B,) lengths in [1, T]: 'varied' (not all equal), 'spread' (a 1 or 2 and a T), 'single' (a
    1, the others from 2), 'full' (all T). Unless full, some sequence has 2 padding positions or
    more, so counting all the padding and counting one position too many differ."""
    if kind == "full":
        return np.full(B, T, dtype=np.int64)  # (B,)
    while True:
        lengths = rng.integers(2 if kind == "single" else 1, T + 1, size=B)  # (B,)
        if kind == "spread":
            lengths[:2] = [int(rng.integers(1, 3)), T]
        elif kind == "single":
            lengths[0] = 1
        lengths = rng.permutation(lengths)  # (B,)
        if lengths.min() <= T - 2 and len(set(lengths.tolist())) > 1:
            return lengths.astype(np.int64)  # (B,)


def reference(case: suite.Case) -> tuple[float, float]:
    """F.cross_entropy with ignore_index=-100 on the padded positions, float64 (see the docstring)."""
    a = case.call.args
    logits = tensor(a["logits"])  # (B, T, V) float64
    B, T, V = logits.shape
    lengths = torch.from_numpy(a["lengths"])  # (B,)
    real = torch.arange(T)[None, :] < lengths[:, None]  # (B, T)
    targets = torch.from_numpy(a["targets"]).masked_fill(~real, -100).reshape(-1)  # (B*T,)
    flat = logits.reshape(-1, V)  # (B*T, V)
    token = F.cross_entropy(flat, targets, ignore_index=-100)  # (): the mean over real tokens
    per_position = F.cross_entropy(flat, targets, ignore_index=-100, reduction="none").reshape(B, T)  # (B, T)
    sequence = (per_position.sum(dim=1) / lengths).mean()  # (): 0 at ignored positions
    loss = sequence if case.call.kwargs.get("average", "token") == "sequence" else token
    return loss.item(), torch.exp(token).item()


def agree(case: suite.Case) -> Same:
    """Two (loss, perplexity) answers agree leaf by leaf: within the case's tolerance, or both
    NaN/inf (so the naive-softmax slip can name an overflowed answer)."""

    def same(a: Any, b: Any) -> bool:
        try:
            x = np.asarray(a, dtype=np.float64)  # (2,)
            y = np.asarray(b, dtype=np.float64)  # (2,)
        except (TypeError, ValueError):
            return False
        if x.shape != y.shape:
            return False
        both_bad = ~np.isfinite(x) & ~np.isfinite(y)  # (2,)
        with np.errstate(invalid="ignore"):
            close = np.isclose(x, y, rtol=case.tol.rtol, atol=case.tol.atol)  # (2,)
        return bool(np.all(both_bad | close))

    return same


def explaining(case: suite.Case, actual: Any, expected: Any) -> list[Slip]:
    """The slips that give exactly the submission's value for every number it got wrong.

    Judged number by number: a slip names the mistake behind a wrong loss even when the
    perplexity came out right, and the other way round (a sequence average computed right next
    to a perplexity taken from a wrongly divided token average).
    """
    same = agree(case)
    wrong = [i for i, (got, want) in enumerate(zip(actual, expected, strict=True)) if not same(got, want)]
    found = []
    with np.errstate(all="ignore"):
        for slip in mistakes.SLIPS:
            try:
                answer = slip.reproduce(case.call.inputs(), actual)
            except (ArithmeticError, ValueError, TypeError, KeyError, IndexError):
                continue
            if wrong and all(same(answer[i], actual[i]) for i in wrong):
                found.append(slip)
    return found


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """Which of the two numbers is right (when one is), then the slips that reproduce the answer."""
    found = explaining(case, actual, expected)
    ids = list(dict.fromkeys(slip.mistake.id for slip in found))
    lines = [f"Your answer is exactly what this slip gives: {slip.note}." for slip in found[:2]]
    loss_ok, ppl_ok = (agree(case)(got, want) for got, want in zip(actual, expected, strict=True))
    if loss_ok and not ppl_ok:
        lines.insert(0, "loss is right, perplexity is not: perplexity = exp(the TOKEN-averaged loss), with e, "
                        "whatever average the loss returns.")  # fmt: skip
    elif ppl_ok and not loss_ok and case.call.kwargs.get("average") == "sequence":
        lines.insert(0, "perplexity is right, so your per-token losses and your mask are right: only the "
                        "SEQUENCE average is off (each sequence's mean loss over its own length, then "
                        "the mean over the batch).")  # fmt: skip
    elif ppl_ok and not loss_ok:
        lines.insert(0, "perplexity is right, so your per-token losses and your mask are right: return the "
                        "TOKEN average (the sum over real tokens / their number) as the loss.")  # fmt: skip
    return ids, lines + diagnosis.lines_for(ids)


def test_masked_loss(case: suite.Case, submission: Submission) -> None:
    suite.expect_outputs(case, submission(case), reference(case), diagnose)
