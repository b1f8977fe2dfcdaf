"""Hidden suite of truncated_bptt: truncated_bptt(x, h0, W_ih, W_hh, b_ih, b_hh, d_output, k)
-> dW_hh (H, H), the gradient of L = sum(output * d_output) when h is detached before steps
k, 2k, ..., against torch autograd through nn.RNNCell with exactly those h.detach() calls.
Judged by its relative error (tolerance 1e-6, grading/gradients.py).

The plan (k is drawn relative to T):

    k_cuts_mid_sequence     2 <= k < T and k does not divide T, h0=None
    k_cuts_given_state      2 <= k < T, a given h0
    k_1_detach_every_step   k=1: the state is detached before every step
    k_equals_T_no_cut       k=T: no step is cut, this is full BPTT
    k_beyond_T_no_cut       k > T: no step is cut
    long_sequence           T from 15 to 20 with k from 3 to 5
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
from rnnprep.grading.gradients import leaf
from rnnprep.grading.torch_reference import load, tensor

KATA = suite.kata("truncated_bptt")
Submission = Callable[[suite.Case], Any]

# fmt: off
PLAN = (
    suite.Planned("k_cuts_mid_sequence", "2 <= k < T and k does not divide T, h0=None", {"k": "middle", "given": False}),
    suite.Planned("k_cuts_given_state", "2 <= k < T, a given h0", {"k": "middle"}),
    suite.Planned("k_1_detach_every_step", "k=1: the state is detached before every step", {"k": "every"}),
    suite.Planned("k_equals_T_no_cut", "k=T: no step is cut, this is full BPTT", {"k": "T"}),
    suite.Planned("k_beyond_T_no_cut", "k > T: no step is cut", {"k": "beyond"}),
    suite.Planned("long_sequence", "T from 15 to 20 with k from 3 to 5", {"k": "middle", "T": (15, 20)}),
)
# fmt: on
UPSTREAM = (
    "dW_hh sums da_t^T h_{t-1} over every step t; dh_t = d_output[:, t] + (da_{t+1} @ W_hh, "
    "except that nothing flows from step t into h_{t-1} when t is a multiple of k, t > 0)."
)


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Sizes, data, weights, d_output and a k of the planned kind."""
    options = planned.options
    dims, args = gradients.recurrent_inputs(rng, 1, options.get("T", (6, 11)), (options.get("given", True),), ("h0",))
    B, T, H = dims["B"], dims["T"], dims["H"]
    args["d_output"] = gradients.upstream_grad(rng, (B, T, H))  # (B, T, H)
    args["k"] = draw_k(rng, options["k"], T)
    call = suite.Call(KATA.entry[0], args)
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, "float64", gradients.GRADIENT)


def draw_k(rng: np.random.Generator, kind: str, T: int) -> int:
    """k of the planned kind for a sequence of T steps."""
    if kind == "every":
        return 1
    if kind == "T":
        return T
    if kind == "beyond":
        return T + int(rng.integers(1, 4))
    low, high = (3, 5) if T >= 15 else (2, T - 1)
    return int(rng.choice([k for k in range(low, high + 1) if T % k]))


def reference(case: suite.Case) -> np.ndarray:
    """W_hh.grad after one loss.backward() through nn.RNNCell, with h = h.detach() before steps k, 2k, ..."""
    a = case.call.args
    (B, T, I), H, k = a["x"].shape, a["W_hh"].shape[1], a["k"]  # x (B, T, I), W_hh (H, H)
    cell = load(torch.nn.RNNCell(I, H), weight_ih=a["W_ih"], weight_hh=a["W_hh"], bias_ih=a["b_ih"], bias_hh=a["b_hh"])
    x, h = tensor(a["x"]), leaf(a["h0"], (B, H))  # (B, T, I), (B, H)
    loss = torch.zeros((), dtype=torch.float64)  # (): a scalar
    for t in range(T):
        if t > 0 and t % k == 0:
            h = h.detach()  # (B, H): the cut truncated BPTT makes
        h = cell(x[:, t], h)  # (B, H)
        loss = loss + (h * tensor(a["d_output"][:, t])).sum()
    return gradients.grads_of(loss, {"W_hh": cell.weight_hh})["W_hh"]  # (H, H)


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """Which other truncation (never, every step, one step late) gives exactly this dW_hh."""
    found = matching(advanced.TRUNCATED_SLIPS, case.call.inputs(), actual, expected, gradients.same_gradients)
    ids = list(dict.fromkeys(slip.mistake.id for slip in found))
    k = case.call.args["k"]
    lines = [
        f"Your dW_hh is exactly the gradient of a version that {slip.note}: with k={k} the state "
        f"must be detached before steps {k}, {2 * k}, ... only."
        for slip in found[:1]
    ]
    return ids, lines + diagnosis.lines_for(ids)


def test_truncated_bptt(case: suite.Case, submission: Submission) -> None:
    gradients.expect_gradients(case, submission(case), reference(case), hints={}, upstream=UPSTREAM,
                               diagnose=diagnose)  # fmt: skip
