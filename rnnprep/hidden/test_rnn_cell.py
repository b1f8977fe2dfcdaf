"""Hidden suite of rnn_cell: rnn_cell(x_t, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity) vs nn.RNNCell."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnprep.grading import suite
from rnnprep.grading.torch_reference import load, tensor, to_numpy, zeros_if_none

KATA = suite.kata("rnn_cell")


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Zero and given states, float64 and float32, tanh and relu; every size distinct."""
    return suite.recurrent_cases(KATA, rng)


def reference(case: suite.Case) -> Any:
    """torch.nn.RNNCell in float64, loaded with the case's weights."""
    a = suite.float64(case.call.args)
    (B, I), H = a["x_t"].shape, a["W_hh"].shape[1]  # x_t (B, I), W_hh (H, H)
    cell = load(torch.nn.RNNCell(I, H, nonlinearity=a["nonlinearity"]),
                weight_ih=a["W_ih"], weight_hh=a["W_hh"], bias_ih=a["b_ih"], bias_hh=a["b_hh"])  # fmt: skip
    with torch.no_grad():
        return to_numpy(cell(tensor(a["x_t"]), zeros_if_none(a["h_prev"], B, H)))  # (B, H)


def test_rnn_cell(case: suite.Case, submission: Any) -> None:
    suite.expect_outputs(case, submission(case), reference(case), suite.forward_diagnosis(KATA))
