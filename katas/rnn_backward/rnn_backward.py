"""Kata rnn_backward: backpropagation through time for a tanh RNN, by hand.

Instructions: README.md next to this file (or `rnnprep kata rnn_backward`).
Check your work: `rnnprep kata rnn_backward --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def rnn_backward(x, h0, W_ih, W_hh, b_ih, b_hh, d_output, d_h_n):
    """Gradients of L = sum(output * d_output) + sum(h_n * d_h_n), tanh RNN as in the rnn kata.

    Args:
        x:        (B, T, I)
        h0:       (B, H) or None (zeros)
        W_ih: (H, I), W_hh: (H, H), b_ih: (H,), b_hh: (H,)
        d_output: (B, T, H)  dL/d output (the upstream gradient)
        d_h_n:    (B, H)     dL/d h_n

    Returns:
        dict with keys "x" (B, T, I), "h0" (B, H), "W_ih" (H, I), "W_hh" (H, H),
        "b_ih" (H,), "b_hh" (H,): the gradient of L for each
        (for h0=None, "h0" is the gradient with respect to the zero initial state)
    """
    # TODO: forward pass, keeping every h_t (and h0)                      # (B, T+1, H)
    # TODO: backward from t = T-1 to 0: dh = d_h (from t+1) + d_output[:, t]  # (B, H)
    # TODO: da = dh * (1 - h_t ** 2); dh for step t-1 = da @ W_hh          # (B, H)
    # TODO: sum the weight gradients over time and batch
    raise NotImplementedError("rnn_backward: write BPTT")
