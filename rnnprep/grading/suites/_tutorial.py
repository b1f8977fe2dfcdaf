"""The shared family behind the tutorial-style class katas (simple_rnn, classic_lstm).

One sequence of column vectors X (T, I, 1); the grader builds the user's class, sets the
weights as attributes and calls forward(X). The reference maps the weights onto
nn.RNN/nn.LSTM plus nn.Linear.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading.framework import TOLERANCE, Call, Case, Seq, Suite, draw_dims
from rnnprep.grading.suites._recurrent import as_dtype

if TYPE_CHECKING:
    import numpy as np

PLAN: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("short_sequence_float64", "a short sequence, float64", {"T": (3, 8)}),
    ("single_step", "a sequence of length T=1", {"T": (1, 1)}),
    ("long_sequence", "a long sequence (T from 15 to 20)", {"T": (15, 20)}),
    ("short_sequence_float32", "a short sequence, float32", {"T": (3, 8), "dtype": "float32"}),
)


class TutorialSuite(Suite):
    """Build the class, set its attributes, call forward(X); subclasses draw the weights."""

    returns: Seq
    gates = 1

    def __init__(self, kata: str, entry: str) -> None:
        self.kata, self.entry = kata, (entry,)

    plan = PLAN

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        T: tuple[int, int],
        dtype: str = "float64",
    ) -> Case:
        """Draw the sizes, the sequence and the attributes of one case."""
        ranges = {"T": T, "I": (2, 7), "H": (2, 6), "O": (2, 5)}
        dims = draw_dims(rng, ranges, {"H": self.gates} if self.gates > 1 else None)
        X = rng.standard_normal((dims["T"], dims["I"], 1))  # (T, I, 1)
        call = Call(
            target=self.entry[0],
            init_args=[dims["I"], dims["H"], dims["O"]],
            attrs=as_dtype(self.attributes(rng, dims), dtype),
            method="forward",
            args={"X": X.astype(dtype)},
        )
        return Case(name, about, call, self.returns, dims, dtype, TOLERANCE[dtype])

    def attributes(self, rng: np.random.Generator, dims: dict[str, int]) -> dict[str, np.ndarray]:
        """The weights the grader sets on the user's object."""
        raise NotImplementedError

    def expected(self, case: Case) -> Any:
        """The torch reference, from the case's inputs in float64."""
        return self.reference(as_dtype(case.call.inputs(), "float64"))

    def reference(self, inputs: dict[str, Any]) -> Any:
        """Subclasses map the attributes onto torch modules."""
        raise NotImplementedError
