"""Hidden suite of simple_rnn: the tutorial SimpleRNN class vs nn.RNN + nn.Linear.

The grader builds SimpleRNN(I, H, O), sets Wxh, Whh, Why, bh, by and calls forward(X) on one
sequence of column vectors X (T, I, 1); h_t = tanh(Wxh x_t + Whh h_(t-1) + bh), y = Why h_T + by.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnprep.grading import suite
from rnnprep.grading.torch_reference import linear, load, tensor, to_numpy

KATA = suite.kata("simple_rnn")


def attributes(rng: np.random.Generator, dims: dict[str, int]) -> dict[str, np.ndarray]:
    """Wxh, Whh, Why, bh, by with torch-like scales, every bias nonzero."""
    I, H, O = dims["I"], dims["H"], dims["O"]
    return {
        "Wxh": suite.uniform(rng, (H, I), I**-0.5),  # (H, I)
        "Whh": suite.uniform(rng, (H, H), H**-0.5),  # (H, H)
        "Why": suite.uniform(rng, (O, H), H**-0.5),  # (O, H)
        "bh": suite.uniform(rng, (H, 1), 0.5),  # (H, 1)
        "by": suite.uniform(rng, (O, 1), 0.5),  # (O, 1)
    }


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Short and long sequences, T=1, float64 and float32."""
    return suite.tutorial_cases(KATA, rng, attributes)


def reference(case: suite.Case) -> Any:
    """nn.RNN(tanh) with bias_hh = 0 (the tutorial has one bias), then nn.Linear on h_T."""
    a = suite.float64(case.call.inputs())
    I, H = a["Wxh"].shape[1], a["Whh"].shape[0]
    rnn = load(torch.nn.RNN(I, H, batch_first=True), weight_ih_l0=a["Wxh"], weight_hh_l0=a["Whh"],
               bias_ih_l0=a["bh"].ravel(), bias_hh_l0=np.zeros(H))  # fmt: skip
    x = tensor(a["X"][:, :, 0][None])  # (1, T, I): one batch-first sequence
    with torch.no_grad():
        _, h_n = rnn(x)  # (1, 1, H)
        h = h_n[0].T  # (H, 1)
        y = linear(h, a["Why"], a["by"])  # (O, 1)
    return to_numpy(y), to_numpy(h)  # (O, 1), (H, 1)


def test_simple_rnn_forward(case: suite.Case, submission: Any) -> None:
    suite.expect_outputs(case, submission(case), reference(case), suite.forward_diagnosis(KATA))
