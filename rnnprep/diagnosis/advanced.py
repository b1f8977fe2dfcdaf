"""The mistakes of the advanced katas, each next to the slips that reproduce it.

dropout, clip_grad_norm, stacked_lstm, packed_rnn, seq_classifier, rnn_backward, truncated_bptt
and lstm_backward: a `Mistake` is what a learner reads (title, the idea, the fix, the quiz
questions that teach it); a `Slip` is one concrete wrong implementation whose
``reproduce(inputs, actual)`` returns what it would have returned for the call, in float64.
Dropout's slips reuse the submission's own mask, which no reference can predict.

A few mistakes no single answer can show (a keep rate near p, a mask that ignores the
Generator, a division by zero that raises at p = 1) have no slip: their hidden suites
recognise them (see the comment at each) and name them with these ids.

The per-kata lists (``DROPOUT_SLIPS``, ``CLIP_SLIPS``, ...) are what the hidden suites hand to
``suite.slip_diagnosis``; ``MISTAKES`` is what catalogue.py gathers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from rnnprep.diagnosis import network
from rnnprep.diagnosis.mistake import Mistake
from rnnprep.diagnosis.slips import Reproduce, Slip, f64

Array = np.ndarray
Inputs = Mapping[str, Any]


# --- dropout -----------------------------------------------------------------------------------

DROPOUT_UNSCALED = Mistake(
    "dropout-unscaled",
    "Kept units not scaled by 1/(1 - p)",
    "Inverted dropout multiplies the kept units by 1/(1 - p) during training, so that "
    "E[y] = x and evaluation needs no change. Without the scale the training activations are "
    "(1 - p) times smaller on average than at evaluation: that is the original, non-inverted "
    "dropout, which must rescale at test time instead.",
    "Return y = x * mask / (1 - p) in training (a Python float scale keeps float32 float32).",
    (
        "regularization.dropout.inverted-scale",
        "regularization.dropout.why-scale",
    ),
)

DROPOUT_TIMES_KEEP = Mistake(
    "dropout-times-keep",
    "Kept units multiplied by (1 - p) instead of divided by it",
    "The test-time rule of the original dropout (multiply by the keep probability 1 - p) "
    "applied in training: the kept units shrink instead of growing, so E[y] = (1 - p)^2 x. "
    "Inverted dropout DIVIDES the kept units by 1 - p.",
    "Divide by (1 - p): y = x * mask / (1 - p).",
    (
        "regularization.dropout.inverted-scale",
        "regularization.dropout.double-scaling",
    ),
)

DROPOUT_MASK_INVERTED = Mistake(
    "dropout-mask-inverted",
    "The returned mask marks the dropped units",
    "mask must be True where a unit is KEPT: y is nonzero exactly where mask is True. Keeping "
    "the units the mask marks as dropped (x * ~mask, or returning the drop mask) inverts the "
    "meaning every caller relies on, e.g. to apply the same mask to a gradient.",
    "Build mask = rng.random(x.shape) >= p (True = kept) and use that same mask in y.",
    (
        "regularization.dropout.p-is-drop-probability",
        "regularization.dropout.inverted-scale",
    ),
)


def _dropout_y(scale: Callable[[float], float], inverted: bool = False) -> Reproduce:
    """y from the submission's own mask, scaled by scale(p), in training with 0 < p < 1."""

    def reproduce(inputs: Inputs, actual: Any) -> Any:
        p = float(inputs["p"])
        if not inputs["training"] or not 0.0 < p < 1.0:
            return None
        kept = np.asarray(actual[1]) != 0  # (...) the submission's mask, True = kept
        shown = ~kept if inverted else kept  # (...)
        return f64(inputs["x"]) * shown * scale(p), actual[1]  # (...), (...)

    return reproduce


DROPOUT_SCALES_AT_EVAL = Mistake(
    "dropout-scales-at-eval",
    "Evaluation is not the identity",
    "With inverted dropout all the scaling happens in training, so in evaluation "
    "(training=False) y is x itself and every unit is kept. Scaling by 1/(1 - p), by (1 - p), "
    "or dropping units at evaluation changes every prediction of a trained model.",
    "In evaluation return x.copy() and an all-True mask, whatever p is.",
    (
        "regularization.dropout.eval-no-rescale",
        "regularization.dropout.double-scaling",
        "regularization.dropout.forgot-eval",
    ),
)


def _dropout_eval(scale: Callable[[float], float], drops: bool = False) -> Reproduce:
    """y in evaluation scaled by scale(p) (and dropped by the submission's mask when drops)."""

    def reproduce(inputs: Inputs, actual: Any) -> Any:
        if inputs["training"]:
            return None
        x = f64(inputs["x"])  # (...)
        kept = np.asarray(actual[1]) != 0 if drops else np.ones(x.shape, dtype=bool)  # (...)
        if drops and kept.all():
            return None  # nothing dropped: the same answer as scaling alone
        return x * kept * scale(float(inputs["p"])), actual[1]  # (...), (...)

    return reproduce


