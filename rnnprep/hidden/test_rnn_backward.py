"""Hidden suite of rnn_backward: rnn_backward(x, h0, W_ih, W_hh, b_ih, b_hh, d_output, d_h_n)
-> {x, h0, W_ih, W_hh, b_ih, b_hh} gradients of L = sum(output * d_output) + sum(h_n * d_h_n)
for a tanh RNN, against torch autograd through nn.RNN(batch_first) loaded with the case's
weights. Each gradient is judged by its relative error (tolerance 1e-6, grading/gradients.py).

The plan:

    zero_state                  h0=None (zeros); upstream gradients on output and h_n
    given_state                 a given h0; upstream gradients on output and h_n
    output_gradient_only        d_h_n is zero: only d_output flows back
    final_state_gradient_only   d_output is zero: only d_h_n flows back
    single_step                 a sequence of length T=1
    long_sequence               a long sequence (T from 15 to 20)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnnprep.diagnosis import advanced
from rnnprep.grading import gradients, suite
from rnnprep.grading.gradients import leaf
from rnnprep.grading.torch_reference import load, tensor

KATA = suite.kata("rnn_backward")
Submission = Callable[[suite.Case], Any]

# fmt: off
PLAN = (
    suite.Planned("zero_state", "h0=None (zeros); upstream gradients on output and h_n", {"given": False}),
    suite.Planned("given_state", "a given h0; upstream gradients on output and h_n"),
    suite.Planned("output_gradient_only", "d_h_n is zero: only d_output flows back", {"final": False}),
    suite.Planned("final_state_gradient_only", "d_output is zero: only d_h_n flows back", {"outputs": False}),
    suite.Planned("single_step", "a sequence of length T=1", {"T": (1, 1)}),
    suite.Planned("long_sequence", "a long sequence (T from 15 to 20)", {"T": (15, 20)}),
)
# fmt: on
HINTS = {
    "d W_hh": "the gradient of W_hh must sum da_t^T h_{t-1} over every time step (and the "
    "batch), with h_{t-1}, the state that was multiplied by W_hh, not h_t.",
    "d W_ih": "the gradient of W_ih must sum da_t^T x_t over every time step and the batch.",
    "d b_ih": "each bias gradient is da_t summed over time and batch (both biases get the same).",
    "d b_hh": "each bias gradient is da_t summed over time and batch (both biases get the same).",
    "d x": "d x_t is da_t @ W_ih at every step.",
    "d h0": "d h0 is what flows back past the first step: da_0 @ W_hh.",
}
UPSTREAM = (
    "the error sits before every gradient, in the recurrence itself: dh_t = d_output[:, t] + "
    "da_{t+1} @ W_hh (plus d_h_n at the last step), and da_t = dh_t * (1 - h_t**2), the tanh' "
    "factor written with h_t."
)


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Sizes, data, weights and the upstream gradients of one case."""
    options = planned.options
    dims, args = gradients.recurrent_inputs(rng, 1, options.get("T", (3, 8)), (options.get("given", True),), ("h0",))
    B, T, H = dims["B"], dims["T"], dims["H"]
    args["d_output"] = gradients.upstream_grad(rng, (B, T, H), options.get("outputs", True))  # (B, T, H)
    args["d_h_n"] = gradients.upstream_grad(rng, (B, H), options.get("final", True))  # (B, H)
    call = suite.Call(KATA.entry[0], args)
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, "float64", gradients.GRADIENT)


def reference(case: suite.Case) -> dict[str, np.ndarray]:
    """torch autograd through nn.RNN(tanh, batch_first) loaded with the case's weights."""
    a = case.call.args
    (B, _, I), H = a["x"].shape, a["W_hh"].shape[1]  # x (B, T, I), W_hh (H, H)
    rnn = load(torch.nn.RNN(I, H, batch_first=True),
               weight_ih_l0=a["W_ih"], weight_hh_l0=a["W_hh"], bias_ih_l0=a["b_ih"], bias_hh_l0=a["b_hh"])  # fmt: skip
    x, h0 = leaf(a["x"]), leaf(a["h0"], (B, H))  # (B, T, I), (B, H)
    output, h_n = rnn(x, h0[None])  # (B, T, H), (1, B, H)
    loss = (output * tensor(a["d_output"])).sum() + (h_n[0] * tensor(a["d_h_n"])).sum()
    return gradients.grads_of(loss, {"x": x, "h0": h0, "W_ih": rnn.weight_ih_l0, "W_hh": rnn.weight_hh_l0,
                                     "b_ih": rnn.bias_ih_l0, "b_hh": rnn.bias_hh_l0})  # fmt: skip


def test_rnn_backward(case: suite.Case, submission: Submission) -> None:
    diagnose = suite.slip_diagnosis(advanced.RNN_BACKWARD_SLIPS, gradients.same_gradients)
    gradients.expect_gradients(case, submission(case), reference(case), hints=HINTS, upstream=UPSTREAM,
                               diagnose=diagnose)  # fmt: skip
