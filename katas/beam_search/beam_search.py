"""Kata beam_search: beam search with end-of-sequence and length normalisation.

Instructions: README.md next to this file (or `rnnprep kata beam_search`).
Check your work: `rnnprep kata beam_search --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def beam_search(step, bos, eos, beam_size, max_len, alpha=0.0):
    """Return (tokens, score): the best finished hypothesis of a beam search.

    Args:
        step:      function: int array (N, t) of prefixes, each starting with bos
                   -> (N, V) float64 log-probs of the next token (V includes bos and eos)
        bos, eos:  int token ids
        beam_size: int >= 1, how many extensions survive each step
        max_len:   int >= 1, the most tokens generated (bos not counted)
        alpha:     float, length normalisation: finished hypotheses compete by
                   raw / length**alpha, length = generated tokens, eos included

    Returns:
        tokens: (L,) int array, the winner without bos (ending in eos unless cut off at max_len)
        score:  float, the winner's raw / length**alpha
    """
    # TODO: alive = [[bos]] as an int array, scores = [0.0]            # (N, t), (N,)
    # TODO: each step: total = scores[:, None] + step(alive)            # (N, V)
    # TODO: keep the beam_size best of total.ravel() (stable sort, decreasing)  # (k,)
    # TODO: those ending in eos are finished; the others stay alive     # (n, t + 1)
    # TODO: after the loop, the alive ones are finished as they are; pick the best normalised
    raise NotImplementedError("beam_search: write the beam search")