# Recognised by the keep-rate and mean tests: the share of kept units is close to p, not 1 - p.
DROPOUT_KEEPS_WITH_P = Mistake(
    "dropout-keeps-with-p",
    "Units kept with probability p instead of 1 - p",
    "p is the probability of DROPPING a unit (torch's convention): each unit is kept with "
    "probability 1 - p. rng.random(shape) < p keeps with probability p, backwards, and then "
    "E[y] = p/(1 - p) x instead of x.",
    "Keep where rng.random(x.shape) >= p.",
    (
        "regularization.dropout.p-is-drop-probability",
        "regularization.dropout.inverted-scale",
    ),
)

# Recognised by the twin tests: the same Generator seed gives another mask (np.random.*), or
# another seed gives the same mask (a Generator of the function's own with a fixed seed).
DROPOUT_RNG_IGNORED = Mistake(
    "dropout-rng-ignored",
    "The mask is not drawn from the rng argument",
    "Randomness must come from the Generator the caller passes, so that a seed reproduces a "
    "run (the same seed, the same mask) and different seeds give independent masks. np.random.* "
    "draws from hidden global state; a Generator created inside the function with a fixed "
    "seed gives the same mask on every call.",
    "Draw every random number from the argument: mask = rng.random(x.shape) >= p.",
    (
        "regularization.dropout.mc-dropout",
        "regularization.dropout.p-is-drop-probability",
    ),
)

# Recognised by the p = 1 test: the call raises ZeroDivisionError or FloatingPointError (the
# grader turns floating-point warnings into errors there), or y holds NaN or inf values.
DROPOUT_DIVIDES_BY_ZERO = Mistake(
    "dropout-divides-by-zero",
    "p = 1 divides by zero",
    "At p = 1 every unit is dropped, and 1/(1 - p) is a division by zero: NaN or inf "
    "(0 * inf = NaN) instead of zeros. p = 1 is legal and must return y = 0 and an all-False "
    "mask.",
    "Before computing 1/(1 - p), return np.zeros_like(x) and np.zeros(x.shape, bool) when p == 1.",
    (
        "regularization.dropout.inverted-scale",
        "regularization.dropout.p-is-drop-probability",
    ),
)

# fmt: off
DROPOUT_SLIPS: list[Slip] = [
    Slip(DROPOUT_UNSCALED, "y = x * mask, without the 1/(1 - p) scale", _dropout_y(lambda p: 1.0)),
    Slip(DROPOUT_TIMES_KEEP, "y = x * mask * (1 - p): multiplied by (1 - p) instead of divided",
         _dropout_y(lambda p: 1.0 - p)),
    Slip(DROPOUT_MASK_INVERTED, "y keeps exactly the units your mask marks as dropped",
         _dropout_y(lambda p: 1.0 / (1.0 - p), inverted=True)),
    Slip(DROPOUT_MASK_INVERTED, "y = x * ~mask, unscaled: the kept units are the ones marked dropped",
         _dropout_y(lambda p: 1.0, inverted=True)),
    Slip(DROPOUT_SCALES_AT_EVAL, "y = x / (1 - p) in evaluation: you scaled by 1/(1 - p) in evaluation",
         _dropout_eval(lambda p: 1.0 / (1.0 - p))),
    Slip(DROPOUT_SCALES_AT_EVAL, "y = x * (1 - p) in evaluation, the original dropout's test-time rule",
         _dropout_eval(lambda p: 1.0 - p)),
    Slip(DROPOUT_SCALES_AT_EVAL, "units dropped and scaled in evaluation, as in training",
         _dropout_eval(lambda p: 1.0 / (1.0 - p), drops=True)),
]
# fmt: on


# --- clip_grad_norm ----------------------------------------------------------------------------

CLIP_BY_VALUE = Mistake(
    "clip-by-value",
    "Gradients clipped by value instead of by norm",
    "clip_grad_norm_ rescales ALL gradients by one factor when their global norm exceeds "
    "max_norm, so the update keeps its direction. np.clip(g, -max_norm, max_norm) clamps each "
    "entry on its own (that is clip_grad_value_): it changes the direction and ignores the norm.",
    "Compute the total norm, then scale every array by coef = min(max_norm / (total + 1e-6), 1).",
    (
        "gradients.clip.value-changes-direction",
        "gradients.clip.global-scaling",
    ),
)

CLIP_PER_ARRAY = Mistake(
    "clip-per-array-norm",
    "Each array clipped by its own norm",
    "The norm is global: all gradients are treated as one long vector, its norm is compared "
    "with max_norm, and every array is scaled by the SAME coef. Clipping each array by its own "
    "norm scales them differently and changes the direction of the whole update.",
    "Use ONE total norm over all arrays ((sum of |g|^p over every array)^(1/p)) and one coef.",
    (
        "gradients.clip.global-scaling",
        "gradients.clip.inf-norm",
    ),
)

CLIP_NORM_AFTER = Mistake(
    "clip-returns-clipped-norm",
    "total_norm is the norm after clipping",
    "clip_grad_norm_ returns the total norm measured BEFORE scaling: that is what you log to "
    "see how large the gradients really were. After clipping the norm is just "
    "min(total, max_norm), which says nothing about a spike.",
    "Return the norm you measured before scaling: return clipped, total (not total * coef).",
    (
        "gradients.clip.norm-after",
        "gradients.detect.measure-norm",
    ),
)

