"""Reference solution: a GRU over right-padded sequences of different lengths, like packing."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


def gru_forward_lengths(
    x: np.ndarray,
    lengths: np.ndarray,
    h0: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (output (B, T, H), zero past each length; h_n (B, H), each row at its own last step)."""
    B, T, _ = x.shape
    H = W_hh.shape[1]
    lengths = np.asarray(lengths)  # (B,)
    gi_all = x @ W_ih.T + b_ih  # (B, T, 3H)
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0  # (B, H)
    output = np.zeros((B, T, H), dtype=gi_all.dtype)  # (B, T, H): padding stays zero
    for t in range(T):
        gi = gi_all[:, t]  # (B, 3H)
        gh = h @ W_hh.T + b_hh  # (B, 3H)
        r = sigmoid(gi[:, :H] + gh[:, :H])  # (B, H)
        z = sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])  # (B, H)
        n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])  # (B, H)
        h_new = (1 - z) * n + z * h  # (B, H)
        active = (t < lengths)[:, None]  # (B, 1): this step is real data, not padding
        h = np.where(active, h_new, h)  # (B, H): finished sequences keep their last state
        output[:, t] = np.where(active, h_new, 0)  # (B, H)
    return output, h  # (B, T, H), (B, H)
