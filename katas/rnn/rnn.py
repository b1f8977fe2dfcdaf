"""Kata rnn: an Elman RNN over a batch-first sequence, as torch.nn.RNN(batch_first=True) computes it.

Instructions: README.md next to this file (or `rnnprep kata rnn`).
Check your work: `rnnprep kata rnn --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    """Run h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) for t = 0 .. T-1.

    Args:
        x:    (B, T, I)  batch-first input sequence
        h0:   (B, H)     initial hidden state, or None meaning zeros
        W_ih: (H, I)     input-to-hidden weights (torch's weight_ih_l0)
        W_hh: (H, H)     hidden-to-hidden weights (torch's weight_hh_l0)
        b_ih: (H,)       input bias
        b_hh: (H,)       hidden bias
        nonlinearity: "tanh" or "relu"

    Returns:
        output: (B, T, H)  the hidden state after every step
        h_n:    (B, H)     the hidden state after the last step
    """
    # TODO: project the input for all steps at once                   # (B, T, H)
    # TODO: h starts at h0, or zeros of shape (B, H) when h0 is None    # (B, H)
    # TODO: loop over t = 0 .. T-1, update h, store it in output[:, t]  # (B, H)
    # TODO: return output, h_n
    raise NotImplementedError("rnn_forward: write the RNN loop")
