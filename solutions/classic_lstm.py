"""Reference solution: the tutorial-style LSTM (gates act on vstack((h, x)), column vectors)."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function; the tanh form never overflows, unlike 1 / (1 + exp(-a))."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


class LSTM:
    """One sequence through an LSTM, then y = Wy h_T + by."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        rng = np.random.default_rng()
        H, Z = hidden_size, hidden_size + input_size
        self.Wf = rng.standard_normal((H, Z)) * 0.1  # (H, H+I) forget gate
        self.Wi = rng.standard_normal((H, Z)) * 0.1  # (H, H+I) input gate
        self.WC = rng.standard_normal((H, Z)) * 0.1  # (H, H+I) candidate cell
        self.Wo = rng.standard_normal((H, Z)) * 0.1  # (H, H+I) output gate
        self.bf = np.zeros((H, 1))  # (H, 1)
        self.bi = np.zeros((H, 1))  # (H, 1)
        self.bC = np.zeros((H, 1))  # (H, 1)
        self.bo = np.zeros((H, 1))  # (H, 1)
        self.Wy = rng.standard_normal((output_size, H)) * 0.1  # (O, H)
        self.by = np.zeros((output_size, 1))  # (O, 1)

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (y, h_T, c_T) for X of shape (T, I, 1); h and c start at zero."""
        H = self.Wf.shape[0]
        h = np.zeros((H, 1), dtype=X.dtype)  # (H, 1)
        c = np.zeros((H, 1), dtype=X.dtype)  # (H, 1)
        for x in X:  # x: (I, 1)
            z = np.vstack((h, x))  # (H+I, 1): h on top, as the weights expect
            f = sigmoid(self.Wf @ z + self.bf)  # (H, 1)
            i = sigmoid(self.Wi @ z + self.bi)  # (H, 1)
            c_tilde = np.tanh(self.WC @ z + self.bC)  # (H, 1)
            o = sigmoid(self.Wo @ z + self.bo)  # (H, 1)
            c = f * c + i * c_tilde  # (H, 1)
            h = o * np.tanh(c)  # (H, 1)
        y = self.Wy @ h + self.by  # (O, 1)
        return y, h, c  # (O, 1), (H, 1), (H, 1)
