"""The mistakes of the seq2seq_attention kata (a GRU encoder-decoder with Luong dot attention
and teacher forcing), the slips that reproduce them, and where a wrong answer goes wrong first.

``seq2seq(inputs, ...)`` is the network in float64 NumPy with one switch per mistake; its GRU
steps come from network.make_step, so the GRU mistakes (the paper's reset placement, the
flipped interpolation) are the very variants forward.py names for the gru katas, and their
Mistakes are reused from there. A slip reproduces ``(loss, attn (B, T, S))`` from the call's
inputs (``src``, ``src_lengths``, ``tgt``, ``params``, ``bos``).

``first_wrong_part`` reads the attention weights step by step: a network that is wrong before
the first attention (the encoder, the decoder's initial state, its first input, the mask)
shows it in attn[:, 0]; one whose attention is right at every step but whose loss is wrong
is wrong after the attention (the [c; h] layer, the output layer, the loss).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from rnnprep.diagnosis import forward, network
from rnnprep.diagnosis.mistake import Mistake
from rnnprep.diagnosis.slips import Slip, f64

Array = np.ndarray
Inputs = Mapping[str, Any]

# --- the mistakes -------------------------------------------------------------------------------

SEQ2SEQ_INIT_PADDED = Mistake(
    "seq2seq-init-padded-end",
    "The decoder starts from the encoder state after the padding",
    "The decoder's initial state summarises the source: it is the encoder output at each "
    "sequence's LAST REAL token, enc_out[b, src_lengths[b] - 1], which is exactly the h_n a "
    "packed GRU returns. enc_out[:, -1] (or the final h of a GRU run over the padded batch) "
    "has read the padding of every shorter sentence; zeros throw the summary away.",
    "h0 = enc_out[np.arange(B), src_lengths - 1].",
    (
        "pytorch-api.packing.hn-last-valid-step",
        "rnn.padding.last-step-bug",
        "rnn.architectures.encoder-decoder",
    ),
)

SEQ2SEQ_ATTENTION_UNMASKED = Mistake(
    "seq2seq-attention-unmasked",
    "The decoder attends to the source padding",
    "The encoder ran over the padding too, so enc_out holds states at padded positions; only "
    "the mask keeps attention off them. Without it every decoder step puts weight on "
    "positions src_lengths[b]..S-1, and the loss depends on how much each sentence was padded.",
    "mask = np.arange(S) < src_lengths[:, None]; scores = np.where(mask, scores, -np.inf) "
    "before the softmax.",
    (
        "attention.mask.softmax",
        "attention.open.masks",
    ),
)

SEQ2SEQ_TEACHER_FORCING_UNSHIFTED = Mistake(
    "seq2seq-teacher-forcing-unshifted",
    "Teacher forcing feeds the token the step must predict",
    "With teacher forcing the decoder input at step t is the PREVIOUS target token y_(t-1), "
    "with bos at t = 0, and step t predicts y_t. Feeding tgt[:, t] at step t hands the "
    "decoder the answer: training loss collapses while generation fails.",
    "y_in = np.concatenate([np.full((B, 1), bos), tgt[:, :-1]], axis=1); step t reads y_in[:, t] "
    "and is scored against tgt[:, t].",
    (
        "rnn.teacher-forcing.shift-bug",
        "rnn.teacher-forcing.term",
    ),
)

SEQ2SEQ_CONCAT_ORDER = Mistake(
    "seq2seq-concat-order",
    "The attentional layer reads [h; c] instead of [c; h]",
    "Luong's attentional state is h~_t = tanh(W_c [c_t; h_t] + b_c): the context first, then "
    "the decoder state. W_c is (H, 2H), so [h; c] has the same shape and runs, but the first H "
    "columns of W_c then multiply h instead of c: a different network.",
    "np.concatenate([c, h], axis=1) @ W_c.T + b_c.",
    (
        "attention.luong.attentional-state",
        "attention.luong.step-order",
    ),
)

SEQ2SEQ_LOSS_SUM = Mistake(
    "seq2seq-loss-sum",
    "The loss is a sum, not the mean over the target tokens",
    "F.cross_entropy averages the per-token losses: the loss is the mean over all B*T target "
    "tokens. Summing them (or summing over time and averaging over the batch) scales the "
    "loss and every gradient with the batch size and the target length.",
    "loss = -log_probs[b, t, tgt[b, t]] averaged over every b and t: nll.mean().",
    (
        "bptt.loss.sum-vs-mean",
        "training.open.masked-loss",
    ),
)


# --- the network, with switches ------------------------------------------------------------------


def gru_stepper(p: dict[str, Array], prefix: str, flags: network.Flags) -> network.Step:
    """The GRU step (xw_t, h, c) -> (h, c) of forward.py's network for enc. or dec. weights."""
    case = network.Case(
        "gru", np.zeros((1, 1, 1)), None, None,
        p[f"{prefix}.weight_ih"], p[f"{prefix}.weight_hh"], p[f"{prefix}.bias_ih"], p[f"{prefix}.bias_hh"],
    )  # fmt: skip
    return network.make_step(case, flags)


