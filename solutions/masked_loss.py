"""Reference solution: cross-entropy over the real tokens of a padded batch, and perplexity."""

from __future__ import annotations

import numpy as np


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Stable log-softmax over the last axis: the largest exponent is exp(0) = 1."""
    shifted = logits - logits.max(axis=-1, keepdims=True)  # (B, T, V)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # (B, T, V)


def masked_loss(
    logits: np.ndarray, targets: np.ndarray, lengths: np.ndarray, average: str = "token"
) -> tuple[float, float]:
    """Return (loss, perplexity) over the real positions t < lengths[b]; see README.md."""
    if average not in ("token", "sequence"):
        raise ValueError(f"average must be 'token' or 'sequence', got {average!r}")
    T = logits.shape[1]
    lengths = np.asarray(lengths)  # (B,)
    real = np.arange(T)[None, :] < lengths[:, None]  # (B, T): False on padding, whatever targets holds
    safe = np.where(real, targets, 0)  # (B, T): a valid id at padded positions (masked below)
    picked = np.take_along_axis(log_softmax(logits), safe[..., None], axis=-1)[..., 0]  # (B, T)
    nll = np.where(real, -picked, 0.0)  # (B, T): padding contributes nothing
    per_token = float(nll.sum() / real.sum())
    per_sequence = float(np.mean(nll.sum(axis=1) / lengths))
    loss = per_token if average == "token" else per_sequence
    return loss, float(np.exp(per_token))  # perplexity is per token, whatever the average
