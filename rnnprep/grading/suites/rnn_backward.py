"""Hidden suite for the rnn_backward kata: BPTT by hand against torch autograd through nn.RNN."""

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
    ("zero_state", "h0=None (zeros); upstream gradients on output and h_n", {"given": False}),
    ("given_state", "a given h0; upstream gradients on output and h_n", {"given": True}),
    ("output_gradient_only", "d_h_n is zero: only d_output flows back", {"final": False}),
    ("final_state_gradient_only", "d_output is zero: only d_h_n flows back", {"outputs": False}),
    ("single_step", "a sequence of length T=1", {"T": (1, 1)}),
    ("long_sequence", "a long sequence (T from 15 to 20)", {"T": (15, 20)}),
)
RETURNS = gradient_mapping(
    {
        "x": ("B", "T", "I"),
        "h0": ("B", "H"),
        "W_ih": ("H", "I"),
        "W_hh": ("H", "H"),
        "b_ih": ("H",),
        "b_hh": ("H",),
    }
)
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


class RNNBackwardSuite(Suite):
    """Gradients of L = sum(output * d_output) + sum(h_n * d_h_n) for a tanh RNN."""

    kata = "rnn_backward"
    entry = ("rnn_backward",)

    plan = PLAN

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        given: bool = True,
        T: tuple[int, int] = SHORT,
        outputs: bool = True,
        final: bool = True,
    ) -> Case:
        """Draw sizes, data, weights and the upstream gradients of one case."""
        dims, args = recurrent_inputs(rng, 1, T, (given,), ("h0",))
        B, T_, H = dims["B"], dims["T"], dims["H"]
        args["d_output"] = upstream_grad(rng, (B, T_, H), outputs)  # (B, T, H)
        args["d_h_n"] = upstream_grad(rng, (B, H), final)  # (B, H)
        return Case(name, about, Call("rnn_backward", args), RETURNS, dims, "float64", GRADIENT)

    def expected(self, case: Case) -> Any:
        """torch autograd through nn.RNN(tanh, batch_first) loaded with the case's weights."""
        import torch

        a = case.call.args
        B, _, I = a["x"].shape  # x (B, T, I)
        H = a["W_hh"].shape[1]  # W_hh (H, H)
        rnn = references._load(
            torch.nn.RNN(I, H, batch_first=True),
            weight_ih_l0=a["W_ih"],
            weight_hh_l0=a["W_hh"],
            bias_ih_l0=a["b_ih"],
            bias_hh_l0=a["b_hh"],
        )
        x, h0 = leaf(a["x"]), leaf(a["h0"], (B, H))  # (B, T, I), (B, H)
        output, h_n = rnn(x, h0[None])  # (B, T, H), (1, B, H)
        loss = (output * plain(a["d_output"])).sum() + (h_n[0] * plain(a["d_h_n"])).sum()
        params = [rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0]
        return grads_dict(tuple(RETURNS.items), [x, h0, *params], loss)

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """Each gradient by its relative error, naming the wrong ones and the right ones."""
        return gradient_check(case, actual, expected, HINTS, UPSTREAM)


SUITE = RNNBackwardSuite()
