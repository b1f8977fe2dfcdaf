"""Reference solution: a GRU encoder-decoder with Luong (dot) attention, trained with teacher
forcing: the mean cross-entropy over every target token, and the attention weights."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


def gru_step(gi: np.ndarray, h: np.ndarray, W_hh: np.ndarray, b_hh: np.ndarray) -> np.ndarray:
    """One step of torch's GRU from the input projection gi = x W_ih^T + b_ih (B, 3H); gates r, z, n."""
    H = h.shape[1]
    gh = h @ W_hh.T + b_hh  # (B, 3H)
    r = sigmoid(gi[:, :H] + gh[:, :H])  # (B, H)
    z = sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])  # (B, H)
    n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])  # (B, H): r scales W_hn h + b_hn, bias included
    return (1 - z) * n + z * h  # (B, H)


def encode(x: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    """The encoder GRU over all S embedded source steps from h = 0; its outputs (B, S, H)."""
    B, S, _ = x.shape
    H = p["enc.weight_hh"].shape[1]
    gi = x @ p["enc.weight_ih"].T + p["enc.bias_ih"]  # (B, S, 3H)
    h = np.zeros((B, H), dtype=gi.dtype)  # (B, H)
    enc_out = np.zeros((B, S, H), dtype=gi.dtype)  # (B, S, H)
    for s in range(S):
        h = gru_step(gi[:, s], h, p["enc.weight_hh"], p["enc.bias_hh"])  # (B, H)
        enc_out[:, s] = h
    return enc_out


def attend(h: np.ndarray, enc_out: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Luong dot attention of h (B, H) over enc_out (B, S, H): (context (B, H), weights (B, S))."""
    scores = np.einsum("bsh,bh->bs", enc_out, h)  # (B, S)
    scores = np.where(mask, scores, -np.inf)  # (B, S): padding gets weight exactly 0
    e = np.exp(scores - scores.max(axis=1, keepdims=True))  # (B, S)
    a = e / e.sum(axis=1, keepdims=True)  # (B, S)
    return np.einsum("bs,bsh->bh", a, enc_out), a  # (B, H), (B, S)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """A stable log-softmax over the last axis."""
    shifted = logits - logits.max(axis=-1, keepdims=True)  # same shape as logits
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # same shape as logits


def seq2seq_loss(
    src: np.ndarray,
    src_lengths: np.ndarray,
    tgt: np.ndarray,
    params: dict[str, np.ndarray],
    bos: int,
) -> tuple[float, np.ndarray]:
    """Return (mean cross-entropy over all B*T target tokens, attention weights (B, T, S))."""
    p = params
    B, S = src.shape
    T = tgt.shape[1]
    enc_out = encode(p["src_embed"][src], p)  # (B, S, H): padding included, masked below
    mask = np.arange(S)[None, :] < np.asarray(src_lengths)[:, None]  # (B, S): True at real tokens
    h = enc_out[np.arange(B), np.asarray(src_lengths) - 1]  # (B, H): the last REAL step of each row
    y_in = np.concatenate([np.full((B, 1), bos), tgt[:, :-1]], axis=1)  # (B, T): teacher forcing
    gi = p["tgt_embed"][y_in] @ p["dec.weight_ih"].T + p["dec.bias_ih"]  # (B, T, 3H)
    attn = np.zeros((B, T, S), dtype=enc_out.dtype)  # (B, T, S)
    logits = []
    for t in range(T):
        h = gru_step(gi[:, t], h, p["dec.weight_hh"], p["dec.bias_hh"])  # (B, H)
        c, attn[:, t] = attend(h, enc_out, mask)  # (B, H), (B, S)
        h_tilde = np.tanh(np.concatenate([c, h], axis=1) @ p["W_c"].T + p["b_c"])  # (B, H): [c; h]
        logits.append(h_tilde @ p["W_out"].T + p["b_out"])  # (B, Vt)
    log_probs = log_softmax(np.stack(logits, axis=1))  # (B, T, Vt)
    nll = -np.take_along_axis(log_probs, tgt[..., None], axis=-1)[..., 0]  # (B, T)
    return float(nll.mean()), attn
