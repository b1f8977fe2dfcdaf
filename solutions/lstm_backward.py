"""Reference solution: backpropagation through time for an LSTM (gates i, f, g, o), by hand."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


def lstm_backward(
    x: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    d_output: np.ndarray,
    d_h_n: np.ndarray,
    d_c_n: np.ndarray,
) -> dict[str, np.ndarray]:
    """Gradients of L = sum(output * d_output) + sum(h_n * d_h_n) + sum(c_n * d_c_n)."""
    B, T, _ = x.shape
    H = W_hh.shape[1]
    xw = x @ W_ih.T + b_ih  # (B, T, 4H)
    hs = np.empty((B, T + 1, H), dtype=xw.dtype)  # (B, T+1, H): hs[:, t] is h_{t-1}
    cs = np.empty((B, T + 1, H), dtype=xw.dtype)  # (B, T+1, H): cs[:, t] is c_{t-1}
    acts = np.empty((B, T, 4 * H), dtype=xw.dtype)  # (B, T, 4H): i, f, g, o after activation
    hs[:, 0] = 0 if h0 is None else h0  # (B, H)
    cs[:, 0] = 0 if c0 is None else c0  # (B, H)
    for t in range(T):
        gates = xw[:, t] + hs[:, t] @ W_hh.T + b_hh  # (B, 4H)
        acts[:, t, : 2 * H] = sigmoid(gates[:, : 2 * H])  # (B, 2H): i, f
        acts[:, t, 2 * H : 3 * H] = np.tanh(gates[:, 2 * H : 3 * H])  # (B, H): g
        acts[:, t, 3 * H :] = sigmoid(gates[:, 3 * H :])  # (B, H): o
        i, f, g, o = np.split(acts[:, t], 4, axis=1)  # (B, H) each
        cs[:, t + 1] = f * cs[:, t] + i * g  # (B, H)
        hs[:, t + 1] = o * np.tanh(cs[:, t + 1])  # (B, H)
    da = np.empty((B, T, 4 * H), dtype=xw.dtype)  # (B, T, 4H): dL/d(gate pre-activations)
    dh = d_h_n.astype(xw.dtype, copy=True)  # (B, H)
    dc = d_c_n.astype(xw.dtype, copy=True)  # (B, H)
    for t in reversed(range(T)):
        i, f, g, o = np.split(acts[:, t], 4, axis=1)  # (B, H) each
        tanh_c = np.tanh(cs[:, t + 1])  # (B, H)
        dh = dh + d_output[:, t]  # (B, H)
        dc = dc + dh * o * (1 - tanh_c**2)  # (B, H): c reaches L directly and through h
        da[:, t, :H] = dc * g * i * (1 - i)  # (B, H): input gate
        da[:, t, H : 2 * H] = dc * cs[:, t] * f * (1 - f)  # (B, H): forget gate
        da[:, t, 2 * H : 3 * H] = dc * i * (1 - g**2)  # (B, H): candidate
        da[:, t, 3 * H :] = dh * tanh_c * o * (1 - o)  # (B, H): output gate
        dh = da[:, t] @ W_hh  # (B, H): to h_{t-1}
        dc = dc * f  # (B, H): to c_{t-1}, the additive path
    return {
        "x": da @ W_ih,  # (B, T, I)
        "h0": dh,  # (B, H)
        "c0": dc,  # (B, H)
        "W_ih": np.einsum("btg,bti->gi", da, x),  # (4H, I)
        "W_hh": np.einsum("btg,btk->gk", da, hs[:, :-1]),  # (4H, H)
        "b_ih": da.sum(axis=(0, 1)),  # (4H,)
        "b_hh": da.sum(axis=(0, 1)),  # (4H,)
    }
