"""Kata gru_cell: one GRU step, as torch.nn.GRUCell computes it.

Instructions: README.md next to this file (or `rnnprep kata gru_cell`).
Check your work: `rnnprep kata gru_cell --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), elementwise."""
    # TODO
    raise NotImplementedError("sigmoid")


def gru_cell(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Return h_t for one step; gate blocks stacked in torch's order r, z, n.

    Args:
        x_t:    (B, I)    the inputs of one time step
        h_prev: (B, H)    previous hidden state, or None meaning zeros
        W_ih:   (3H, I)   input weights, rows [W_ir; W_iz; W_in]
        W_hh:   (3H, H)   hidden weights, rows [W_hr; W_hz; W_hn]
        b_ih:   (3H,)     input bias  [b_ir; b_iz; b_in]
        b_hh:   (3H,)     hidden bias [b_hr; b_hz; b_hn]

    Returns:
        h_t: (B, H)
    """
    # TODO: zeros for a missing h_prev                                    # (B, H)
    # TODO: input part and hidden part, kept separate                     # (B, 3H) each
    # TODO: r and z; n = tanh(input n part + r * hidden n part)            # (B, H)
    # TODO: h_t = (1 - z) * n + z * h_prev                                 # (B, H)
    raise NotImplementedError("gru_cell: write the GRU step")
