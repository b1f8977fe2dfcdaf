"""The shared families behind the core katas: one-step cells and batch-first sequences.

rnn_cell/lstm_cell/gru_cell and rnn/lstm/gru differ only in the gate count, the state
(h, or h and c) and the torch module, so each kata module is one line on top of these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rnnprep.grading import references
from rnnprep.grading.framework import TOLERANCE, Array, Call, Case, Seq, Suite, draw_dims, uniform

if TYPE_CHECKING:
    import numpy as np

BATCH, INPUT, HIDDEN = (2, 6), (2, 7), (2, 6)


def weights(rng: np.random.Generator, gates: int, dims: dict[str, int]) -> dict[str, np.ndarray]:
    """W_ih, W_hh, b_ih, b_hh in torch's layout; the two biases drawn apart and nonzero."""
    I, H = dims["I"], dims["H"]
    return {
        "W_ih": uniform(rng, (gates * H, I), I**-0.5),  # (G*H, I)
        "W_hh": uniform(rng, (gates * H, H), H**-0.5),  # (G*H, H)
        "b_ih": uniform(rng, (gates * H,), 0.5),  # (G*H,)
        "b_hh": uniform(rng, (gates * H,), 0.5),  # (G*H,)
    }


def states(
    rng: np.random.Generator, names: tuple[str, ...], given: tuple[bool, ...], dims: dict[str, int]
) -> dict[str, np.ndarray | None]:
    """h (and c) of shape (B, H) where given, None (zeros) elsewhere."""
    shape = (dims["B"], dims["H"])
    return {
        name: (uniform(rng, shape, 0.9) if on else None)  # (B, H) or None
        for name, on in zip(names, given, strict=True)
    }


def as_dtype(values: dict[str, Any], dtype: str) -> dict[str, Any]:
    """Cast every array to dtype (float32 cases are drawn in float64 first)."""
    return {k: (v.astype(dtype) if hasattr(v, "astype") else v) for k, v in values.items()}


class RecurrentSuite(Suite):
    """What cells and sequences share: the plan of tests and how a case is built."""

    STATES: ClassVar[dict[str, tuple[str, ...]]]  # state argument names per kind
    X: ClassVar[str]  # the input argument's name
    STEPS: ClassVar[bool]  # a sequence (T steps) or a single step

    def __init__(self, kata: str, kind: str, entry: str) -> None:
        self.kata, self.kind, self.entry = kata, kind, (entry,)
        self.gates = references.GATES[kind]
        self.state_names = self.STATES[kind]
        self.plan = self.plan_for(kind, self.STEPS)


    @staticmethod
    def plan_for(kind: str, steps: bool) -> tuple[tuple[str, str, dict[str, Any]], ...]:
        """(name, about, options) per test: zero and given states, float64 and float32, relu."""
        both = (True, True) if kind == "lstm" else (True,)
        none = (False, False) if kind == "lstm" else (False,)
        short = {"T": (3, 8)} if steps else {}
        plan: list[tuple[str, str, dict[str, Any]]] = [
            (
                "zero_state_float64",
                "no initial state (None means zeros), float64",
                {"given": none, **short},
            ),
            ("given_state_float64", "a given initial state, float64", {"given": both, **short}),
            (
                "given_state_float32",
                "a given initial state, float32",
                {"given": both, "dtype": "float32", **short},
            ),
        ]
        if kind != "rnn":  # the RNN katas test a float32 zero state under relu below
            plan.append(
                (
                    "zero_state_float32",
                    "no initial state, float32: the zeros must be float32 too",
                    {"given": none, "dtype": "float32", **short},
                )
            )
        if kind == "lstm":
            plan.append(
                (
                    "h_given_c_none_float64",
                    "h given, c None (zeros), float64",
                    {"given": (True, False), **short},
                )
            )
        if steps:
            plan.append(("single_step", "a sequence of length T=1", {"given": both, "T": (1, 1)}))
            plan.append(
                (
                    "long_sequence",
                    "a long sequence (T from 15 to 20)",
                    {"given": both, "T": (15, 20)},
                )
            )
        if kind == "rnn":
            plan.append(
                (
                    "relu_given_state_float64",
                    "nonlinearity='relu', a given state, float64",
                    {"given": both, "nonlinearity": "relu", **short},
                )
            )
            plan.append(
                (
                    "relu_zero_state_float32",
                    "nonlinearity='relu', no state, float32",
                    {"given": none, "nonlinearity": "relu", "dtype": "float32", **short},
                )
            )
        return tuple(plan)

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        given: tuple[bool, ...],
        dtype: str = "float64",
        nonlinearity: str = "tanh",
        T: tuple[int, int] | None = None,
    ) -> Case:
        """Draw the sizes, the data and the weights of one case."""
        ranges = {"B": BATCH, **({"T": T} if T else {}), "I": INPUT, "H": HIDDEN}
        dims = draw_dims(rng, ranges, {"H": self.gates} if self.gates > 1 else None)
        args = {self.X: rng.standard_normal(self.x_shape(dims))}  # (B, T, I) or (B, I)
        args |= states(rng, self.state_names, given, dims)
        args |= weights(rng, self.gates, dims)
        if self.kind == "rnn":
            args["nonlinearity"] = nonlinearity
        call = Call(target=self.entry[0], args=as_dtype(args, dtype))
        return Case(name, about, call, self.returns, dims, dtype, TOLERANCE[dtype])


class CellSuite(RecurrentSuite):
    """One step: rnn_cell, lstm_cell, gru_cell against nn.RNNCell/LSTMCell/GRUCell."""

    STATES: ClassVar = {"rnn": ("h_prev",), "lstm": ("h_prev", "c_prev"), "gru": ("h_prev",)}
    X = "x_t"
    STEPS = False

    @staticmethod
    def x_shape(dims: dict[str, int]) -> tuple[int, ...]:
        """x_t is (B, I)."""
        return (dims["B"], dims["I"])

    @property
    def returns(self) -> Array | Seq:
        """h_t, or (h_t, c_t) for the LSTM."""
        h = Array("h_t", ("B", "H"))
        return Seq((h, Array("c_t", ("B", "H")))) if self.kind == "lstm" else h

    def expected(self, case: Case) -> Any:
        """torch.nn.*Cell in float64."""
        return references.cell(self.kind, _float64(case.call.args))


class SequenceSuite(RecurrentSuite):
    """A batch-first sequence: rnn, lstm, gru against nn.RNN/LSTM/GRU."""

    STATES: ClassVar = {"rnn": ("h0",), "lstm": ("h0", "c0"), "gru": ("h0",)}
    X = "x"
    STEPS = True

    @staticmethod
    def x_shape(dims: dict[str, int]) -> tuple[int, ...]:
        """x is batch-first (B, T, I)."""
        return (dims["B"], dims["T"], dims["I"])

    @property
    def returns(self) -> Seq:
        """(output, h_n), or (output, (h_n, c_n)) for the LSTM, as torch returns them."""
        output, h_n = Array("output", ("B", "T", "H")), Array("h_n", ("B", "H"))
        state = Seq((h_n, Array("c_n", ("B", "H")))) if self.kind == "lstm" else h_n
        return Seq((output, state))

    def expected(self, case: Case) -> Any:
        """torch.nn.RNN/LSTM/GRU in float64."""
        return references.sequence(self.kind, _float64(case.call.args))


def _float64(values: dict[str, Any]) -> dict[str, Any]:
    """The case's inputs upcast, so float32 cases are judged against exact arithmetic."""
    return as_dtype(values, "float64")
