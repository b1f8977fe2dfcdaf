"""Reference solution: an Elman RNN over a batch-first sequence, as torch.nn.RNN computes it."""

from __future__ import annotations

import numpy as np


def relu(a: np.ndarray) -> np.ndarray:
    """max(a, 0), elementwise."""
    return np.maximum(a, 0)  # same shape as a


def rnn_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    nonlinearity: str = "tanh",
) -> tuple[np.ndarray, np.ndarray]:
    """Run h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) for t = 0..T-1."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    B, T, _ = x.shape
    H = W_hh.shape[1]
    act = np.tanh if nonlinearity == "tanh" else relu
    # The input projection does not depend on h, so do it for every step at once.
    xw = x @ W_ih.T + b_ih  # (B, T, H)
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0  # (B, H)
    output = np.empty((B, T, H), dtype=xw.dtype)  # (B, T, H)
    for t in range(T):
        h = act(xw[:, t] + h @ W_hh.T + b_hh)  # (B, H)
        output[:, t] = h  # (B, H)
    return output, h  # (B, T, H), (B, H)
