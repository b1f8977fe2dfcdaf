"""Kata rnn_cell: one step of an Elman RNN, as torch.nn.RNNCell computes it.

Instructions: README.md next to this file (or `rnnprep kata rnn_cell`).
Check your work: `rnnprep kata rnn_cell --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def rnn_cell(x_t, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    """Return h_t = act(x_t W_ih^T + b_ih + h_prev W_hh^T + b_hh).

    Args:
        x_t:    (B, I)   the inputs of one time step, one row per batch item
        h_prev: (B, H)   the previous hidden state, or None meaning zeros
        W_ih:   (H, I)   input-to-hidden weights (torch's weight_ih)
        W_hh:   (H, H)   hidden-to-hidden weights (torch's weight_hh)
        b_ih:   (H,)     input bias (torch's bias_ih)
        b_hh:   (H,)     hidden bias (torch's bias_hh)
        nonlinearity: "tanh" or "relu"

    Returns:
        h_t:    (B, H)   same dtype as x_t
    """
    # TODO: if h_prev is None, start from zeros of shape (B, H) and x_t's dtype
    # TODO: the pre-activation: input part + hidden part, each with its own bias  # (B, H)
    # TODO: apply tanh or relu according to `nonlinearity`                          # (B, H)
    raise NotImplementedError("rnn_cell: write the RNN step")
