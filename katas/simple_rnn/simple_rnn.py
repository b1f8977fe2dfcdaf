"""Kata simple_rnn: the tutorial RNN class, column vectors, one sequence, one output at the end.

Instructions: README.md next to this file (or `rnnprep kata simple_rnn`).
Check your work: `rnnprep kata simple_rnn --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


class SimpleRNN:
    """h_t = tanh(Wxh x_t + Whh h_{t-1} + bh) with h_0 = 0;  y = Why h_T + by."""

    def __init__(self, input_size, hidden_size, output_size):
        # The grader overwrites these attributes with its own values after construction,
        # so forward() must read them from self each time it is called.
        rng = np.random.default_rng()
        self.Wxh = rng.standard_normal((hidden_size, input_size)) * 0.01  # (H, I)
        self.Whh = rng.standard_normal((hidden_size, hidden_size)) * 0.01  # (H, H)
        self.Why = rng.standard_normal((output_size, hidden_size)) * 0.01  # (O, H)
        self.bh = np.zeros((hidden_size, 1))  # (H, 1)
        self.by = np.zeros((output_size, 1))  # (O, 1)

    def forward(self, X):
        """Run the sequence X and return (y, h).

        Args:
            X: (T, I, 1)  T column vectors x_t of shape (I, 1)

        Returns:
            y: (O, 1)  Why h_T + by, computed once from the last state
            h: (H, 1)  the hidden state after the last step
        """
        # TODO: h starts at zeros                          # (H, 1)
        # TODO: for each x_t in X: update h with tanh      # (H, 1)
        # TODO: y from the last h                          # (O, 1)
        raise NotImplementedError("SimpleRNN.forward: write the loop")
