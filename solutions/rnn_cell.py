"""Reference solution: one step of an Elman RNN, as torch.nn.RNNCell computes it."""

from __future__ import annotations

import numpy as np


def rnn_cell(
    x_t: np.ndarray,
    h_prev: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    nonlinearity: str = "tanh",
) -> np.ndarray:
    """h_t = act(x_t W_ih^T + b_ih + h_prev W_hh^T + b_hh)."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    if h_prev is None:  # torch's convention: a missing state means zeros
        h_prev = np.zeros((x_t.shape[0], W_hh.shape[1]), dtype=x_t.dtype)  # (B, H)
    a = x_t @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, H): two biases, both added
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)  # (B, H)
