"""Reference solution: the W_hh gradient of a tanh RNN with backpropagation cut every k steps."""

from __future__ import annotations

import numpy as np


def truncated_bptt(
    x: np.ndarray,
    h0: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    d_output: np.ndarray,
    k: int,
) -> np.ndarray:
    """dL/dW_hh for L = sum(output * d_output) when h is detached before steps k, 2k, ..."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    B, T, _ = x.shape
    H = W_hh.shape[1]
    xw = x @ W_ih.T + b_ih  # (B, T, H)
    hs = np.empty((B, T + 1, H), dtype=xw.dtype)  # (B, T+1, H): hs[:, t] is h_{t-1}
    hs[:, 0] = 0 if h0 is None else h0  # (B, H)
    for t in range(T):  # the forward values are the same as without truncation
        hs[:, t + 1] = np.tanh(xw[:, t] + hs[:, t] @ W_hh.T + b_hh)  # (B, H)
    dW_hh = np.zeros_like(W_hh, dtype=xw.dtype)  # (H, H)
    dh = np.zeros((B, H), dtype=xw.dtype)  # (B, H)
    for t in reversed(range(T)):
        dh = dh + d_output[:, t]  # (B, H)
        da = dh * (1 - hs[:, t + 1] ** 2)  # (B, H)
        dW_hh += da.T @ hs[:, t]  # (H, H): still uses h_{t-1}'s value, detached or not
        # A detach before step t (t = k, 2k, ...) stops the gradient reaching h_{t-1}.
        dh = np.zeros_like(dh) if t % k == 0 else da @ W_hh  # (B, H)
    return dW_hh  # (H, H)
