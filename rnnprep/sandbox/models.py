"""Callables the grader hands to a submission: tiny models the child builds from arrays.

Some katas take a function, not just arrays: beam search needs a step function that scores
the next token, a gradient check needs the loss it checks. A function cannot cross the
pipe, so the grader sends a ``protocol.Model`` (a kind and its arrays) and the child builds
the function here, in NumPy, float64. The submission gets a plain Python function; whatever
it does to it changes only its own answers, because the grader computes its reference
independently (with torch, in the hidden suite), and the content tests prove that each
model here equals that torch reference.

Both processes load this module: the child by path (standard library only at import time,
numpy is imported inside the builders), the grader as ``rnnprep.sandbox.models``.

Kinds:

``lm_step``: a tanh-RNN language model. Arrays ``embed (V, D)``, ``W_xh (H, D)``,
``W_hh (H, H)``, ``b_h (H,)``, ``W_hy (V, H)``, ``b_y (V,)``. The function
``step(prefixes)`` takes an int array of token ids, ``(N, t)`` for N hypotheses of length
t >= 1 (or ``(t,)`` for one), runs the RNN over each from h = 0 and returns the log-probs
of the next token, ``(N, V)`` (or ``(V,)``)::

    h_0 = 0;  h_s = tanh(W_xh embed[tok_s] + W_hh h_(s-1) + b_h);  log_softmax(W_hy h_t + b_y)

``rnn_loss``: the mean cross-entropy of a tanh RNN classifier over a fixed batch. Arrays
``x (B, T, I)`` and ``targets (B, T)`` (ints < C). The function ``loss(params)`` takes a dict
``{"W_xh": (H, I), "W_hh": (H, H), "b_h": (H,), "W_hy": (C, H), "b_y": (C,)}`` and returns
a Python float::

    h_0 = 0;  h_t = tanh(x_t W_xh^T + h_(t-1) W_hh^T + b_h);  logits_t = h_t W_hy^T + b_y
    loss = mean over (b, t) of -log_softmax(logits_t)[targets[b, t]]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

KINDS: dict[str, tuple[str, ...]] = {  # kind -> the arrays it is built from
    "lm_step": ("embed", "W_xh", "W_hh", "b_h", "W_hy", "b_y"),
    "rnn_loss": ("x", "targets"),
}
LOSS_PARAMS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


class ModelError(ValueError):
    """Arrays that do not make the model (the grader's bug, or a forged message)."""


def build(kind: str, arrays: Mapping[str, Any]) -> Callable[..., Any]:
    """The function a Model stands for."""
    if kind not in KINDS or set(arrays) != set(KINDS[kind]):
        raise ModelError(f"no model {kind!r} with arrays {sorted(arrays)}")
    return {"lm_step": _lm_step, "rnn_loss": _rnn_loss}[kind](arrays)


def _log_softmax(logits: Any) -> Any:
    """Stable log-softmax over the last axis."""
    import numpy as np

    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _lm_step(arrays: Mapping[str, Any]) -> Callable[[Any], Any]:
    import numpy as np

    a = {k: np.array(v, dtype=np.float64) for k, v in arrays.items()}  # private copies
    vocab = a["embed"].shape[0]

    def step(prefixes: Any) -> Any:
        """Log-probs of the next token after each prefix: (N, t) ints -> (N, V)."""
        tokens = np.asarray(prefixes)
        single = tokens.ndim == 1
        tokens = tokens[None, :] if single else tokens  # (N, t)
        if tokens.ndim != 2 or tokens.shape[1] < 1 or tokens.dtype.kind not in "iu":
            raise ValueError(f"step() takes an int array of prefixes, shape (N, t) with t >= 1 or (t,); "
                             f"got {tokens.dtype} {np.shape(prefixes)}")  # fmt: skip
        if tokens.size and (tokens.min() < 0 or tokens.max() >= vocab):
            raise ValueError(f"step(): token ids must lie in [0, {vocab}); got {tokens.min()}..{tokens.max()}")
        h = np.zeros((tokens.shape[0], a["W_hh"].shape[0]))  # (N, H)
        for s in range(tokens.shape[1]):
            h = np.tanh(a["embed"][tokens[:, s]] @ a["W_xh"].T + h @ a["W_hh"].T + a["b_h"])  # (N, H)
        log_probs = _log_softmax(h @ a["W_hy"].T + a["b_y"])  # (N, V)
        return log_probs[0] if single else log_probs

    return step


def _rnn_loss(arrays: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], float]:
    import numpy as np

    x = np.array(arrays["x"], dtype=np.float64)  # (B, T, I)
    targets = np.array(arrays["targets"], dtype=np.int64)  # (B, T)

    def loss(params: Mapping[str, Any]) -> float:
        """Mean cross-entropy of the tanh RNN with these params over the fixed batch."""
        if not isinstance(params, Mapping) or set(params) != set(LOSS_PARAMS):
            raise ValueError(f"loss() takes a dict with the keys {', '.join(LOSS_PARAMS)}")
        p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
        B, T, _ = x.shape
        h = np.zeros((B, p["W_hh"].shape[0]))  # (B, H)
        total = 0.0
        for t in range(T):
            h = np.tanh(x[:, t] @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])  # (B, H)
            log_probs = _log_softmax(h @ p["W_hy"].T + p["b_y"])  # (B, C)
            total -= float(log_probs[np.arange(B), targets[:, t]].sum())
        return total / (B * T)

    return loss
