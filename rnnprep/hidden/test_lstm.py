"""Hidden suite of lstm: lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh) vs nn.LSTM(batch_first)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnprep.grading import suite
from rnnprep.grading.torch_reference import load, tensor, to_numpy, zeros_if_none

KATA = suite.kata("lstm")


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Zero and given states (h and c each on its own), float64 and float32, T=1, long T."""
    return suite.recurrent_cases(KATA, rng)


def reference(case: suite.Case) -> Any:
    """torch.nn.LSTM(batch_first=True) in float64: (output, (h_n, c_n))."""
    a = suite.float64(case.call.args)
    (B, _, I), H = a["x"].shape, a["W_hh"].shape[1]  # x (B, T, I), W_hh (4H, H)
    lstm = load(torch.nn.LSTM(I, H, batch_first=True),
                weight_ih_l0=a["W_ih"], weight_hh_l0=a["W_hh"], bias_ih_l0=a["b_ih"], bias_hh_l0=a["b_hh"])  # fmt: skip
    h0, c0 = zeros_if_none(a["h0"], B, H)[None], zeros_if_none(a["c0"], B, H)[None]  # (1, B, H) x 2
    with torch.no_grad():
        output, (h_n, c_n) = lstm(tensor(a["x"]), (h0, c0))  # (B, T, H), (1, B, H) x 2
    return to_numpy((output, (h_n[0], c_n[0])))  # (B, T, H), ((B, H), (B, H))


def test_lstm_forward(case: suite.Case, submission: Any) -> None:
    suite.expect_outputs(case, submission(case), reference(case), suite.forward_diagnosis(KATA))
