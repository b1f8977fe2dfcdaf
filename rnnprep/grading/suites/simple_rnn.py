"""Hidden suite for the simple_rnn kata: the tutorial SimpleRNN against nn.RNN + nn.Linear."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading import references
from rnnprep.grading.framework import Array, Seq, uniform
from rnnprep.grading.suites._tutorial import TutorialSuite

if TYPE_CHECKING:
    import numpy as np


class SimpleRNNSuite(TutorialSuite):
    """h_t = tanh(Wxh x_t + Whh h_{t-1} + bh), y = Why h_T + by, from h_0 = 0."""

    returns = Seq((Array("y", ("O", 1)), Array("h", ("H", 1))))

    def attributes(self, rng: np.random.Generator, dims: dict[str, int]) -> dict[str, np.ndarray]:
        """Wxh, Whh, Why, bh, by with torch-like scales, every bias nonzero."""
        I, H, O = dims["I"], dims["H"], dims["O"]
        return {
            "Wxh": uniform(rng, (H, I), I**-0.5),  # (H, I)
            "Whh": uniform(rng, (H, H), H**-0.5),  # (H, H)
            "Why": uniform(rng, (O, H), H**-0.5),  # (O, H)
            "bh": uniform(rng, (H, 1), 0.5),  # (H, 1)
            "by": uniform(rng, (O, 1), 0.5),  # (O, 1)
        }

    def reference(self, inputs: dict[str, Any]) -> Any:
        """nn.RNN(tanh) with bias_hh = 0, then nn.Linear on h_T."""
        import numpy as np

        H = inputs["Whh"].shape[0]
        weights = {
            "W_ih": inputs["Wxh"],  # (H, I)
            "W_hh": inputs["Whh"],  # (H, H)
            "b_ih": inputs["bh"].ravel(),  # (H,)
            "b_hh": np.zeros(H),  # (H,): the tutorial has one bias, torch two
        }
        x = inputs["X"][:, :, 0][None]  # (1, T, I): one batch-first sequence
        _, h_n = references.sequence("rnn", {"x": x, "h0": None, "nonlinearity": "tanh", **weights})
        h = h_n.T  # (H, 1)
        y = references.linear(references.tensor(h), inputs["Why"], inputs["by"])  # (O, 1)
        return references.numpy(y), h  # (O, 1), (H, 1)


SUITE = SimpleRNNSuite("simple_rnn", entry="SimpleRNN")