CLIP_COEF_WRONG = Mistake(
    "clip-coef-wrong",
    "The clipping factor is not torch's",
    "torch scales by coef = min(max_norm / (total_norm + 1e-6), 1.0): the 1e-6 keeps a zero "
    "norm from dividing by zero, and the cap at 1 means gradients below max_norm are left "
    "alone, never scaled up.",
    "Use coef = min(max_norm / (total + 1e-6), 1.0) and multiply every array by it.",
    (
        "gradients.clip.norm-after",
        "gradients.clip.global-scaling",
    ),
)


def total_norm(arrays: list[Array], norm_type: float) -> float:
    """The norm_type-norm of every array taken together as one vector (max |g| for inf)."""
    flat = np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)  # (N,)
    return float(np.linalg.norm(flat, ord=norm_type)) if flat.size else 0.0


def clip(inputs: Inputs, *, eps: float = 1e-6, cap: bool = True, per_array: bool = False,
         by_value: bool = False, norm_after: bool = False) -> tuple[dict[str, Array], float]:  # fmt: skip
    """torch's clip_grad_norm_ in float64, or one of its slips."""
    grads: dict[str, Array] = f64(dict(inputs["grads"]))
    max_norm, norm_type = float(inputs["max_norm"]), float(inputs.get("norm_type", 2.0))
    total = total_norm(list(grads.values()), norm_type)

    def coef(norm: float) -> float:
        factor = max_norm / (norm + eps)
        return min(factor, 1.0) if cap else factor

    if by_value:
        clipped = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}  # g's shapes
    elif per_array:
        clipped = {k: g * coef(total_norm([g], norm_type)) for k, g in grads.items()}  # g's shapes
    else:
        clipped = {k: g * coef(total) for k, g in grads.items()}  # g's shapes
    return clipped, total * coef(total) if norm_after else total


# fmt: off
CLIP_SLIPS: list[Slip] = [
    Slip(CLIP_BY_VALUE, "the arrays are clipped by value (np.clip to ±max_norm)",
         lambda inputs, actual: clip(inputs, by_value=True)),
    Slip(CLIP_PER_ARRAY, "each array is clipped by its own norm",
         lambda inputs, actual: clip(inputs, per_array=True)),
    Slip(CLIP_NORM_AFTER, "total_norm is the norm AFTER clipping (total * coef)",
         lambda inputs, actual: clip(inputs, norm_after=True)),
    Slip(CLIP_COEF_WRONG, "coef = min(max_norm / total_norm, 1), without torch's + 1e-6",
         lambda inputs, actual: clip(inputs, eps=0.0)),
    Slip(CLIP_COEF_WRONG, "coef = max_norm / (total_norm + 1e-6) not capped at 1: small gradients are scaled up",
         lambda inputs, actual: clip(inputs, cap=False)),
]
# fmt: on


# --- stacked_lstm --------------------------------------------------------------------------------

STACKED_DIRECTION_MAJOR = Mistake(
    "stacked-hn-direction-major",
    "h_n and c_n stacked direction-major",
    "torch orders the rows of h_n and c_n (num_layers * D, B, H) layer-major: index = "
    "layer * D + direction, i.e. l0 forward, l0 reverse, l1 forward, ... Stacking all forward "
    "states first and then all reverse ones gives the right shape with the rows in another "
    "order, and h_n[-1] is then no longer the top layer's reverse state.",
    "Append each (layer, direction)'s final state in the loop order layer, then direction.",
    (
        "pytorch-api.bidir.hn-layout",
        "rnn.bidirectional.backward-final-state",
    ),
)

STACKED_REVERSE_NOT_FLIPPED = Mistake(
    "stacked-reverse-not-flipped",
    "The reverse direction's outputs are not put back in time order",
    "The reverse direction reads x_{T-1} first, but its output at step t must sit at "
    "output[:, t, H:], next to the forward output for the same position. Appending the "
    "reverse states in processing order leaves them back to front (and feeds them back to "
    "front to the next layer); its final state, after t = 0, sits at output[:, 0, H:].",
    "Store the reverse state computed for step t at output[:, t] (or flip the list back).",
    (
        "rnn.bidirectional.backward-final-state",
        "pytorch-api.shapes.output-bidir-batch-first",
    ),
)

STACKED_DIRECTION_WEIGHTS = Mistake(
    "stacked-direction-weights",
    "A direction runs with the other direction's weights",
    "The two directions of a bidirectional layer are independent networks: the forward one "
    "uses weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} and the reverse one the "
    "*_l{k}_reverse parameters. Building the key once per layer (not per direction) runs both "
    "directions with the same weights.",
    "Build the suffix per direction: f'_l{layer}' + ('_reverse' if direction else '').",
    (
        "rnn.bidirectional.directions-independent",
        "pytorch-api.params.weight-ih-l1-bidir",
    ),
)


