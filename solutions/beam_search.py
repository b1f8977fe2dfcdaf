"""Reference solution of beam_search: beam search with end-of-sequence and length normalisation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def extensions(step: Callable[[np.ndarray], np.ndarray], alive: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The summed log-prob of every alive hypothesis extended by every token: (N, V)."""
    return scores[:, None] + step(alive)  # (N, V)


def beam_search(step, bos, eos, beam_size, max_len, alpha=0.0):
    """Return (tokens without bos, score / length**alpha) of the best finished hypothesis."""
    alive = np.full((1, 1), bos, dtype=np.int64)  # (N, t): every hypothesis starts with bos
    scores = np.zeros(1)  # (N,): summed log-probs (sums never underflow, products do)
    finished = []  # (generated tokens, raw score) in the order they finish
    for _ in range(max_len):
        if len(alive) == 0:  # every hypothesis has finished
            break
        total = extensions(step, alive, scores)  # (N, V)
        flat = total.ravel()  # (N * V,): hypothesis-major, so index = hyp * V + token
        best = np.argsort(-flat, kind="stable")[:beam_size]  # (k,): ties -> earlier hypothesis, lower token
        hyp, token = np.divmod(best, total.shape[1])  # (k,), (k,)
        grown = np.concatenate([alive[hyp], token[:, None]], axis=1)  # (k, t + 1)
        ends = token == eos  # (k,)
        finished += [(tokens[1:], score) for tokens, score in zip(grown[ends], flat[best][ends], strict=True)]
        alive, scores = grown[~ends], flat[best][~ends]  # (n, t + 1), (n,): the beam may shrink
    finished += [(tokens[1:], score) for tokens, score in zip(alive, scores, strict=True)]  # cut off at max_len
    normalised = [score / len(tokens) ** alpha for tokens, score in finished]  # bos is not counted
    winner = int(np.argmax(normalised))  # the first finished wins a tie
    return finished[winner][0], float(normalised[winner])
