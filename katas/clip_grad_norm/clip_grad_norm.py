"""Kata clip_grad_norm: clip by global norm, as torch.nn.utils.clip_grad_norm_.

Instructions: README.md next to this file (or `rnnprep kata clip_grad_norm`).
Check your work: `rnnprep kata clip_grad_norm --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import math

import numpy as np


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    """Return (clipped, total_norm).

    Args:
        grads:     dict name -> array (any shapes); do not modify these arrays
        max_norm:  float > 0
        norm_type: float p of the p-norm, or math.inf for the max-norm

    Returns:
        clipped:    dict with the same keys, each array the same shape as its input
        total_norm: float, the norm of all gradients taken together, BEFORE clipping
    """
    # TODO: total_norm over all arrays as one long vector (norm_type p, or max |g| for inf)
    # TODO: coef = max_norm / (total_norm + 1e-6), never above 1
    # TODO: scaled copies of every array
    raise NotImplementedError("clip_grad_norm: write global-norm clipping")
