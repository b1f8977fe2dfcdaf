"""Kata masked_loss: cross-entropy over the real tokens of a padded batch, and perplexity.

Instructions: README.md next to this file (or `rnnprep kata masked_loss`).
Check your work: `rnnprep kata masked_loss --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def masked_loss(logits, targets, lengths, average="token"):
    """Return (loss, perplexity) of a padded batch, counting only its real tokens.

    Args:
        logits:  (B, T, V) float32 or float64, the model's scores for every position
        targets: (B, T) int, the true token ids; at padded positions (t >= lengths[b]) they may
                 hold anything: -100, 0, or a real id
        lengths: (B,) int, 1 <= lengths[b] <= T: sequence b's real tokens are t < lengths[b]
        average: "token" (every real token weighs the same, like F.cross_entropy with
                 ignore_index) or "sequence" (the mean over sequences of each one's mean)

    Returns:
        loss:       float, the average picked by `average`
        perplexity: float, exp(the TOKEN-averaged loss), whatever `average` is
    """
    # TODO: the mask of real positions, t < lengths[b], from the lengths only    # (B, T) bool
    # TODO: a stable log-softmax over V (subtract the max before exp)             # (B, T, V)
    # TODO: per-position loss -log p[target]; replace padded targets by a valid
    #       id first (np.where), then zero the padded positions                    # (B, T)
    # TODO: token average, sequence average; perplexity = exp(token average)
    raise NotImplementedError("masked_loss: write the masked cross-entropy")
