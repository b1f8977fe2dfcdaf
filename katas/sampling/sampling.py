"""Kata sampling: temperature, top-k and nucleus (top-p) sampling from logits, reproducibly.

Instructions: README.md next to this file (or `rnnprep kata sampling`).
Check your work: `rnnprep kata sampling --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def sample(logits, rng, temperature=1.0, top_k=0, top_p=1.0, n=1):
    """Draw n tokens per row from the filtered distribution of the logits.

    Args:
        logits:      (B, V) float32 or float64, one row of next-token scores per batch item
        rng:         np.random.Generator: the ONLY source of randomness
        temperature: float > 0; the logits are divided by it
        top_k:       int; 0 means no top-k, otherwise keep the top_k largest logits (and ties)
        top_p:       float in (0, 1]; 1.0 means no nucleus, otherwise keep the smallest set of
                     most probable tokens whose probabilities add up to at least top_p
        n:           int, samples per row

    Returns:
        tokens: (B, n) int, token ids drawn from probs
        probs:  (B, V) the distribution sampled from: 0 for filtered tokens, rows sum to 1
    """
    # TODO: z = logits / temperature                                              # (B, V)
    # TODO: top-k: -inf below the k-th largest z of each row (ties kept)          # (B, V)
    # TODO: probs = stable softmax of z                                           # (B, V)
    # TODO: top-p: sort stably by decreasing probability, keep while the mass
    #       BEFORE a token is < top_p, zero the rest, renormalise                 # (B, V)
    # TODO: u = rng.random((B, n)) once; cdf = cumsum(probs) / its last value;
    #       token = the first id whose cdf exceeds u                             # (B, n)
    raise NotImplementedError("sampling: write the filters and the draw")
