"""Hidden suite of gru: gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh) vs nn.GRU(batch_first)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnprep.grading import suite
from rnnprep.grading.torch_reference import load, tensor, to_numpy, zeros_if_none

KATA = suite.kata("gru")


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Zero and given states, float64 and float32, T=1 and a long sequence."""
    return suite.recurrent_cases(KATA, rng)


def reference(case: suite.Case) -> Any:
    """torch.nn.GRU(batch_first=True) in float64: (output, h_n)."""
    a = suite.float64(case.call.args)
    (B, _, I), H = a["x"].shape, a["W_hh"].shape[1]  # x (B, T, I), W_hh (3H, H)
    gru = load(torch.nn.GRU(I, H, batch_first=True),
               weight_ih_l0=a["W_ih"], weight_hh_l0=a["W_hh"], bias_ih_l0=a["b_ih"], bias_hh_l0=a["b_hh"])  # fmt: skip
    with torch.no_grad():
        output, h_n = gru(tensor(a["x"]), zeros_if_none(a["h0"], B, H)[None])  # (B, T, H), (1, B, H)
    return to_numpy((output, h_n[0]))  # (B, T, H), (B, H)


def test_gru_forward(case: suite.Case, submission: Any) -> None:
    suite.expect_outputs(case, submission(case), reference(case), suite.forward_diagnosis(KATA))
