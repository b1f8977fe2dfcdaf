"""Kata lstm_backward: backpropagation through time for an LSTM, by hand.

Instructions: README.md next to this file (or `rnnprep kata lstm_backward`).
Check your work: `rnnprep kata lstm_backward --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def lstm_backward(x, h0, c0, W_ih, W_hh, b_ih, b_hh, d_output, d_h_n, d_c_n):
    """Gradients of L = sum(output * d_output) + sum(h_n * d_h_n) + sum(c_n * d_c_n).

    Args:
        x:        (B, T, I)
        h0, c0:   (B, H) or None (zeros)
        W_ih: (4H, I), W_hh: (4H, H), b_ih: (4H,), b_hh: (4H,)   gates i, f, g, o as nn.LSTM
        d_output: (B, T, H)
        d_h_n:    (B, H)
        d_c_n:    (B, H)

    Returns:
        dict with keys "x" (B, T, I), "h0" (B, H), "c0" (B, H), "W_ih" (4H, I), "W_hh" (4H, H),
        "b_ih" (4H,), "b_hh" (4H,)
    """
    # TODO: forward pass keeping i, f, g, o, c_t, h_t for every step
    # TODO: backward: dh += d_output[:, t]; dc += dh * o * (1 - tanh(c_t)**2)   # (B, H)
    # TODO: gate pre-activation gradients, stacked i, f, g, o                   # (B, 4H)
    # TODO: dh for t-1 = da @ W_hh; dc for t-1 = dc * f                          # (B, H)
    # TODO: sum the weight gradients over time and batch
    raise NotImplementedError("lstm_backward: write BPTT for the LSTM")
