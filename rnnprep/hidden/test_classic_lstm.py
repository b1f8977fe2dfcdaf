"""Hidden suite of classic_lstm: the tutorial LSTM class (gates on [h; x]) vs nn.LSTM + nn.Linear.

The grader builds LSTM(I, H, O), sets Wf, Wi, WC, Wo (each (H, H+I), acting on vstack((h, x))),
their biases, Wy and by, and calls forward(X) on column vectors X (T, I, 1): (y, h, c).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnprep.grading import suite
from rnnprep.grading.torch_reference import linear, load, tensor, to_numpy

KATA = suite.kata("classic_lstm")
TORCH_ORDER = (("Wi", "bi"), ("Wf", "bf"), ("WC", "bC"), ("Wo", "bo"))  # torch stacks i, f, g, o


def attributes(rng: np.random.Generator, dims: dict[str, int]) -> dict[str, np.ndarray]:
    """Wf, Wi, WC, Wo on vstack((h, x)), their biases, and the read-out Wy, by."""
    I, H, O = dims["I"], dims["H"], dims["O"]
    values = {w: suite.uniform(rng, (H, H + I), (H + I) ** -0.5) for w, _ in TORCH_ORDER}  # (H, H+I)
    values |= {b: suite.uniform(rng, (H, 1), 0.5) for _, b in TORCH_ORDER}  # (H, 1)
    values["Wy"] = suite.uniform(rng, (O, H), H**-0.5)  # (O, H)
    values["by"] = suite.uniform(rng, (O, 1), 0.5)  # (O, 1)
    return values


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Short and long sequences, T=1, float64 and float32."""
    return suite.tutorial_cases(KATA, rng, attributes)


def reference(case: suite.Case) -> Any:
    """nn.LSTM with the h and x columns split into W_hh and W_ih, then nn.Linear on h_T."""
    a = suite.float64(case.call.inputs())
    H = a["Wf"].shape[0]
    I = a["Wf"].shape[1] - H
    lstm = load(
        torch.nn.LSTM(I, H, batch_first=True),
        weight_ih_l0=np.vstack([a[w][:, H:] for w, _ in TORCH_ORDER]),  # (4H, I): the x columns
        weight_hh_l0=np.vstack([a[w][:, :H] for w, _ in TORCH_ORDER]),  # (4H, H): h sits on top
        bias_ih_l0=np.concatenate([a[b].ravel() for _, b in TORCH_ORDER]),  # (4H,)
        bias_hh_l0=np.zeros(4 * H),  # (4H,): one bias per gate in the tutorial
    )
    x = tensor(a["X"][:, :, 0][None])  # (1, T, I)
    with torch.no_grad():
        _, (h_n, c_n) = lstm(x)  # (1, 1, H) x 2
        h, c = h_n[0].T, c_n[0].T  # (H, 1), (H, 1)
        y = linear(h, a["Wy"], a["by"])  # (O, 1)
    return to_numpy(y), to_numpy(h), to_numpy(c)  # (O, 1), (H, 1), (H, 1)


def test_classic_lstm_forward(case: suite.Case, submission: Any) -> None:
    suite.expect_outputs(case, submission(case), reference(case), suite.forward_diagnosis(KATA))
