"""Hidden suite for the seq_classifier kata: LSTM -> last h -> linear -> F.cross_entropy (mean)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading import references
from rnnprep.grading.framework import Array, Call, Case, Mapping, Plan, Scalar, Seq, Suite, uniform
from rnnprep.grading.suites._advanced import GRADIENT, gradient_check, recurrent_inputs

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.grading.compare import Verdict

PLAN: Plan = (
    ("short_sequence", "a short sequence, mean cross-entropy over the batch", {}),
    ("single_step", "a sequence of length T=1", {"T": (1, 1)}),
    ("long_sequence", "a long sequence (T from 15 to 20)", {"T": (15, 20)}),
    ("large_batch", "a batch of 7 to 9 sequences: the 1/B of the mean shows", {"B": (7, 9)}),
    (
        "large_logits",
        "logits around ±800: exp() overflows unless the row max is subtracted",
        {"shift": 800.0},
    ),
)
RETURNS = Seq(
    (
        Scalar("loss"),
        Mapping(
            "grads",
            {
                "logits": Array("logits", ("B", "C")),
                "W_out": Array("W_out", ("C", "H")),
                "b_out": Array("b_out", ("C",)),
            },
        ),
    )
)
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


class SeqClassifierSuite(Suite):
    """Loss and gradients (logits, W_out, b_out) of a many-to-one LSTM classifier."""

    kata = "seq_classifier"
    entry = ("seq_classifier",)

    plan = PLAN

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        T: tuple[int, int] = (3, 8),
        B: tuple[int, int] = (2, 5),
        shift: float = 0.0,
    ) -> Case:
        """Draw sizes (C distinct from the others too), data, weights and labels."""
        for _ in range(1000):  # C must differ from B, T, I, H and 4H as well
            dims, args = recurrent_inputs(rng, 4, T, (False, False), ("h0", "c0"), B=B)
            classes = int(rng.integers(2, 7))
            if classes not in dims.values() and classes != 4 * dims["H"]:
                break
        del args["h0"], args["c0"]  # the classifier always starts from zeros
        dims["C"] = C = classes
        args = {"x": args.pop("x"), "labels": rng.integers(0, C, size=dims["B"]), **args}  # (B,)
        args["W_out"] = uniform(rng, (C, dims["H"]), dims["H"] ** -0.5)  # (C, H)
        args["b_out"] = uniform(rng, (C,), 0.5) + shift * rng.choice([-1.0, 1.0], size=C)  # (C,)
        return Case(name, about, Call("seq_classifier", args), RETURNS, dims, "float64", GRADIENT)

    def expected(self, case: Case) -> Any:
        """nn.LSTM + nn.Linear + F.cross_entropy; autograd for the logits and the linear layer."""
        import torch

        a = case.call.args
        _, _, I = a["x"].shape  # x (B, T, I)
        H, C = a["W_hh"].shape[1], a["W_out"].shape[0]  # W_hh (4H, H), W_out (C, H)
        lstm = references._load(
            torch.nn.LSTM(I, H, batch_first=True),
            weight_ih_l0=a["W_ih"],
            weight_hh_l0=a["W_hh"],
            bias_ih_l0=a["b_ih"],
            bias_hh_l0=a["b_hh"],
        )
        linear = references._load(torch.nn.Linear(H, C), weight=a["W_out"], bias=a["b_out"])
        _, (h_n, _) = lstm(references.tensor(a["x"]))  # (1, B, H)
        logits = linear(h_n[0])  # (B, C)
        logits.retain_grad()
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(a["labels"]))
        loss.backward()
        return loss.item(), {
            "logits": logits.grad.numpy().copy(),  # (B, C)
            "W_out": linear.weight.grad.numpy().copy(),  # (C, H)
            "b_out": linear.bias.grad.numpy().copy(),  # (C,)
        }

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """The loss and each gradient by relative error; a sum-for-mean slip is named."""
        verdict = gradient_check(case, actual, expected, HINTS, UPSTREAM, "torch (F.cross_entropy)")
        if verdict.kind == "value":
            verdict.message += _named_slip(case, actual, expected)
        return verdict


def _named_slip(case: Case, actual: Any, expected: Any) -> str:
    """A sentence for the two classic slips: a sum for the mean, a flipped gradient sign."""
    import numpy as np

    B = case.dims["B"]
    got, want = np.asarray(actual[1]["logits"], dtype=float), expected[1]["logits"]  # (B, C)
    if np.allclose(got, B * want, rtol=1e-6, atol=1e-12):
        return f"\nYour d logits is exactly B={B} times torch's: the loss is a mean over the batch, not a sum."
    if np.allclose(got, -want, rtol=1e-6, atol=1e-12):
        return "\nYour d logits has the opposite sign of torch's: it is softmax - one_hot, not one_hot - softmax."
    return ""


SUITE = SeqClassifierSuite()
