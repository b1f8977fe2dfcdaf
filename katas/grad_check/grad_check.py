"""Kata grad_check: a finite-difference gradient check of an RNN's loss.

Instructions: README.md next to this file (or `rnnprep kata grad_check`).
Check your work: `rnnprep kata grad_check --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def grad_check(loss, params, grads, eps=1e-5):
    """Return (numeric, rel_error).

    Args:
        loss:   function: a params dict -> float, the model's loss (call it as loss(params))
        params: dict of float64 arrays: W_xh (H, I), W_hh (H, H), b_h (H,), W_hy (C, H), b_y (C,);
                do not change the caller's arrays
        grads:  dict with the same keys and shapes: claimed analytic gradients to check
        eps:    float, the finite-difference step

    Returns:
        numeric:   dict, for each key an array shaped like params[key]: the central difference
                   (loss(p + eps) - loss(p - eps)) / (2 * eps), one entry at a time
        rel_error: dict, for each key a float: ||grads - numeric|| / (||grads|| + ||numeric||),
                   0.0 when both norms are 0
    """
    # TODO: copies of the params arrays, so the caller's arrays stay as they are
    # TODO: for each key and each entry idx (np.ndindex): nudge up, loss, nudge down, loss, restore
    # TODO: numeric[key][idx] = (up - down) / (2 * eps)                     # like params[key]
    # TODO: rel_error[key] from the norms of grads[key] - numeric[key], grads[key], numeric[key]
    raise NotImplementedError("grad_check: write the finite-difference check")
