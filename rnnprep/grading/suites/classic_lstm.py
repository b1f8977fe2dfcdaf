"""Hidden suite for the classic_lstm kata: the tutorial LSTM against nn.LSTM + nn.Linear."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading import references
from rnnprep.grading.framework import Array, Seq, uniform
from rnnprep.grading.suites._tutorial import TutorialSuite

if TYPE_CHECKING:
    import numpy as np

# torch stacks the gate blocks i, f, g, o; the tutorial names them Wi, Wf, WC, Wo.
TORCH_ORDER = (("Wi", "bi"), ("Wf", "bf"), ("WC", "bC"), ("Wo", "bo"))


class ClassicLSTMSuite(TutorialSuite):
    """Gates act on vstack((h, x)); y = Wy h_T + by, from h_0 = c_0 = 0."""

    returns = Seq((Array("y", ("O", 1)), Array("h", ("H", 1)), Array("c", ("H", 1))))
    gates = 4

    def attributes(self, rng: np.random.Generator, dims: dict[str, int]) -> dict[str, np.ndarray]:
        """Wf, Wi, WC, Wo on vstack((h, x)), their biases, and the read-out Wy, by."""
        I, H, O = dims["I"], dims["H"], dims["O"]
        values = {w: uniform(rng, (H, H + I), (H + I) ** -0.5) for w, _ in TORCH_ORDER}  # (H, H+I)
        values |= {b: uniform(rng, (H, 1), 0.5) for _, b in TORCH_ORDER}  # (H, 1)
        values["Wy"] = uniform(rng, (O, H), H**-0.5)  # (O, H)
        values["by"] = uniform(rng, (O, 1), 0.5)  # (O, 1)
        return values

    def reference(self, inputs: dict[str, Any]) -> Any:
        """nn.LSTM with the h and x columns split into W_hh and W_ih, then nn.Linear on h_T."""
        import numpy as np

        H = inputs["Wf"].shape[0]
        weights = {
            "W_ih": np.vstack([inputs[w][:, H:] for w, _ in TORCH_ORDER]),  # (4H, I): x columns
            "W_hh": np.vstack([inputs[w][:, :H] for w, _ in TORCH_ORDER]),  # (4H, H): h columns
            "b_ih": np.concatenate([inputs[b].ravel() for _, b in TORCH_ORDER]),  # (4H,)
            "b_hh": np.zeros(4 * H),  # (4H,): one bias per gate in the tutorial
        }
        x = inputs["X"][:, :, 0][None]  # (1, T, I)
        _, (h_n, c_n) = references.sequence("lstm", {"x": x, "h0": None, "c0": None, **weights})
        h, c = h_n.T, c_n.T  # (H, 1), (H, 1)
        y = references.linear(references.tensor(h), inputs["Wy"], inputs["by"])  # (O, 1)
        return references.numpy(y), h, c  # (O, 1), (H, 1), (H, 1)


SUITE = ClassicLSTMSuite("classic_lstm", entry="LSTM")
