"""Kata packed_rnn: a GRU over right-padded sequences of different lengths.

Instructions: README.md next to this file (or `rnnprep kata packed_rnn`).
Check your work: `rnnprep kata packed_rnn --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), elementwise."""
    # TODO
    raise NotImplementedError("sigmoid")


def gru_forward_lengths(x, lengths, h0, W_ih, W_hh, b_ih, b_hh):
    """Return (output, h_n) as nn.GRU over pack_padded_sequence(x, lengths, enforce_sorted=False).

    Args:
        x:       (B, T, I)  right-padded: x[b, lengths[b]:] is padding
        lengths: (B,)       ints, 1 <= lengths[b] <= T, in any order
        h0:      (B, H) or None (zeros)
        W_ih:    (3H, I), W_hh: (3H, H), b_ih: (3H,), b_hh: (3H,)   gates r, z, n as in nn.GRU

    Returns:
        output: (B, T, H)  zero at every padded position
        h_n:    (B, H)     row b is the state after step lengths[b] - 1
    """
    # TODO: the usual GRU step (see the gru kata)                         # (B, H)
    # TODO: a mask of the rows still running at step t                    # (B, 1)
    # TODO: finished rows keep their state; padded outputs stay zero
    raise NotImplementedError("gru_forward_lengths: write the masked GRU")