def log_softmax(logits: Array) -> Array:
    """A stable log-softmax over the last axis."""
    shifted = logits - logits.max(axis=-1, keepdims=True)  # same shape as logits
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # same shape as logits


def seq2seq(inputs: Inputs, *, init: str = "last_real", masked: bool = True, shifted: bool = True,
            concat: str = "ch", gru: network.Flags = network.CORRECT, reduction: str = "mean") -> tuple[float, Array]:  # fmt: skip
    """(loss, attn (B, T, S)) in float64, or one of the slips.

    ``init``: "last_real" (enc_out at src_lengths - 1), "padded_end" (enc_out[:, -1]) or
    "zeros"; ``masked``: attention masked by src_lengths; ``shifted``: the decoder reads
    [bos, tgt[:, :-1]] (else tgt itself); ``concat``: "ch" or "hc"; ``gru``: the GRU formula
    of both the encoder and the decoder; ``reduction``: "mean", "sum" or "time_sum" (summed
    over t, averaged over the batch).
    """
    p: dict[str, Array] = f64(dict(inputs["params"]))
    src, tgt = np.asarray(inputs["src"]), np.asarray(inputs["tgt"])  # (B, S), (B, T)
    lengths, bos = np.asarray(inputs["src_lengths"]), int(inputs["bos"])  # (B,)
    (B, S), T, H = src.shape, tgt.shape[1], p["enc.weight_hh"].shape[1]
    encoder, decoder = gru_stepper(p, "enc", gru), gru_stepper(p, "dec", gru)
    xw = p["src_embed"][src] @ p["enc.weight_ih"].T + p["enc.bias_ih"]  # (B, S, 3H)
    h = np.zeros((B, H))  # (B, H)
    enc_out = np.zeros((B, S, H))  # (B, S, H)
    for s in range(S):
        h, _ = encoder(xw[:, s], h, h)  # (B, H)
        enc_out[:, s] = h
    h = {"last_real": enc_out[np.arange(B), lengths - 1], "padded_end": enc_out[:, -1], "zeros": np.zeros((B, H))}[init]
    mask = np.arange(S)[None, :] < lengths[:, None] if masked else np.ones((B, S), dtype=bool)  # (B, S)
    y_in = np.concatenate([np.full((B, 1), bos), tgt[:, :-1]], axis=1) if shifted else tgt  # (B, T)
    yw = p["tgt_embed"][y_in] @ p["dec.weight_ih"].T + p["dec.bias_ih"]  # (B, T, 3H)
    attn = np.zeros((B, T, S))  # (B, T, S)
    logits = np.zeros((B, T, p["W_out"].shape[0]))  # (B, T, Vt)
    for t in range(T):
        h, _ = decoder(yw[:, t], h, h)  # (B, H)
        scores = np.where(mask, np.einsum("bsh,bh->bs", enc_out, h), -np.inf)  # (B, S)
        e = np.exp(scores - scores.max(axis=1, keepdims=True))  # (B, S)
        attn[:, t] = e / e.sum(axis=1, keepdims=True)
        c = np.einsum("bs,bsh->bh", attn[:, t], enc_out)  # (B, H)
        both = np.concatenate([c, h] if concat == "ch" else [h, c], axis=1)  # (B, 2H)
        logits[:, t] = np.tanh(both @ p["W_c"].T + p["b_c"]) @ p["W_out"].T + p["b_out"]
    nll = -np.take_along_axis(log_softmax(logits), tgt[..., None], axis=-1)[..., 0]  # (B, T)
    loss = {"mean": nll.mean(), "sum": nll.sum(), "time_sum": nll.sum(axis=1).mean()}[reduction]
    return float(loss), attn


def _slip(**switches: Any) -> Callable[[Inputs, Any], Any]:
    """A slip with these switches."""
    return lambda inputs, actual: seq2seq(inputs, **switches)


BEFORE_MATMUL = network.Flags(gru_reset="before_matmul")
PADDING_EVERYWHERE = {"init": "padded_end", "masked": False}  # the padded batch run as if unpadded

