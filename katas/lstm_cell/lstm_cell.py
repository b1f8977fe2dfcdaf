"""Kata lstm_cell: one LSTM step, as torch.nn.LSTMCell computes it.

Instructions: README.md next to this file (or `rnnprep kata lstm_cell`).
Check your work: `rnnprep kata lstm_cell --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), elementwise."""
    # TODO
    raise NotImplementedError("sigmoid")


def lstm_cell(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """Return (h_t, c_t) for one step; gate blocks stacked in torch's order i, f, g, o.

    Args:
        x_t:    (B, I)    the inputs of one time step
        h_prev: (B, H)    previous hidden state, or None meaning zeros
        c_prev: (B, H)    previous cell state, or None meaning zeros
        W_ih:   (4H, I)   input weights, rows [W_ii; W_if; W_ig; W_io]
        W_hh:   (4H, H)   hidden weights, rows [W_hi; W_hf; W_hg; W_ho]
        b_ih:   (4H,)     input bias
        b_hh:   (4H,)     hidden bias

    Returns:
        h_t: (B, H)
        c_t: (B, H)
    """
    # TODO: zeros for a missing h_prev / c_prev                    # (B, H)
    # TODO: one pre-activation for all four gates                  # (B, 4H)
    # TODO: split into i, f, g, o (columns of width H)              # (B, H) each
    # TODO: c_t from f, c_prev, i, g; h_t from o and c_t            # (B, H)
    raise NotImplementedError("lstm_cell: write the LSTM step")
