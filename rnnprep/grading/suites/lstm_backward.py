"""Hidden suite for the lstm_backward kata: BPTT by hand against torch autograd through nn.LSTM."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading import references
from rnnprep.grading.framework import Call, Case, Plan, Suite
from rnnprep.grading.suites._advanced import (
    GRADIENT,
    gradient_check,
    gradient_mapping,
    grads_dict,
    leaf,
    plain,
    recurrent_inputs,
    upstream_grad,
)

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.grading.compare import Verdict

SHORT = (3, 8)
PLAN: Plan = (
    (
        "zero_state",
        "h0=c0=None (zeros); upstream gradients on output, h_n, c_n",
        {"given": (False, False)},
    ),
    ("given_state", "given h0 and c0; upstream gradients on output, h_n, c_n", {}),
    ("h_given_c_none", "h0 given, c0=None (zeros)", {"given": (True, False)}),
    (
        "output_gradient_only",
        "d_h_n and d_c_n are zero: only d_output flows back",
        {"final": False},
    ),
    (
        "cell_gradient_only",
        "d_output and d_h_n are zero: only d_c_n flows back",
        {"only_cell": True},
    ),
    ("single_step", "a sequence of length T=1", {"T": (1, 1)}),
    ("long_sequence", "a long sequence (T from 15 to 20)", {"T": (15, 20)}),
)
RETURNS = gradient_mapping(
    {
        "x": ("B", "T", "I"),
        "h0": ("B", "H"),
        "c0": ("B", "H"),
        "W_ih": ("4H", "I"),
        "W_hh": ("4H", "H"),
        "b_ih": ("4H",),
        "b_hh": ("4H",),
    }
)
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


class LSTMBackwardSuite(Suite):
    """Gradients of L = sum(output * d_output) + sum(h_n * d_h_n) + sum(c_n * d_c_n)."""

    kata = "lstm_backward"
    entry = ("lstm_backward",)

    plan = PLAN

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        given: tuple[bool, bool] = (True, True),
        T: tuple[int, int] = SHORT,
        final: bool = True,
        only_cell: bool = False,
    ) -> Case:
        """Draw sizes, data, weights and the upstream gradients of one case."""
        dims, args = recurrent_inputs(rng, 4, T, given, ("h0", "c0"))
        B, T_, H = dims["B"], dims["T"], dims["H"]
        args["d_output"] = upstream_grad(rng, (B, T_, H), not only_cell)  # (B, T, H)
        args["d_h_n"] = upstream_grad(rng, (B, H), final and not only_cell)  # (B, H)
        args["d_c_n"] = upstream_grad(rng, (B, H), final)  # (B, H)
        dims["4H"] = 4 * H
        return Case(name, about, Call("lstm_backward", args), RETURNS, dims, "float64", GRADIENT)

    def expected(self, case: Case) -> Any:
        """torch autograd through nn.LSTM(batch_first) loaded with the case's weights."""
        import torch

        a = case.call.args
        B, _, I = a["x"].shape  # x (B, T, I)
        H = a["W_hh"].shape[1]  # W_hh (4H, H)
        lstm = references._load(
            torch.nn.LSTM(I, H, batch_first=True),
            weight_ih_l0=a["W_ih"],
            weight_hh_l0=a["W_hh"],
            bias_ih_l0=a["b_ih"],
            bias_hh_l0=a["b_hh"],
        )
        x = leaf(a["x"])  # (B, T, I)
        h0, c0 = leaf(a["h0"], (B, H)), leaf(a["c0"], (B, H))  # (B, H) each
        output, (h_n, c_n) = lstm(x, (h0[None], c0[None]))  # (B, T, H), (1, B, H) x 2
        loss = (
            (output * plain(a["d_output"])).sum()
            + (h_n[0] * plain(a["d_h_n"])).sum()
            + (c_n[0] * plain(a["d_c_n"])).sum()
        )
        params = [lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0]
        return grads_dict(tuple(RETURNS.items), [x, h0, c0, *params], loss)

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """Each gradient by its relative error, naming the wrong ones and the right ones."""
        return gradient_check(case, actual, expected, HINTS, UPSTREAM)


SUITE = LSTMBackwardSuite()
