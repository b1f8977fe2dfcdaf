"""Reference solution: clip gradients by their global norm, as torch.nn.utils.clip_grad_norm_."""

from __future__ import annotations

import math

import numpy as np


def clip_grad_norm(
    grads: dict[str, np.ndarray], max_norm: float, norm_type: float = 2.0
) -> tuple[dict[str, np.ndarray], float]:
    """Return (clipped copies of grads, the total norm before clipping)."""
    if not grads:
        return {}, 0.0
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads.values())
    else:
        # The norm of all gradients as one long vector = the norm of the per-array norms.
        per_array = np.array([np.sum(np.abs(g) ** norm_type) for g in grads.values()])  # (N,)
        total = float(np.sum(per_array) ** (1.0 / norm_type))  # (): a scalar
    # torch adds 1e-6 so a zero norm never divides by zero, and never scales up (coef <= 1).
    coef = min(max_norm / (total + 1e-6), 1.0)
    return {name: g * coef for name, g in grads.items()}, total  # each same shape as its input
