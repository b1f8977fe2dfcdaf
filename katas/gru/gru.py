"""Kata gru: a GRU over a batch-first sequence, as torch.nn.GRU(batch_first=True) computes it.

Instructions: README.md next to this file (or `rnnprep kata gru`).
Check your work: `rnnprep kata gru --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), elementwise."""
    # TODO
    raise NotImplementedError("sigmoid")


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    """Return (output, h_n); gate blocks stacked in torch's order r, z, n.

    Args:
        x:    (B, T, I)  batch-first input sequence
        h0:   (B, H)     initial hidden state, or None meaning zeros
        W_ih: (3H, I)    input weights (torch's weight_ih_l0)
        W_hh: (3H, H)    hidden weights (torch's weight_hh_l0)
        b_ih: (3H,)      input bias
        b_hh: (3H,)      hidden bias

    Returns:
        output: (B, T, H)  h after every step
        h_n:    (B, H)     h after the last step
    """
    # TODO: project the input for all steps at once                  # (B, T, 3H)
    # TODO: h starts at h0 (zeros when None)                          # (B, H)
    # TODO: loop over t: hidden part, r, z, n, new h, output[:, t]     # (B, H)
    # TODO: return output, h_n
    raise NotImplementedError("gru_forward: write the GRU loop")