def stacked_lstm(inputs: Inputs, *, direction_major: bool = False, reverse: str = "stored",
                 weights: str = "own") -> tuple[Array, tuple[Array, Array]]:  # fmt: skip
    """nn.LSTM(num_layers, bidirectional, batch_first) in float64, or one of its slips.

    ``reverse="appended"`` keeps the reverse outputs in processing order; ``weights`` is
    "own", "reverse" (both directions read *_reverse), "forward" or "swapped".
    """
    x, params = f64(inputs["x"]), f64(dict(inputs["params"]))  # (B, T, I), {name: array}
    L, D = int(inputs["num_layers"]), 2 if inputs["bidirectional"] else 1
    (B, _, _), H = x.shape, params["weight_hh_l0"].shape[1]
    zeros = np.zeros((L * D, B, H))  # (L*D, B, H)
    h0 = zeros if inputs["h0"] is None else f64(inputs["h0"])  # (L*D, B, H)
    c0 = zeros if inputs["c0"] is None else f64(inputs["c0"])  # (L*D, B, H)
    h_n: list[Array] = []
    c_n: list[Array] = []
    layer_input = x  # (B, T, I), then (B, T, D*H)
    for layer in range(L):
        outputs = []
        for direction in range(D):
            source = {"own": direction, "reverse": D - 1, "forward": 0, "swapped": D - 1 - direction}[weights]
            suffix = f"_l{layer}" + ("_reverse" if source else "")
            case = network.Case(
                "lstm", layer_input, h0[layer * D + direction], c0[layer * D + direction],
                params["weight_ih" + suffix], params["weight_hh" + suffix],
                params["bias_ih" + suffix], params["bias_hh" + suffix],
            )  # fmt: skip
            trace = network.run(case, network.Flags(reverse=reverse if direction else ""))
            outputs.append(trace["output"])  # (B, T, H)
            h_n.append(trace["h_n"])  # (B, H)
            c_n.append(trace["c_n"])  # (B, H)
        layer_input = np.concatenate(outputs, axis=2)  # (B, T, D*H)
    if direction_major:
        order = [layer * D + d for d in range(D) for layer in range(L)]
        h_n, c_n = [h_n[i] for i in order], [c_n[i] for i in order]
    return layer_input, (np.stack(h_n), np.stack(c_n))  # (B, T, D*H), ((L*D, B, H), (L*D, B, H))


# fmt: off
STACKED_SLIPS: list[Slip] = [
    Slip(STACKED_DIRECTION_MAJOR, "h_n and c_n stacked direction-major (all forward rows, then all reverse)",
         lambda inputs, actual: stacked_lstm(inputs, direction_major=True)),
    Slip(STACKED_REVERSE_NOT_FLIPPED, "the reverse outputs stored in processing order, back to front",
         lambda inputs, actual: stacked_lstm(inputs, reverse="appended")),
    Slip(STACKED_DIRECTION_WEIGHTS, "both directions run with the *_reverse weights",
         lambda inputs, actual: stacked_lstm(inputs, weights="reverse")),
    Slip(STACKED_DIRECTION_WEIGHTS, "the reverse direction runs with the forward weights",
         lambda inputs, actual: stacked_lstm(inputs, weights="forward")),
    Slip(STACKED_DIRECTION_WEIGHTS, "the forward and reverse weights swapped",
         lambda inputs, actual: stacked_lstm(inputs, weights="swapped")),
]
# fmt: on


# --- packed_rnn ----------------------------------------------------------------------------------

PACKED_PADDING_NOT_ZEROED = Mistake(
    "packed-padding-not-zeroed",
    "Outputs past each length are not zero",
    "A packed sequence has no steps past its length, so pad_packed_sequence fills those "
    "positions with exactly 0. Repeating the last state there, or keeping what the GRU "
    "computed on the padding, leaks padding into anything that reads the whole output "
    "(attention, a mean over time).",
    "Start from output = np.zeros((B, T, H)) and write step t only where t < lengths[b].",
    (
        "pytorch-api.packing.padded-positions-zero",
        "pytorch-api.packing.pipeline-order",
    ),
)

PACKED_HN_PADDED = Mistake(
    "packed-hn-last-padded-step",
    "h_n taken after the padding",
    "With packing, h_n[b] is the state after sequence b's own last real step, lengths[b] - 1. "
    "Running the padding through the GRU and keeping the state at t = T-1 gives short "
    "sequences a state that has read several steps of padding.",
    "Update h only where t < lengths: h = np.where(active, h_new, h), then h_n is the final h.",
    (
        "pytorch-api.packing.hn-last-valid-step",
        "rnn.padding.last-step-bug",
    ),
)


def packed_gru(inputs: Inputs, *, state: str = "hold", padding: str = "zero") -> tuple[Array, Array]:
    """nn.GRU on the packed batch in float64, or one of its slips.

    ``state``: "hold" (a finished row keeps its state) or "run" (the padding runs through the
    GRU). ``padding``: "zero" (padded outputs are 0) or "state" (they hold the current state).
    """
    x, lengths = f64(inputs["x"]), np.asarray(inputs["lengths"])  # (B, T, I), (B,)
    case = network.Case("gru", x, f64(inputs["h0"]), None, *(f64(inputs[k]) for k in ("W_ih", "W_hh", "b_ih", "b_hh")))
    step = network.make_step(case)
    h = network.zeros_state(case, case.h0)  # (B, H)
    xw = x @ case.W_ih.T + case.b_ih  # (B, T, 3H)
    B, T, _ = x.shape
    output = np.zeros((B, T, case.H))  # (B, T, H)
    for t in range(T):
        h_new, _ = step(xw[:, t], h, h)  # (B, H)
        active = (t < lengths)[:, None]  # (B, 1)
        h = np.where(active, h_new, h) if state == "hold" else h_new  # (B, H)
        output[:, t] = np.where(active, h_new, 0.0 if padding == "zero" else h)  # (B, H)
    return output, h  # (B, T, H), (B, H)


