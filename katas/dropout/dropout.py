"""Kata dropout: inverted dropout with an explicit numpy Generator.

Instructions: README.md next to this file (or `rnnprep kata dropout`).
Check your work: `rnnprep kata dropout --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def dropout(x, p, training, rng):
    """Return (y, mask).

    Args:
        x:        (...)  any shape, float32 or float64
        p:        float in [0, 1], the probability of DROPPING a unit
        training: bool; in evaluation (False) dropout is the identity
        rng:      np.random.Generator — draw all randomness from it (e.g. rng.random(x.shape))

    Returns:
        y:    (...)  same shape and dtype as x: x * mask / (1 - p) in training, x in evaluation
        mask: (...)  bool, same shape as x, True where the unit is kept
    """
    # TODO: evaluation (or p == 0): y is x, every unit kept
    # TODO: p == 1: everything dropped (do not divide by zero)
    # TODO: keep each unit with probability 1 - p, using rng          # (...) bool
    # TODO: scale the kept units by 1 / (1 - p)                       # (...)
    raise NotImplementedError("dropout: write inverted dropout")
