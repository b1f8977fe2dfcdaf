"""Reference solution: Luong (dot, general, scaled_dot) and Bahdanau (additive) attention
over padded encoder outputs, with a masked, numerically stable softmax."""

from __future__ import annotations

import numpy as np


def masked_softmax(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Softmax over the source axis of each row, exactly 0 where mask is False."""
    scores = np.where(mask, scores, -np.inf)  # (B, S): padding can never win
    shifted = scores - scores.max(axis=1, keepdims=True)  # (B, S): max 0, exp cannot overflow
    weights = np.exp(shifted)  # (B, S): exp(-inf) = 0 exactly
    return weights / weights.sum(axis=1, keepdims=True)  # (B, S)


def attend(scores: np.ndarray, keys: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(context, weights) from one score per source position."""
    weights = masked_softmax(scores, np.asarray(mask, dtype=bool))  # (B, S)
    context = np.einsum("bs,bsk->bk", weights, keys)  # (B, K): the weighted sum of the keys
    return context, weights


def luong_attention(
    query: np.ndarray,
    keys: np.ndarray,
    mask: np.ndarray,
    score: str = "dot",
    W_a: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Luong et al. 2015 global attention: query (B, Q), keys (B, S, K), mask (B, S) bool."""
    if score == "general":
        projected = query @ W_a  # (B, K): W_a^T q, since q^T W_a k = (W_a^T q) . k
        scores = np.einsum("bsk,bk->bs", keys, projected)  # (B, S)
    elif score in ("dot", "scaled_dot"):
        scores = np.einsum("bsk,bk->bs", keys, query)  # (B, S): needs Q == K
        if score == "scaled_dot":
            scores = scores / keys.shape[-1] ** 0.5  # (B, S): divided by sqrt(K), a Python float keeps float32
    else:
        raise ValueError(f"unknown score {score!r}: use 'dot', 'general' or 'scaled_dot'")
    return attend(scores, keys, mask)


def bahdanau_attention(
    query: np.ndarray,
    keys: np.ndarray,
    mask: np.ndarray,
    W_q: np.ndarray,
    W_k: np.ndarray,
    v: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Bahdanau et al. 2014 additive attention: score_s = v^T tanh(W_q q + W_k k_s)."""
    hidden = np.tanh((query @ W_q.T)[:, None, :] + keys @ W_k.T)  # (B, S, A)
    scores = hidden @ v  # (B, S)
    return attend(scores, keys, mask)
