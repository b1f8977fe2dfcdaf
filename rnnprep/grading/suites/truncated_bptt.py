"""Hidden suite for the truncated_bptt kata: dW_hh with h detached every k steps, as torch gives it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading import references
from rnnprep.grading.framework import Array, Call, Case, Plan, Suite
from rnnprep.grading.suites._advanced import (
    GRADIENT,
    RELATIVE,
    gradient_check,
    leaf,
    plain,
    recurrent_inputs,
    relative_error,
    upstream_grad,
)

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.grading.compare import Verdict

# k is drawn relative to T: "every" = 1, "middle" = a k in 2..T-1 that does not divide T.
PLAN: Plan = (
    (
        "k_cuts_mid_sequence",
        "2 <= k < T and k does not divide T, h0=None",
        {"k": "middle", "given": False},
    ),
    ("k_cuts_given_state", "2 <= k < T, a given h0", {"k": "middle"}),
    ("k_1_detach_every_step", "k=1: the state is detached before every step", {"k": "every"}),
    ("k_equals_T_no_cut", "k=T: no step is cut, this is full BPTT", {"k": "T"}),
    ("k_beyond_T_no_cut", "k > T: no step is cut", {"k": "beyond"}),
    ("long_sequence", "T from 15 to 20 with k from 3 to 5", {"k": "middle", "T": (15, 20)}),
)
RETURNS = Array("dW_hh", ("H", "H"))
UPSTREAM = (
    "dW_hh sums da_t^T h_{t-1} over every step t; dh_t = d_output[:, t] + (da_{t+1} @ W_hh, "
    "except that nothing flows from step t into h_{t-1} when t is a multiple of k, t > 0)."
)


def truncated_grad(a: dict[str, Any], k: int, late: int = 0) -> np.ndarray:
    """W_hh.grad after one loss.backward() with h = h.detach() before steps k, 2k, ... (nn.RNNCell).

    ``late=1`` cuts before steps 1, k+1, 2k+1, ... instead: a detach placed after the step.
    """
    import torch

    B, T, I = a["x"].shape  # x (B, T, I)
    H = a["W_hh"].shape[1]  # W_hh (H, H)
    cell = references._load(
        torch.nn.RNNCell(I, H),
        weight_ih=a["W_ih"],
        weight_hh=a["W_hh"],
        bias_ih=a["b_ih"],
        bias_hh=a["b_hh"],
    )
    x, h = plain(a["x"]), leaf(a["h0"], (B, H))  # (B, T, I), (B, H)
    loss = torch.zeros((), dtype=torch.float64)  # (): a scalar
    for t in range(T):
        if t > 0 and (t - late) % k == 0:
            h = h.detach()  # (B, H): the cut truncated BPTT makes
        h = cell(x[:, t], h)  # (B, H)
        loss = loss + (h * plain(a["d_output"][:, t])).sum()
    loss.backward()
    return cell.weight_hh.grad.numpy().copy()  # (H, H)


class TruncatedBPTTSuite(Suite):
    """dL/dW_hh for L = sum(output * d_output), with the graph cut before steps k, 2k, ..."""

    kata = "truncated_bptt"
    entry = ("truncated_bptt",)

    plan = PLAN

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        k: str,
        given: bool = True,
        T: tuple[int, int] = (6, 11),
    ) -> Case:
        """Draw sizes, data, weights, d_output and a k of the planned kind."""
        dims, args = recurrent_inputs(rng, 1, T, (given,), ("h0",))
        B, T_, H = dims["B"], dims["T"], dims["H"]
        args["d_output"] = upstream_grad(rng, (B, T_, H))  # (B, T, H)
        args["k"] = self.draw_k(rng, k, T_, long=T_ >= 15)
        return Case(name, about, Call("truncated_bptt", args), RETURNS, dims, "float64", GRADIENT)

    @staticmethod
    def draw_k(rng: np.random.Generator, kind: str, T: int, long: bool) -> int:
        """k of the planned kind for a sequence of T steps."""
        if kind == "every":
            return 1
        if kind == "T":
            return T
        if kind == "beyond":
            return T + int(rng.integers(1, 4))
        low, high = (3, 5) if long else (2, T - 1)
        choices = [k for k in range(low, high + 1) if T % k]
        return int(rng.choice(choices))

    def expected(self, case: Case) -> Any:
        """torch autograd through nn.RNNCell, with h.detach() before steps k, 2k, ..."""
        return truncated_grad(case.call.args, case.call.args["k"])

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """The relative error; when it matches another truncation, say which one."""
        verdict = gradient_check(case, actual, expected, {}, UPSTREAM)
        if verdict.kind != "value":
            return verdict
        verdict.message += self.which_truncation(case, actual)
        return verdict

    @staticmethod
    def which_truncation(case: Case, actual: Any) -> str:
        """A sentence when the answer is exactly the gradient of another cut."""
        a = case.call.args
        T, k = a["x"].shape[1], a["k"]
        others = {
            "never detaches (full BPTT)": (T + 1, 0),
            "detaches before every step (as if k=1)": (1, 0),
            f"cuts one step late (before steps 1, {k + 1}, {2 * k + 1}, ...)": (k, 1),
        }
        for what, (other, late) in others.items():
            if (other, late) in ((k, 0), (1, 1)) or (other > T and k > T):
                continue
            if relative_error(actual, truncated_grad(a, other, late)) <= RELATIVE:
                return (
                    f"\nYour dW_hh is exactly the gradient of a version that {what}: "
                    f"with k={k} the state must be detached before steps {k}, {2 * k}, ... only."
                )
        return ""


SUITE = TruncatedBPTTSuite()