# fmt: off
PACKED_SLIPS: list[Slip] = [
    Slip(PACKED_PADDING_NOT_ZEROED, "the padded steps repeat the last state instead of 0",
         lambda inputs, actual: packed_gru(inputs, padding="state")),
    Slip(PACKED_HN_PADDED, "h_n is the state after the last padded step t = T-1",
         lambda inputs, actual: packed_gru(inputs, state="run")),
    # A plain GRU over the padded batch makes both mistakes at once: one slip for each.
    Slip(PACKED_PADDING_NOT_ZEROED, "the padded batch run as a plain GRU: nothing masked",
         lambda inputs, actual: packed_gru(inputs, state="run", padding="state")),
    Slip(PACKED_HN_PADDED, "the padded batch run as a plain GRU: h_n after the padding",
         lambda inputs, actual: packed_gru(inputs, state="run", padding="state")),
]
# fmt: on


# --- seq_classifier ------------------------------------------------------------------------------

CLASSIFIER_SUM = Mistake(
    "classifier-sum-not-mean",
    "The loss summed over the batch instead of averaged",
    "F.cross_entropy (reduction='mean') averages the per-example losses over the batch, so "
    "every gradient carries a 1/B. A sum makes the loss and the gradients B times larger, and "
    "the effective learning rate then depends on the batch size.",
    "loss = -log_probs[rows, labels].mean() and d_logits = (softmax - one_hot) / B.",
    (
        "bptt.loss.sum-vs-mean",
        "fundamentals.losses.initial-loss",
    ),
)

SOFTMAX_GRADIENT_SIGN = Mistake(
    "softmax-gradient-sign",
    "The cross-entropy gradient has its sign flipped",
    "For L = -log softmax(z)[y], dL/dz = softmax(z) - one_hot(y): positive for the wrong "
    "classes, negative for the right one, so gradient DESCENT raises the right logit. "
    "one_hot - softmax is the gradient of -L: training would push the right class down.",
    "d_logits = softmax(logits) - one_hot(labels) (then / B for the mean).",
    (
        "fundamentals.losses.double-softmax",
        "fundamentals.losses.initial-loss",
    ),
)

SOFTMAX_OVERFLOW = Mistake(
    "softmax-overflow",
    "Softmax computed without subtracting the row max",
    "exp() overflows to inf beyond about 709 in float64, so a naive softmax of large logits "
    "gives inf / inf = NaN. Softmax is unchanged when the same constant is subtracted from "
    "every logit, so subtracting each row's max makes the largest exponent exp(0) = 1.",
    "shifted = logits - logits.max(axis=1, keepdims=True); log_probs = shifted - "
    "log(sum(exp(shifted))).",
    (
        "fundamentals.activations.softmax-shift",
        "fundamentals.losses.double-softmax",
    ),
)


def seq_classifier(inputs: Inputs, *, loss_sum: bool = False, grad_sum: bool = False,
                   sign: float = 1.0, stable: bool = True) -> tuple[float, dict[str, Array]]:  # fmt: skip
    """LSTM from zeros, the last h through the linear layer, F.cross_entropy and its gradients."""
    a = f64(dict(inputs))
    case = network.Case("lstm", a["x"], None, None, a["W_ih"], a["W_hh"], a["b_ih"], a["b_hh"])
    h = network.run(case)["h_n"]  # (B, H)
    logits = h @ a["W_out"].T + a["b_out"]  # (B, C)
    shifted = logits - logits.max(axis=1, keepdims=True) if stable else logits  # (B, C)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (B, C)
    rows, labels = np.arange(len(h)), np.asarray(inputs["labels"])  # (B,), (B,)
    nll = -log_probs[rows, labels]  # (B,)
    d_logits = np.exp(log_probs)  # (B, C): softmax ...
    d_logits[rows, labels] -= 1.0  # ... minus the one-hot
    d_logits = sign * d_logits / (1.0 if grad_sum else len(h))  # (B, C)
    grads = {"logits": d_logits, "W_out": d_logits.T @ h, "b_out": d_logits.sum(axis=0)}  # (B, C), (C, H), (C,)
    return float(nll.sum() if loss_sum else nll.mean()), grads


# fmt: off
CLASSIFIER_SLIPS: list[Slip] = [
    Slip(CLASSIFIER_SUM, "the loss is a sum over the batch, not a mean: the loss and every gradient are B times "
         "torch's",
         lambda inputs, actual: seq_classifier(inputs, loss_sum=True, grad_sum=True)),
    Slip(CLASSIFIER_SUM, "the gradients are those of a sum over the batch (B times torch's), the loss a mean",
         lambda inputs, actual: seq_classifier(inputs, grad_sum=True)),
    Slip(CLASSIFIER_SUM, "the loss is a sum over the batch, not a mean (the gradients are right)",
         lambda inputs, actual: seq_classifier(inputs, loss_sum=True)),
    Slip(SOFTMAX_GRADIENT_SIGN, "d logits = one_hot - softmax: the opposite sign of torch's",
         lambda inputs, actual: seq_classifier(inputs, sign=-1.0)),
    Slip(SOFTMAX_OVERFLOW, "softmax without subtracting the row max: exp() overflows to inf",
         lambda inputs, actual: seq_classifier(inputs, stable=False)),
]
# fmt: on