# fmt: off
SLIPS: list[Slip] = [
    Slip(SEQ2SEQ_INIT_PADDED, "the decoder starts from enc_out[:, -1], the encoder state after the padding",
         _slip(init="padded_end")),
    Slip(SEQ2SEQ_INIT_PADDED, "the decoder starts from zeros instead of the encoder's state",
         _slip(init="zeros")),
    Slip(SEQ2SEQ_ATTENTION_UNMASKED, "the attention is not masked: padded source positions get weight",
         _slip(masked=False)),
    # Ignoring the padding everywhere makes both mistakes at once: one slip for each.
    Slip(SEQ2SEQ_INIT_PADDED, "the padding is ignored everywhere: h0 = enc_out[:, -1]",
         _slip(**PADDING_EVERYWHERE)),
    Slip(SEQ2SEQ_ATTENTION_UNMASKED, "the padding is ignored everywhere: the attention is not masked",
         _slip(**PADDING_EVERYWHERE)),
    Slip(SEQ2SEQ_TEACHER_FORCING_UNSHIFTED, "step t reads tgt[:, t], the token it must predict, not tgt[:, t-1]",
         _slip(shifted=False)),
    Slip(SEQ2SEQ_CONCAT_ORDER, "h~ = tanh(W_c [h; c] + b_c): the decoder state first",
         _slip(concat="hc")),
    Slip(forward.GRU_RESET_PLACEMENT, "both GRUs reset h before the matmul (the paper's W_hn (r * h) + b_hn)",
         _slip(gru=BEFORE_MATMUL)),
    Slip(forward.GRU_RESET_PLACEMENT, "both GRUs put b_hn outside the reset: r * (W_hn h) + b_hn",
         _slip(gru=network.Flags(gru_reset="bias_outside"))),
    Slip(forward.GRU_INTERPOLATION_FLIPPED, "both GRUs interpolate h = z * n + (1 - z) * h_prev",
         _slip(gru=network.Flags(gru_flip=True))),
    Slip(SEQ2SEQ_LOSS_SUM, "the loss is the sum over all B*T tokens, not their mean",
         _slip(reduction="sum")),
    Slip(SEQ2SEQ_LOSS_SUM, "the loss is summed over time and averaged over the batch",
         _slip(reduction="time_sum")),
]
# fmt: on

MISTAKES: tuple[Mistake, ...] = (
    SEQ2SEQ_INIT_PADDED,
    SEQ2SEQ_ATTENTION_UNMASKED,
    SEQ2SEQ_TEACHER_FORCING_UNSHIFTED,
    SEQ2SEQ_CONCAT_ORDER,
    SEQ2SEQ_LOSS_SUM,
)


# --- where it goes wrong first -----------------------------------------------------------------


def first_wrong_part(inputs: Inputs, actual: Any, expected: Any, close: Callable[[Array, Array], bool]) -> list[str]:
    """Which part of the network the answer first disagrees in, read from attn step by step."""
    try:
        got = np.asarray(actual[1], dtype=np.float64)  # (B, T, S)
        loss = float(actual[0])
    except (TypeError, ValueError, IndexError):
        return []
    want = expected[1]  # (B, T, S)
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return []
    lengths = np.asarray(inputs["src_lengths"])  # (B,)
    S = got.shape[2]
    padded = np.arange(S)[None, None, :] >= lengths[:, None, None]  # (B, 1, S)
    lines = []
    leak = np.where(padded, np.abs(got), 0.0).max(axis=(0, 2))  # (T,): the largest weight on padding per step
    if np.any(leak > 1e-12):
        steps = [int(t) for t in np.nonzero(leak > 1e-12)[0]]
        lines.append(f"attn puts weight on padded source positions (s >= src_lengths[b]) at steps {steps[:6]}: "
                     f"the attention must be masked.")  # fmt: skip
    wrong = [t for t in range(got.shape[1]) if not close(got[:, t], want[:, t])]
    rows = [b for b in range(got.shape[0]) if not close(got[b], want[b])]
    short = [b for b in range(got.shape[0]) if lengths[b] < S]
    if rows and set(rows) <= set(short) and len(short) < got.shape[0]:
        lines.append(
            f"attn is wrong only in rows {rows}, whose sources are padded (src_lengths {[int(lengths[b]) for b in rows]} "
            f"< S={S}); the full-length rows are right: look at how the padding is handled (the decoder's h0 at "
            f"src_lengths - 1, the attention mask)."
        )
    if wrong and wrong[0] == 0:
        lines.append(
            "Where: attn is already wrong at the first decoder step t=0, so the error sits BEFORE the first "
            "attention: the encoder GRU (torch's gate order r, z, n and n = tanh(W_in x + b_in + r * (W_hn h + "
            "b_hn))), the decoder's initial state (enc_out at src_lengths - 1), its first input (the embedding "
            "of bos), the decoder's GRU step, or the attention's mask and softmax."
        )
    elif wrong:
        lines.append(
            f"Where: attn is right at step 0 but wrong from step t={wrong[0]}: what changes between steps is "
            f"wrong: the decoder input at step t is tgt[:, t-1] (teacher forcing), and the state h carries over "
            f"from one step to the next."
        )
    elif not close(np.asarray(loss), np.asarray(expected[0])):
        lines.append(
            "Where: attn is right at every step, so the encoder, the decoder and the attention are right; the "
            "error sits AFTER the attention: h~ = tanh(W_c [c; h] + b_c) (context first), logits = W_out h~ + "
            "b_out, and the loss is the mean cross-entropy over all B*T target tokens."
        )
    return lines
