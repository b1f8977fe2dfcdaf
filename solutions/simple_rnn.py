"""Reference solution: the tutorial-style RNN (column vectors, one sequence, many-to-one)."""

from __future__ import annotations

import numpy as np


class SimpleRNN:
    """h_t = tanh(Wxh x_t + Whh h_{t-1} + bh);  y = Why h_T + by."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        rng = np.random.default_rng()
        self.Wxh = rng.standard_normal((hidden_size, input_size)) * 0.01  # (H, I)
        self.Whh = rng.standard_normal((hidden_size, hidden_size)) * 0.01  # (H, H)
        self.Why = rng.standard_normal((output_size, hidden_size)) * 0.01  # (O, H)
        self.bh = np.zeros((hidden_size, 1))  # (H, 1)
        self.by = np.zeros((output_size, 1))  # (O, 1)

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (y, h_T) for X of shape (T, I, 1); the state starts at zero."""
        h = np.zeros((self.Whh.shape[0], 1), dtype=X.dtype)  # (H, 1)
        for x in X:  # x: (I, 1)
            h = np.tanh(self.Wxh @ x + self.Whh @ h + self.bh)  # (H, 1)
        y = self.Why @ h + self.by  # (O, 1): read out once, from the last state
        return y, h  # (O, 1), (H, 1)
