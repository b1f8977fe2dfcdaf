"""Reference solution: many-to-one LSTM classifier; cross-entropy loss and its gradients."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


def seq_classifier(
    x: np.ndarray,
    labels: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    W_out: np.ndarray,
    b_out: np.ndarray,
) -> tuple[float, dict[str, np.ndarray]]:
    """Return (mean cross-entropy, {"logits", "W_out", "b_out"} gradients of that loss)."""
    B, T, _ = x.shape
    H = W_hh.shape[1]
    xw = x @ W_ih.T + b_ih  # (B, T, 4H)
    h = np.zeros((B, H), dtype=xw.dtype)  # (B, H)
    c = np.zeros((B, H), dtype=xw.dtype)  # (B, H)
    for t in range(T):
        gates = xw[:, t] + h @ W_hh.T + b_hh  # (B, 4H)
        i, f, o = (sigmoid(gates[:, n * H : (n + 1) * H]) for n in (0, 1, 3))  # (B, H) each
        c = f * c + i * np.tanh(gates[:, 2 * H : 3 * H])  # (B, H)
        h = o * np.tanh(c)  # (B, H)
    logits = h @ W_out.T + b_out  # (B, C): only the last state is classified
    shifted = logits - logits.max(axis=1, keepdims=True)  # (B, C): exp cannot overflow
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (B, C)
    rows = np.arange(B)  # (B,)
    loss = float(-log_probs[rows, labels].mean())
    d_logits = np.exp(log_probs)  # (B, C): softmax ...
    d_logits[rows, labels] -= 1  # (B, C): ... minus the one-hot label
    d_logits /= B  # (B, C): the loss is a mean over the batch
    return loss, {
        "logits": d_logits,  # (B, C)
        "W_out": d_logits.T @ h,  # (C, H)
        "b_out": d_logits.sum(axis=0),  # (C,)
    }
