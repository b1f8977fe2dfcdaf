"""Hidden suite of lstm_backward: lstm_backward(x, h0, c0, W_ih, W_hh, b_ih, b_hh, d_output, d_h_n,
d_c_n) -> {x, h0, c0, W_ih, W_hh, b_ih, b_hh} gradients of
L = sum(output * d_output) + sum(h_n * d_h_n) + sum(c_n * d_c_n), against torch autograd
through nn.LSTM(batch_first) loaded with the case's weights. Each gradient is judged by its
relative error (tolerance 1e-6, grading/gradients.py).

The plan:

    zero_state             h0=c0=None (zeros); upstream gradients on output, h_n, c_n
    given_state            given h0 and c0; upstream gradients on output, h_n, c_n
    h_given_c_none         h0 given, c0=None (zeros)
    output_gradient_only   d_h_n and d_c_n are zero: only d_output flows back
    cell_gradient_only     d_output and d_h_n are zero: only d_c_n flows back
    single_step            a sequence of length T=1
    long_sequence          a long sequence (T from 15 to 20)
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

KATA = suite.kata("lstm_backward")
Submission = Callable[[suite.Case], Any]

# fmt: off
PLAN = (
    suite.Planned("zero_state", "h0=c0=None (zeros); upstream gradients on output, h_n, c_n", {"given": (False, False)}),
    suite.Planned("given_state", "given h0 and c0; upstream gradients on output, h_n, c_n"),
    suite.Planned("h_given_c_none", "h0 given, c0=None (zeros)", {"given": (True, False)}),
    suite.Planned("output_gradient_only", "d_h_n and d_c_n are zero: only d_output flows back", {"final": False}),
    suite.Planned("cell_gradient_only", "d_output and d_h_n are zero: only d_c_n flows back", {"only_cell": True}),
    suite.Planned("single_step", "a sequence of length T=1", {"T": (1, 1)}),
    suite.Planned("long_sequence", "a long sequence (T from 15 to 20)", {"T": (15, 20)}),
)
# fmt: on
HINTS = {
    "d W_hh": "the gradient of W_hh must sum da_t^T h_{t-1} over every time step and the batch, "
    "da_t being the (B, 4H) gate pre-activation gradients stacked i, f, g, o.",
    "d W_ih": "the gradient of W_ih must sum da_t^T x_t over every time step and the batch.",
    "d b_ih": "each bias gradient is da_t summed over time and batch (both biases get the same).",
    "d b_hh": "each bias gradient is da_t summed over time and batch (both biases get the same).",
    "d x": "d x_t is da_t @ W_ih at every step.",
    "d h0": "d h0 is what flows back past the first step: da_0 @ W_hh.",
    "d c0": "d c0 is dc_0 * f_0: the cell gradient flows to c_{t-1} only through the forget gate.",
}
UPSTREAM = (
    "the error sits before every gradient, in the recurrence: dh_t = d_output[:, t] + "
    "da_{t+1} @ W_hh; dc_t = dc_{t+1} * f_{t+1} + dh_t * o_t * (1 - tanh(c_t)**2) (c feeds h); "
    "then di = dc*g*i(1-i), df = dc*c_{t-1}*f(1-f), dg = dc*i*(1-g**2), do = dh*tanh(c_t)*o(1-o)."
)


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Sizes, data, weights and the upstream gradients of one case."""
    options = planned.options
    only_cell, final = options.get("only_cell", False), options.get("final", True)
    dims, args = gradients.recurrent_inputs(rng, 4, options.get("T", (3, 8)), options.get("given", (True, True)),
                                            ("h0", "c0"))  # fmt: skip
    B, T, H = dims["B"], dims["T"], dims["H"]
    args["d_output"] = gradients.upstream_grad(rng, (B, T, H), not only_cell)  # (B, T, H)
    args["d_h_n"] = gradients.upstream_grad(rng, (B, H), final and not only_cell)  # (B, H)
    args["d_c_n"] = gradients.upstream_grad(rng, (B, H), final)  # (B, H)
    call = suite.Call(KATA.entry[0], args)
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, "float64", gradients.GRADIENT)


def reference(case: suite.Case) -> dict[str, np.ndarray]:
    """torch autograd through nn.LSTM(batch_first) loaded with the case's weights."""
    a = case.call.args
    (B, _, I), H = a["x"].shape, a["W_hh"].shape[1]  # x (B, T, I), W_hh (4H, H)
    lstm = load(torch.nn.LSTM(I, H, batch_first=True),
                weight_ih_l0=a["W_ih"], weight_hh_l0=a["W_hh"], bias_ih_l0=a["b_ih"], bias_hh_l0=a["b_hh"])  # fmt: skip
    x, h0, c0 = leaf(a["x"]), leaf(a["h0"], (B, H)), leaf(a["c0"], (B, H))  # (B, T, I), (B, H), (B, H)
    output, (h_n, c_n) = lstm(x, (h0[None], c0[None]))  # (B, T, H), (1, B, H) x 2
    loss = (
        (output * tensor(a["d_output"])).sum()
        + (h_n[0] * tensor(a["d_h_n"])).sum()
        + (c_n[0] * tensor(a["d_c_n"])).sum()
    )
    return gradients.grads_of(loss, {"x": x, "h0": h0, "c0": c0, "W_ih": lstm.weight_ih_l0, "W_hh": lstm.weight_hh_l0,
                                     "b_ih": lstm.bias_ih_l0, "b_hh": lstm.bias_hh_l0})  # fmt: skip


def test_lstm_backward(case: suite.Case, submission: Submission) -> None:
    diagnose = suite.slip_diagnosis(advanced.LSTM_BACKWARD_SLIPS, gradients.same_gradients)
    gradients.expect_gradients(case, submission(case), reference(case), hints=HINTS, upstream=UPSTREAM,
                               diagnose=diagnose)  # fmt: skip