# --- rnn_backward and truncated_bptt -------------------------------------------------------------

BPTT_NO_ACCUMULATION = Mistake(
    "bptt-no-accumulation",
    "Weight gradients not summed over time",
    "W_ih, W_hh and the biases are shared by every time step, so their gradient is the SUM of "
    "the contributions of all steps (and of the batch). Assigning dW = ... inside the loop "
    "keeps one step's contribution only; x_t and h0 are used once, so their gradients are "
    "still right.",
    "Start dW_ih, dW_hh, db at zero and add each step's da_t^T x_t, da_t^T h_{t-1}, da_t with +=.",
    (
        "bptt.shared.sum-over-time",
        "bptt.backward.many-to-one-all-steps",
    ),
)

BPTT_CURRENT_STATE = Mistake(
    "bptt-h-t-in-dw-hh",
    "dW_hh uses h_t instead of h_(t-1)",
    "At step t, W_hh multiplies the PREVIOUS state: a_t = x_t W_ih^T + h_{t-1} W_hh^T + b. So "
    "the contribution to dW_hh is da_t^T h_{t-1}, with h_{-1} = h0 at the first step; "
    "da_t^T h_t pairs the gradient with the state the step produced.",
    "Keep the states shifted by one (hs[:, t] = h_{t-1}) and use dW_hh += da_t.T @ h_{t-1}.",
    (
        "bptt.shared.sum-over-time",
        "gradients.jacobian.step-form",
    ),
)

BPTT_TANH_DERIVATIVE = Mistake(
    "bptt-tanh-derivative-missing",
    "The tanh derivative is missing",
    "h_t = tanh(a_t), so the gradient reaching the pre-activation is da_t = dh_t * (1 - h_t**2), "
    "tanh'(a) = 1 - tanh(a)^2 written with h_t. Without that factor the gradient never "
    "shrinks through saturated units and every gradient of the step is wrong.",
    "da = dh * (1 - h_t ** 2), with h_t the state the step produced.",
    (
        "gradients.jacobian.tanh-derivative",
        "gradients.jacobian.step-form",
    ),
)


def rnn_backward(inputs: Inputs, *, keep: str = "all", dw_hh_state: str = "previous",
                 tanh_prime: bool = True, cut: Callable[[int], bool] | None = None) -> dict[str, Array]:  # fmt: skip
    """Hand-written BPTT of L = sum(output * d_output) + sum(h_n * d_h_n) for a tanh RNN.

    ``keep``: which steps the weight gradients hold ("all", or only "first" / "last", as when
    they are assigned instead of summed); ``dw_hh_state``: "previous" (h_{t-1}) or "current";
    ``cut(t)``: True where no gradient flows from step t back into h_{t-1} (truncated BPTT).
    """
    a = f64(dict(inputs))
    x, W_ih, W_hh = a["x"], a["W_ih"], a["W_hh"]  # (B, T, I), (H, I), (H, H)
    (B, T, _), H = x.shape, W_hh.shape[1]
    hs = np.zeros((B, T + 1, H))  # (B, T+1, H): hs[:, t] is h_{t-1}
    hs[:, 0] = 0.0 if a["h0"] is None else a["h0"]
    for t in range(T):
        hs[:, t + 1] = np.tanh(x[:, t] @ W_ih.T + a["b_ih"] + hs[:, t] @ W_hh.T + a["b_hh"])  # (B, H)
    d_h_n = a.get("d_h_n")
    dh = np.zeros((B, H)) if d_h_n is None else d_h_n.copy()  # (B, H)
    da = np.zeros((B, T, H))  # (B, T, H)
    for t in reversed(range(T)):
        dh = dh + a["d_output"][:, t]  # (B, H)
        da[:, t] = dh * (1 - hs[:, t + 1] ** 2) if tanh_prime else dh  # (B, H)
        dh = np.zeros((B, H)) if cut is not None and cut(t) else da[:, t] @ W_hh  # (B, H)
    used = {"all": slice(None), "first": slice(0, 1), "last": slice(T - 1, T)}[keep]
    states = hs[:, :-1] if dw_hh_state == "previous" else hs[:, 1:]  # (B, T, H)
    return {
        "x": da @ W_ih,  # (B, T, I)
        "h0": dh,  # (B, H)
        "W_ih": np.einsum("bth,bti->hi", da[:, used], x[:, used]),  # (H, I)
        "W_hh": np.einsum("bth,btk->hk", da[:, used], states[:, used]),  # (H, H)
        "b_ih": da[:, used].sum(axis=(0, 1)),  # (H,)
        "b_hh": da[:, used].sum(axis=(0, 1)),  # (H,)
    }


# fmt: off
RNN_BACKWARD_SLIPS: list[Slip] = [
    Slip(BPTT_NO_ACCUMULATION, "the weight gradients are assigned at every step, so only step t=0's is left",
         lambda inputs, actual: rnn_backward(inputs, keep="first")),
    Slip(BPTT_NO_ACCUMULATION, "the weight gradients hold the last step's contribution only",
         lambda inputs, actual: rnn_backward(inputs, keep="last")),
    Slip(BPTT_CURRENT_STATE, "dW_hh sums da_t^T h_t, not da_t^T h_{t-1}",
         lambda inputs, actual: rnn_backward(inputs, dw_hh_state="current")),
    Slip(BPTT_TANH_DERIVATIVE, "da_t = dh_t: the tanh' factor (1 - h_t**2) is missing",
         lambda inputs, actual: rnn_backward(inputs, tanh_prime=False)),
]
# fmt: on

