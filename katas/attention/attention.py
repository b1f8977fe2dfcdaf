"""Kata attention: Luong (dot, general, scaled_dot) and Bahdanau (additive) attention over
padded encoder outputs, with a masked softmax.

Instructions: README.md next to this file (or `rnnprep kata attention`).
Check your work: `rnnprep kata attention --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def luong_attention(query, keys, mask, score="dot", W_a=None):
    """Return (context, weights) of Luong et al.'s global attention.

    Args:
        query: (B, Q)     the decoder state h_t, one per batch item
        keys:  (B, S, K)  the encoder outputs h_s (also the values that are averaged)
        mask:  (B, S)     bool, True at real positions (every row has at least one)
        score: "dot" (keys . q, needs Q == K), "general" (q^T W_a k_s) or "scaled_dot"
               (keys . q / sqrt(K))
        W_a:   (Q, K)     the bilinear weight of "general" (None otherwise)

    Returns:
        context: (B, K)  sum over s of weights[:, s] * keys[:, s]
        weights: (B, S)  a softmax over the real positions of each row, exactly 0 where masked
    """
    # TODO: one score per source position for the chosen score          # (B, S)
    # TODO: masked positions -> -inf, then a stable softmax over axis 1   # (B, S)
    # TODO: the context is the weighted sum of the keys                   # (B, K)
    raise NotImplementedError("luong_attention: score, mask, softmax, weighted sum")


def bahdanau_attention(query, keys, mask, W_q, W_k, v):
    """Return (context, weights) of Bahdanau et al.'s additive attention.

    Args:
        query: (B, Q)     the decoder state
        keys:  (B, S, K)  the encoder outputs (also the values)
        mask:  (B, S)     bool, True at real positions
        W_q:   (A, Q)     projects the query
        W_k:   (A, K)     projects every key
        v:     (A,)       reduces tanh(W_q q + W_k k_s) to one score

    Returns:
        context: (B, K), weights: (B, S), as luong_attention
    """
    # TODO: project the query and every key, add, tanh                     # (B, S, A)
    # TODO: one score per position with v                                   # (B, S)
    # TODO: the same masked softmax and weighted sum as luong_attention
    raise NotImplementedError("bahdanau_attention: additive score, mask, softmax, weighted sum")
