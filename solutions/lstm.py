"""Reference solution: an LSTM over a batch-first sequence, as torch.nn.LSTM computes it."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


def lstm_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Return (output, (h_n, c_n)); gate blocks in torch's order i, f, g, o."""
    B, T, _ = x.shape
    H = W_hh.shape[1]
    # The input projection does not depend on the state: one matmul for all steps.
    xw = x @ W_ih.T + b_ih  # (B, T, 4H)
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0  # (B, H)
    c = np.zeros((B, H), dtype=x.dtype) if c0 is None else c0  # (B, H)
    output = np.empty((B, T, H), dtype=xw.dtype)  # (B, T, H)
    for t in range(T):
        gates = xw[:, t] + h @ W_hh.T + b_hh  # (B, 4H)
        i = sigmoid(gates[:, 0 * H : 1 * H])  # (B, H)
        f = sigmoid(gates[:, 1 * H : 2 * H])  # (B, H)
        g = np.tanh(gates[:, 2 * H : 3 * H])  # (B, H)
        o = sigmoid(gates[:, 3 * H : 4 * H])  # (B, H)
        c = f * c + i * g  # (B, H)
        h = o * np.tanh(c)  # (B, H)
        output[:, t] = h  # (B, H): the output sequence holds h, never c
    return output, (h, c)  # (B, T, H), ((B, H), (B, H))