TBPTT_NEVER_DETACHES = Mistake(
    "tbptt-never-detaches",
    "The state is never detached",
    "Truncated BPTT cuts the graph before steps k, 2k, ...: the forward values are unchanged "
    "but no gradient flows from step t = k, 2k, ... back into h_{t-1}. Without the cut this is "
    "full BPTT, whose cost and memory grow with the whole sequence.",
    "In the backward loop, pass dh = da_t @ W_hh to the previous step only when t % k != 0.",
    (
        "bptt.truncated.term",
        "bptt.detach.purpose",
    ),
)

TBPTT_EVERY_STEP = Mistake(
    "tbptt-detaches-every-step",
    "The state is detached before every step",
    "Detaching before every step is k = 1: each step's gradient stops at its own input, so "
    "dW_hh learns nothing about dependencies longer than one step. With k > 1 the gradient "
    "must flow back through up to k steps inside each chunk.",
    "Cut only where t % k == 0 (t = k, 2k, ...), not at every step.",
    (
        "bptt.truncated.reach-in-chunk",
        "bptt.detach.values-kept",
    ),
)

TBPTT_CUT_LATE = Mistake(
    "tbptt-cut-late",
    "The cuts land one step late",
    "h.detach() must come BEFORE step k is computed, so that the edge from h_{k-1} into step k "
    "is cut. Detaching after computing step k cuts the edge into step k + 1 instead: the cuts "
    "fall before steps 1, k+1, 2k+1, ...",
    "Detach before the step (if t > 0 and t % k == 0: h = h.detach(); then h = cell(x_t, h)).",
    (
        "bptt.truncated.reach-in-chunk",
        "bptt.loop.chunk-step-order",
    ),
)


def truncated_bptt(inputs: Inputs, k: int, late: int = 0) -> Array:
    """dW_hh with no gradient from step t into h_{t-1} where t > 0 and (t - late) % k == 0."""
    return rnn_backward(inputs, cut=lambda t: t > 0 and (t - late) % k == 0)["W_hh"]  # (H, H)


# fmt: off
TRUNCATED_SLIPS: list[Slip] = [
    Slip(TBPTT_NEVER_DETACHES, "never detaches (full BPTT)",
         lambda inputs, actual: truncated_bptt(inputs, inputs["x"].shape[1] + 1)),
    Slip(TBPTT_EVERY_STEP, "detaches before every step (as if k=1)",
         lambda inputs, actual: truncated_bptt(inputs, 1)),
    Slip(TBPTT_CUT_LATE, "cuts one step late (before steps 1, k+1, 2k+1, ...)",
         lambda inputs, actual: truncated_bptt(inputs, int(inputs["k"]), late=1)),
]
# fmt: on


# --- lstm_backward -----------------------------------------------------------------------------

LSTM_CELL_PATH = Mistake(
    "lstm-bptt-cell-path",
    "The c gradient does not flow through h",
    "c_t reaches the loss two ways: directly (c_{t+1} = f c_t + ..., and c_n) and through "
    "h_t = o_t * tanh(c_t). So dc_t = dc_{t+1} * f_{t+1} + dh_t * o_t * (1 - tanh(c_t)**2); "
    "dropping the second term loses every gradient that reaches c through the outputs.",
    "Add the path through h before using dc: dc = dc + dh * o * (1 - np.tanh(c_t) ** 2).",
    (
        "lstm.grad.backward-into-cell",
        "lstm.grad.why-additive",
    ),
)

LSTM_FORGET_STATE = Mistake(
    "lstm-bptt-forget-uses-c-t",
    "The forget-gate gradient uses c_t instead of c_(t-1)",
    "The forget gate multiplies the PREVIOUS cell state: c_t = f_t * c_{t-1} + i_t * g_t, so "
    "dL/df_t = dc_t * c_{t-1}. Using c_t pairs the gate with the state it produced.",
    "Keep the cell states shifted by one (cs[:, t] = c_{t-1}) and use df = dc * c_{t-1}.",
    (
        "lstm.cell.update-equation",
        "lstm.grad.cell-path-over-t",
        "lstm.gates.forget-role",
    ),
)

LSTM_G_DERIVATIVE = Mistake(
    "lstm-bptt-g-derivative",
    "The candidate g gets the sigmoid's derivative",
    "i, f and o are sigmoids, whose derivative is s(1 - s); the candidate g is a tanh, whose "
    "derivative is 1 - g**2. Giving g the sigmoid's derivative g(1 - g) is wrong in size and, "
    "for negative g, in sign.",
    "dg_pre = dc * i * (1 - g ** 2); keep s * (1 - s) for i, f and o.",
    (
        "lstm.gates.candidate-tanh",
        "gradients.jacobian.tanh-derivative",
        "fundamentals.activations.sigmoid-derivative",
    ),
)


