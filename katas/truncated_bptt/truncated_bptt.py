"""Kata truncated_bptt: the W_hh gradient when backpropagation is cut every k steps.

Instructions: README.md next to this file (or `rnnprep kata truncated_bptt`).
Check your work: `rnnprep kata truncated_bptt --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def truncated_bptt(x, h0, W_ih, W_hh, b_ih, b_hh, d_output, k):
    """dL/dW_hh for L = sum(output * d_output), tanh RNN, h detached before steps k, 2k, 3k, ...

    Args:
        x:        (B, T, I)
        h0:       (B, H) or None (zeros)
        W_ih: (H, I), W_hh: (H, H), b_ih: (H,), b_hh: (H,)
        d_output: (B, T, H)
        k:        int >= 1, the truncation length

    Returns:
        dW_hh: (H, H), what W_hh.grad holds after one loss.backward() on the truncated graph
    """
    # TODO: forward pass (values are unchanged by detaching)              # (B, T+1, H)
    # TODO: backward from t = T-1 to 0, accumulating da_t^T h_{t-1}       # (H, H)
    # TODO: at t = k, 2k, ... do not pass the gradient on to h_{t-1}
    raise NotImplementedError("truncated_bptt: write truncated BPTT")
