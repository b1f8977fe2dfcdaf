"""Kata lstm: an LSTM over a batch-first sequence, as torch.nn.LSTM(batch_first=True) computes it.

Instructions: README.md next to this file (or `rnnprep kata lstm`).
Check your work: `rnnprep kata lstm --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), elementwise."""
    # TODO
    raise NotImplementedError("sigmoid")


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """Return (output, (h_n, c_n)); gate blocks stacked in torch's order i, f, g, o.

    Args:
        x:    (B, T, I)  batch-first input sequence
        h0:   (B, H)     initial hidden state, or None meaning zeros
        c0:   (B, H)     initial cell state, or None meaning zeros
        W_ih: (4H, I)    input weights (torch's weight_ih_l0)
        W_hh: (4H, H)    hidden weights (torch's weight_hh_l0)
        b_ih: (4H,)      input bias
        b_hh: (4H,)      hidden bias

    Returns:
        output: (B, T, H)  h after every step
        (h_n, c_n): ((B, H), (B, H))  the states after the last step
    """
    # TODO: project the input for all steps at once                  # (B, T, 4H)
    # TODO: h, c start at h0, c0 (zeros where None)                   # (B, H)
    # TODO: loop over t: gates, i f g o, new c, new h, output[:, t]    # (B, H)
    # TODO: return output, (h_n, c_n)
    raise NotImplementedError("lstm_forward: write the LSTM loop")