def lstm_backward(inputs: Inputs, *, through_h: bool = True, forget_state: str = "previous",
                  g_prime: str = "tanh") -> dict[str, Array]:  # fmt: skip
    """Hand-written BPTT of L = sum(output * d_output) + sum(h_n * d_h_n) + sum(c_n * d_c_n)."""
    a = f64(dict(inputs))
    x, W_ih, W_hh = a["x"], a["W_ih"], a["W_hh"]  # (B, T, I), (4H, I), (4H, H)
    (B, T, _), H = x.shape, W_hh.shape[1]
    hs, cs = np.zeros((B, T + 1, H)), np.zeros((B, T + 1, H))  # hs[:, t] is h_{t-1}, cs likewise
    hs[:, 0] = 0.0 if a["h0"] is None else a["h0"]
    cs[:, 0] = 0.0 if a["c0"] is None else a["c0"]
    gates = np.zeros((B, T, 4 * H))  # (B, T, 4H): i, f, g, o after their activations
    for t in range(T):
        pre = x[:, t] @ W_ih.T + a["b_ih"] + hs[:, t] @ W_hh.T + a["b_hh"]  # (B, 4H)
        gates[:, t] = network.sigmoid(pre)  # (B, 4H): i, f, o right, g replaced below
        gates[:, t, 2 * H : 3 * H] = np.tanh(pre[:, 2 * H : 3 * H])  # (B, H)
        i, f, g, o = np.split(gates[:, t], 4, axis=1)  # (B, H) each
        cs[:, t + 1] = f * cs[:, t] + i * g  # (B, H)
        hs[:, t + 1] = o * np.tanh(cs[:, t + 1])  # (B, H)
    da = np.zeros((B, T, 4 * H))  # (B, T, 4H)
    dh, dc = a["d_h_n"].copy(), a["d_c_n"].copy()  # (B, H), (B, H)
    for t in reversed(range(T)):
        i, f, g, o = np.split(gates[:, t], 4, axis=1)  # (B, H) each
        tanh_c = np.tanh(cs[:, t + 1])  # (B, H)
        dh = dh + a["d_output"][:, t]  # (B, H)
        if through_h:
            dc = dc + dh * o * (1 - tanh_c**2)  # (B, H)
        c_forget = cs[:, t] if forget_state == "previous" else cs[:, t + 1]  # (B, H)
        g_slope = 1 - g**2 if g_prime == "tanh" else g * (1 - g)  # (B, H)
        da[:, t] = np.concatenate(
            [dc * g * i * (1 - i), dc * c_forget * f * (1 - f), dc * i * g_slope, dh * tanh_c * o * (1 - o)], axis=1
        )  # (B, 4H)
        dh, dc = da[:, t] @ W_hh, dc * f  # (B, H), (B, H)
    return {
        "x": da @ W_ih,  # (B, T, I)
        "h0": dh,  # (B, H)
        "c0": dc,  # (B, H)
        "W_ih": np.einsum("btg,bti->gi", da, x),  # (4H, I)
        "W_hh": np.einsum("btg,btk->gk", da, hs[:, :-1]),  # (4H, H)
        "b_ih": da.sum(axis=(0, 1)),  # (4H,)
        "b_hh": da.sum(axis=(0, 1)),  # (4H,)
    }


# fmt: off
LSTM_BACKWARD_SLIPS: list[Slip] = [
    Slip(LSTM_CELL_PATH, "dc_t misses the path through h_t = o * tanh(c_t)",
         lambda inputs, actual: lstm_backward(inputs, through_h=False)),
    Slip(LSTM_FORGET_STATE, "df_t = dc_t * c_t instead of dc_t * c_{t-1}",
         lambda inputs, actual: lstm_backward(inputs, forget_state="current")),
    Slip(LSTM_G_DERIVATIVE, "the candidate's derivative taken as g * (1 - g) instead of 1 - g**2",
         lambda inputs, actual: lstm_backward(inputs, g_prime="sigmoid")),
]
# fmt: on


MISTAKES: tuple[Mistake, ...] = (
    DROPOUT_UNSCALED,
    DROPOUT_TIMES_KEEP,
    DROPOUT_MASK_INVERTED,
    DROPOUT_SCALES_AT_EVAL,
    DROPOUT_KEEPS_WITH_P,
    DROPOUT_RNG_IGNORED,
    DROPOUT_DIVIDES_BY_ZERO,
    CLIP_BY_VALUE,
    CLIP_PER_ARRAY,
    CLIP_NORM_AFTER,
    CLIP_COEF_WRONG,
    STACKED_DIRECTION_MAJOR,
    STACKED_REVERSE_NOT_FLIPPED,
    STACKED_DIRECTION_WEIGHTS,
    PACKED_PADDING_NOT_ZEROED,
    PACKED_HN_PADDED,
    CLASSIFIER_SUM,
    SOFTMAX_GRADIENT_SIGN,
    SOFTMAX_OVERFLOW,
    BPTT_NO_ACCUMULATION,
    BPTT_CURRENT_STATE,
    BPTT_TANH_DERIVATIVE,
    TBPTT_NEVER_DETACHES,
    TBPTT_EVERY_STEP,
    TBPTT_CUT_LATE,
    LSTM_CELL_PATH,
    LSTM_FORGET_STATE,
    LSTM_G_DERIVATIVE,
)
