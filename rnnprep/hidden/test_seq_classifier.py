"""Hidden suite of seq_classifier: seq_classifier(x, labels, W_ih, W_hh, b_ih, b_hh, W_out, b_out)
-> (loss, {"logits", "W_out", "b_out"} gradients): an LSTM from zeros, its last h through a
linear layer, F.cross_entropy (mean over the batch). The loss and each gradient are judged by
their relative error against torch autograd (tolerance 1e-6, see grading/gradients.py).

The plan:

    short_sequence   a short sequence, mean cross-entropy over the batch
    single_step      a sequence of length T=1
    long_sequence    a long sequence (T from 15 to 20)
    large_batch      7 to 9 sequences: the 1/B of the mean shows
    large_logits     logits around ±800: exp() overflows unless the row max is subtracted
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnnprep import diagnosis
from rnnprep.diagnosis import advanced
from rnnprep.diagnosis.slips import matching
from rnnprep.grading import gradients, suite
from rnnprep.grading.torch_reference import load, tensor

KATA = suite.kata("seq_classifier")
Submission = Callable[[suite.Case], Any]

# fmt: off
PLAN = (
    suite.Planned("short_sequence", "a short sequence, mean cross-entropy over the batch"),
    suite.Planned("single_step", "a sequence of length T=1", {"T": (1, 1)}),
    suite.Planned("long_sequence", "a long sequence (T from 15 to 20)", {"T": (15, 20)}),
    suite.Planned("large_batch", "a batch of 7 to 9 sequences: the 1/B of the mean shows", {"B": (7, 9)}),
    suite.Planned("large_logits", "logits around ±800: exp() overflows unless the row max is subtracted",
                  {"shift": 800.0}),
)
# fmt: on
HINTS = {
    "loss": "the loss is the MEAN over the batch of -log softmax(logits)[label], with a stable "
    "log-softmax (subtract each row's max before exp).",
    "d logits": "d logits = (softmax(logits) - one_hot(labels)) / B: softmax minus the one-hot, "
    "divided by the batch size because the loss is a mean.",
    "d W_out": "d W_out = d_logits^T @ h_T, shape (C, H), with h_T the LAST hidden state.",
    "d b_out": "d b_out = d_logits summed over the batch.",
}
UPSTREAM = (
    "the error sits before the loss: run the LSTM from zeros (gates i, f, g, o), classify only "
    "the last hidden state h_T with logits = h_T @ W_out.T + b_out, and take the mean "
    "cross-entropy with a stable log-softmax."
)


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Sizes (C apart from every other size, 4H included), data, weights and labels."""
    options = planned.options
    T, B = options.get("T", (3, 8)), options.get("B", (2, 5))
    while True:
        dims, args = gradients.recurrent_inputs(rng, 4, T, (False, False), ("h0", "c0"), B=B)
        classes = int(rng.integers(2, 7))
        if classes not in dims.values() and classes != 4 * dims["H"]:
            break
    del args["h0"], args["c0"]  # the classifier always starts from zeros
    dims["C"] = C = classes
    args = {"x": args.pop("x"), "labels": rng.integers(0, C, size=dims["B"]), **args}  # (B,) int64
    args["W_out"] = suite.uniform(rng, (C, dims["H"]), dims["H"] ** -0.5)  # (C, H)
    shift = options.get("shift", 0.0) * rng.choice([-1.0, 1.0], size=C)  # (C,): pushes logits to ±shift
    args["b_out"] = suite.uniform(rng, (C,), 0.5) + shift  # (C,)
    call = suite.Call(KATA.entry[0], args)
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, "float64", gradients.GRADIENT)


def reference(case: suite.Case) -> Any:
    """nn.LSTM + nn.Linear + F.cross_entropy; torch autograd for the logits and the linear layer."""
    a = case.call.args
    I, H, C = a["x"].shape[2], a["W_hh"].shape[1], a["W_out"].shape[0]  # x (B, T, I), W_hh (4H, H), W_out (C, H)
    lstm = load(torch.nn.LSTM(I, H, batch_first=True),
                weight_ih_l0=a["W_ih"], weight_hh_l0=a["W_hh"], bias_ih_l0=a["b_ih"], bias_hh_l0=a["b_hh"])  # fmt: skip
    linear = load(torch.nn.Linear(H, C), weight=a["W_out"], bias=a["b_out"])
    _, (h_n, _) = lstm(tensor(a["x"]))  # (1, B, H): starts from zeros
    logits = linear(h_n[0])  # (B, C)
    logits.retain_grad()
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(a["labels"]))  # (): the mean
    loss.backward()
    assert logits.grad is not None and linear.weight.grad is not None and linear.bias.grad is not None
    return loss.item(), {
        "logits": logits.grad.numpy().copy(),  # (B, C)
        "W_out": linear.weight.grad.numpy().copy(),  # (C, H)
        "b_out": linear.bias.grad.numpy().copy(),  # (C,)
    }


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """What d logits alone shows (B times torch's, or the opposite sign), then the matching slips."""
    found = matching(advanced.CLASSIFIER_SLIPS, case.call.inputs(), actual, expected, gradients.same_gradients)
    ids = [slip.mistake.id for slip in found]
    lines = [f"Your answer is exactly what this slip gives: {slip.note}." for slip in found[:2]]
    B = case.dims["B"]
    got, want = np.asarray(actual[1]["logits"], dtype=np.float64), expected[1]["logits"]  # (B, C) each
    if got.shape == want.shape and gradients.same_gradients(got, B * want):
        ids.insert(0, advanced.CLASSIFIER_SUM.id)
        lines.insert(0, f"Your d logits is exactly B={B} times torch's: the loss is a mean over the batch, not a sum.")
    elif got.shape == want.shape and gradients.same_gradients(got, -want):
        ids.insert(0, advanced.SOFTMAX_GRADIENT_SIGN.id)
        lines.insert(0, "Your d logits has the opposite sign of torch's: it is softmax - one_hot, "
                        "not one_hot - softmax.")  # fmt: skip
    ids = list(dict.fromkeys(ids))
    return ids, lines + diagnosis.lines_for(ids)


def test_seq_classifier(case: suite.Case, submission: Submission) -> None:
    gradients.expect_gradients(case, submission(case), reference(case), hints=HINTS, upstream=UPSTREAM,
                               source="torch (F.cross_entropy)", diagnose=diagnose)  # fmt: skip
