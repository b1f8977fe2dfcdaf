"""Reference solution: one GRU step, as torch.nn.GRUCell computes it (gates stacked r, z, n)."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


def gru_cell(
    x_t: np.ndarray,
    h_prev: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> np.ndarray:
    """Return h_t for one step."""
    H = W_hh.shape[1]
    if h_prev is None:
        h_prev = np.zeros((x_t.shape[0], H), dtype=x_t.dtype)  # (B, H)
    gi = x_t @ W_ih.T + b_ih  # (B, 3H)
    gh = h_prev @ W_hh.T + b_hh  # (B, 3H): kept apart, r scales only its n block
    r = sigmoid(gi[:, 0 * H : 1 * H] + gh[:, 0 * H : 1 * H])  # (B, H) reset gate
    z = sigmoid(gi[:, 1 * H : 2 * H] + gh[:, 1 * H : 2 * H])  # (B, H) update gate
    n = np.tanh(gi[:, 2 * H : 3 * H] + r * gh[:, 2 * H : 3 * H])  # (B, H): r * (W_hn h + b_hn)
    return (1 - z) * n + z * h_prev  # (B, H): z keeps the old state
