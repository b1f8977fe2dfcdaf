"""Reference solution: a multi-layer, optionally bidirectional LSTM, as torch.nn.LSTM."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


def run_direction(
    x: np.ndarray, h: np.ndarray, c: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray,
    b_ih: np.ndarray, b_hh: np.ndarray, reverse: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One layer in one direction: (output (B, T, H), h_n, c_n)."""
    B, T, _ = x.shape
    H = W_hh.shape[1]
    xw = x @ W_ih.T + b_ih  # (B, T, 4H)
    output = np.empty((B, T, H), dtype=xw.dtype)  # (B, T, H)
    for t in reversed(range(T)) if reverse else range(T):
        gates = xw[:, t] + h @ W_hh.T + b_hh  # (B, 4H)
        i, f, o = (sigmoid(gates[:, n * H : (n + 1) * H]) for n in (0, 1, 3))  # (B, H) each
        g = np.tanh(gates[:, 2 * H : 3 * H])  # (B, H)
        c = f * c + i * g  # (B, H)
        h = o * np.tanh(c)  # (B, H)
        output[:, t] = h  # (B, H): stored at the original position, even when reversed
    return output, h, c  # (B, T, H), (B, H), (B, H)


def lstm_forward_multi(
    x: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    params: dict[str, np.ndarray],
    num_layers: int,
    bidirectional: bool,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Return (output (B, T, D*H), (h_n, c_n) each (num_layers*D, B, H)) like nn.LSTM(batch_first)."""
    D = 2 if bidirectional else 1
    B = x.shape[0]
    H = params["weight_hh_l0"].shape[1]
    h0 = np.zeros((num_layers * D, B, H), dtype=x.dtype) if h0 is None else h0  # (L*D, B, H)
    c0 = np.zeros((num_layers * D, B, H), dtype=x.dtype) if c0 is None else c0  # (L*D, B, H)
    h_n, c_n = [], []
    layer_input = x  # (B, T, I) for layer 0, then (B, T, D*H)
    for layer in range(num_layers):
        outputs = []
        for direction in range(D):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            index = layer * D + direction  # torch's order: layer-major, forward before reverse
            out, h, c = run_direction(
                layer_input, h0[index], c0[index], params["weight_ih" + suffix],
                params["weight_hh" + suffix], params["bias_ih" + suffix], params["bias_hh" + suffix],
                reverse=direction == 1,
            )
            outputs.append(out)  # (B, T, H)
            h_n.append(h)  # (B, H)
            c_n.append(c)  # (B, H)
        layer_input = np.concatenate(outputs, axis=2)  # (B, T, D*H): forward then reverse
    return layer_input, (np.stack(h_n), np.stack(c_n))  # (B, T, D*H), ((L*D, B, H), (L*D, B, H))
