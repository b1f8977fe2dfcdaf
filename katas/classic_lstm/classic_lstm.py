"""Kata classic_lstm: the tutorial LSTM class, gates acting on the stacked column [h; x].

Instructions: README.md next to this file (or `rnnprep kata classic_lstm`).
Check your work: `rnnprep kata classic_lstm --check`.  NumPy only: no torch here.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), elementwise."""
    # TODO
    raise NotImplementedError("sigmoid")


class LSTM:
    """One sequence through an LSTM (h_0 = c_0 = 0), then y = Wy h_T + by."""

    def __init__(self, input_size, hidden_size, output_size):
        # The grader overwrites these attributes with its own values after construction,
        # so forward() must read them from self each time it is called.
        rng = np.random.default_rng()
        H, Z = hidden_size, hidden_size + input_size
        self.Wf = rng.standard_normal((H, Z)) * 0.1  # (H, H+I) forget gate, acts on [h; x]
        self.Wi = rng.standard_normal((H, Z)) * 0.1  # (H, H+I) input gate
        self.WC = rng.standard_normal((H, Z)) * 0.1  # (H, H+I) candidate cell
        self.Wo = rng.standard_normal((H, Z)) * 0.1  # (H, H+I) output gate
        self.bf = np.zeros((H, 1))  # (H, 1)
        self.bi = np.zeros((H, 1))  # (H, 1)
        self.bC = np.zeros((H, 1))  # (H, 1)
        self.bo = np.zeros((H, 1))  # (H, 1)
        self.Wy = rng.standard_normal((output_size, H)) * 0.1  # (O, H)
        self.by = np.zeros((output_size, 1))  # (O, 1)

    def forward(self, X):
        """Run the sequence X and return (y, h, c).

        Args:
            X: (T, I, 1)  T column vectors x_t of shape (I, 1)

        Returns:
            y: (O, 1)  Wy h_T + by
            h: (H, 1)  hidden state after the last step
            c: (H, 1)  cell state after the last step
        """
        # TODO: h and c start at zeros                                  # (H, 1)
        # TODO: for each x_t: z = [h; x_t]                               # (H+I, 1)
        # TODO: gates f, i, o (sigmoid) and candidate C~ (tanh)          # (H, 1)
        # TODO: c = f * c + i * C~;  h = o * tanh(c)                     # (H, 1)
        # TODO: y from the last h                                         # (O, 1)
        raise NotImplementedError("LSTM.forward: write the loop")
