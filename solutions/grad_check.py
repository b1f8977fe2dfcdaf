"""Reference solution of grad_check: central finite differences and the relative error per parameter."""

from __future__ import annotations

import numpy as np


def numeric_gradient(loss, params, name, eps):
    """d loss / d params[name] by central differences, one entry at a time, on copies of params."""
    p = {key: value.copy() for key, value in params.items()}  # the caller's arrays stay untouched
    grad = np.zeros_like(p[name])  # same shape as params[name]
    for idx in np.ndindex(grad.shape):
        old = p[name][idx]
        p[name][idx] = old + eps
        up = loss(p)
        p[name][idx] = old - eps
        down = loss(p)
        p[name][idx] = old  # put it back before the next entry
        grad[idx] = (up - down) / (2 * eps)  # error O(eps^2); a one-sided difference is O(eps)
    return grad


def relative_error(g, n):
    """||g - n|| / (||g|| + ||n||), 0.0 when both are exactly zero."""
    denominator = np.linalg.norm(g) + np.linalg.norm(n)
    return float(np.linalg.norm(g - n) / denominator) if denominator > 0 else 0.0


def grad_check(loss, params, grads, eps=1e-5):
    """Return (numeric gradients, relative error of each claimed gradient)."""
    numeric = {name: numeric_gradient(loss, params, name, eps) for name in params}  # each like params[name]
    rel_error = {name: relative_error(grads[name], numeric[name]) for name in params}
    return numeric, rel_error
