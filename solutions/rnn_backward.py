"""Reference solution: backpropagation through time for a tanh RNN, by hand."""

from __future__ import annotations

import numpy as np


def rnn_backward(
    x: np.ndarray,
    h0: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    d_output: np.ndarray,
    d_h_n: np.ndarray,
) -> dict[str, np.ndarray]:
    """Gradients of L = sum(output * d_output) + sum(h_n * d_h_n) for every input of the RNN."""
    B, T, _ = x.shape
    H = W_hh.shape[1]
    h_start = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0  # (B, H)
    # Forward pass, keeping every state: the backward pass needs h_{t-1} and h_t.
    xw = x @ W_ih.T + b_ih  # (B, T, H)
    hs = np.empty((B, T + 1, H), dtype=xw.dtype)  # (B, T+1, H): hs[:, t] is h_{t-1}
    hs[:, 0] = h_start  # (B, H)
    for t in range(T):
        hs[:, t + 1] = np.tanh(xw[:, t] + hs[:, t] @ W_hh.T + b_hh)  # (B, H)
    # Backward pass: dh is dL/dh_t, collecting the direct gradient and the one from step t+1.
    da = np.empty((B, T, H), dtype=xw.dtype)  # (B, T, H): dL/d(pre-activation) per step
    dh = d_h_n.astype(xw.dtype, copy=True)  # (B, H): h_n is h_{T-1}
    for t in reversed(range(T)):
        dh = dh + d_output[:, t]  # (B, H)
        da[:, t] = dh * (1 - hs[:, t + 1] ** 2)  # (B, H): tanh' = 1 - tanh^2
        dh = da[:, t] @ W_hh  # (B, H): flows to h_{t-1}
    # Weights are shared over time: their gradients sum over steps (and the batch).
    return {
        "x": da @ W_ih,  # (B, T, I)
        "h0": dh,  # (B, H)
        "W_ih": np.einsum("bth,bti->hi", da, x),  # (H, I)
        "W_hh": np.einsum("bth,btk->hk", da, hs[:, :-1]),  # (H, H): da_t times h_{t-1}
        "b_ih": da.sum(axis=(0, 1)),  # (H,)
        "b_hh": da.sum(axis=(0, 1)),  # (H,)
    }
