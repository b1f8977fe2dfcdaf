"""Reference solution: inverted dropout with an explicit numpy Generator."""

from __future__ import annotations

import numpy as np


def dropout(
    x: np.ndarray, p: float, training: bool, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return (y, mask): y = x * mask / (1 - p) in training, y = x in evaluation."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x.copy(), np.ones(x.shape, dtype=bool)  # same shape as x, every unit kept
    if p == 1.0:  # everything dropped; 1 / (1 - p) would divide by zero
        return np.zeros_like(x), np.zeros(x.shape, dtype=bool)  # same shape as x
    mask = rng.random(x.shape) >= p  # same shape as x: True (kept) with probability 1 - p
    scale = 1.0 / (1.0 - float(p))  # a Python float keeps float32 inputs float32
    return x * mask * scale, mask  # same shape as x: E[y] = x
