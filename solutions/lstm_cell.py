"""Reference solution: one LSTM step, as torch.nn.LSTMCell computes it (gates stacked i, f, g, o)."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


def lstm_cell(
    x_t: np.ndarray,
    h_prev: np.ndarray | None,
    c_prev: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (h_t, c_t) for one step."""
    B = x_t.shape[0]
    H = W_hh.shape[1]
    if h_prev is None:
        h_prev = np.zeros((B, H), dtype=x_t.dtype)  # (B, H)
    if c_prev is None:
        c_prev = np.zeros((B, H), dtype=x_t.dtype)  # (B, H)
    gates = x_t @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 4H)
    i = sigmoid(gates[:, 0 * H : 1 * H])  # (B, H) input gate
    f = sigmoid(gates[:, 1 * H : 2 * H])  # (B, H) forget gate
    g = np.tanh(gates[:, 2 * H : 3 * H])  # (B, H) candidate: tanh, not sigmoid
    o = sigmoid(gates[:, 3 * H : 4 * H])  # (B, H) output gate
    c_t = f * c_prev + i * g  # (B, H)
    h_t = o * np.tanh(c_t)  # (B, H): squash the cell before gating it
    return h_t, c_t  # (B, H), (B, H)
