"""Reference solution: temperature, top-k and nucleus (top-p) sampling, reproducible from rng."""

from __future__ import annotations

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    """Row softmax; -inf logits get probability exactly 0."""
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (B, V)
    return e / e.sum(axis=1, keepdims=True)  # (B, V)


def top_k_filter(z: np.ndarray, top_k: int) -> np.ndarray:
    """-inf below the k-th largest logit of each row; ties at the k-th value are all kept."""
    k = min(top_k, z.shape[1])
    kth = np.sort(z, axis=1)[:, -k, None]  # (B, 1)
    return np.where(z < kth, -np.inf, z)  # (B, V)


def nucleus(probs: np.ndarray, top_p: float) -> np.ndarray:
    """True for the smallest set of most probable tokens whose mass reaches top_p (the crossing
    token included, at least one token), sorted stably so that ties keep token order."""
    order = np.argsort(-probs, axis=1, kind="stable")  # (B, V): most probable first
    ranked = np.take_along_axis(probs, order, axis=1)  # (B, V)
    keep_ranked = np.cumsum(ranked, axis=1) - ranked < top_p  # (B, V): the mass BEFORE each token
    keep_ranked[:, 0] = True  # (B, V)
    keep = np.zeros(probs.shape, dtype=bool)  # (B, V)
    np.put_along_axis(keep, order, keep_ranked, axis=1)
    return keep


def sample(
    logits: np.ndarray,
    rng: np.random.Generator,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    n: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (tokens (B, n) int64, probs (B, V)); see README.md for the order of the filters."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    z = logits / temperature  # (B, V)
    if top_k > 0:
        z = top_k_filter(z, top_k)  # (B, V)
    probs = softmax(z)  # (B, V)
    if top_p < 1.0:
        probs = np.where(nucleus(probs, top_p), probs, 0.0)  # (B, V)
        probs = probs / probs.sum(axis=1, keepdims=True)  # (B, V): renormalised
    u = rng.random((len(probs), n))  # (B, n): drawn once, row by row
    cdf = np.cumsum(probs, axis=1)  # (B, V)
    cdf = cdf / cdf[:, -1:]  # (B, V): the last value is exactly 1.0, so every u < 1 finds a token
    tokens = (u[:, :, None] >= cdf[:, None, :]).sum(axis=2)  # (B, n): the first id with cdf > u
    return tokens.astype(np.int64), probs
