"""Drawing hidden cases: the shared building blocks every hidden suite uses.

Every size differs from every other (so a transposed weight or a swapped axis cannot hide),
weights follow torch's layout and initialisation scale, the two biases are drawn apart and
nonzero, and float32 cases are drawn in float64 first and then cast, so the torch reference
sees exactly what the submission sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rnnprep.grading.spec import TOLERANCE, Call, Case

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.registry import Kata

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
STATE_NAMES = {  # the state arguments of a cell (x_t, h_prev, ...) and a sequence (x, h0, ...)
    ("cell", "rnn"): ("h_prev",), ("cell", "lstm"): ("h_prev", "c_prev"), ("cell", "gru"): ("h_prev",),
    ("sequence", "rnn"): ("h0",), ("sequence", "lstm"): ("h0", "c0"), ("sequence", "gru"): ("h0",),
}  # fmt: skip
BATCH, INPUT, HIDDEN = (2, 6), (2, 7), (2, 6)


@dataclass(frozen=True)
class Planned:
    """One test of a suite's plan: its name, what it covers, and how to draw it."""

    name: str
    about: str
    options: dict[str, Any] = field(default_factory=dict)


def draw_dims(
    rng: np.random.Generator,
    ranges: dict[str, tuple[int, int]],
    avoid_multiples: dict[str, int] | None = None,
) -> dict[str, int]:
    """Distinct sizes, each in its inclusive range, so no transpose or axis mix-up can hide.

    ``avoid_multiples={"H": 4}`` also keeps 4H (the gate width) apart from every other size.
    """
    for _ in range(10_000):
        dims = {name: int(rng.integers(low, high + 1)) for name, (low, high) in ranges.items()}
        sizes = list(dims.values())
        for name, gates in (avoid_multiples or {}).items():
            sizes.append(gates * dims[name])
        if len(set(sizes)) == len(sizes):
            return dims
    raise ValueError(f"cannot draw distinct dims from {ranges}")


def uniform(rng: np.random.Generator, shape: tuple[int, ...], scale: float) -> np.ndarray:
    """U(-scale, scale) in float64, torch's default initialisation when scale = 1/sqrt(H)."""
    return rng.uniform(-scale, scale, size=shape)  # shape


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
    """Every float array cast to dtype, also inside a dict argument such as params (integer
    arrays such as lengths stay as they are)."""
    return {k: _cast(v, dtype) for k, v in values.items()}


def _cast(value: Any, dtype: str) -> Any:
    if isinstance(value, dict):
        return {k: _cast(v, dtype) for k, v in value.items()}
    if hasattr(value, "astype") and getattr(value, "dtype", None) is not None and value.dtype.kind == "f":
        return value.astype(dtype)
    return value


def float64(values: dict[str, Any]) -> dict[str, Any]:
    """The case's inputs upcast, so float32 cases are judged against exact arithmetic."""
    return as_dtype(values, "float64")


def recurrent_plan(kind: str, family: str) -> list[Planned]:
    """Zero and given states, float64 and float32, relu for the RNN; T=1 and long for sequences."""
    lstm = family == "lstm"
    both, none = ((True, True), (False, False)) if lstm else ((True,), (False,))
    steps = kind == "sequence"
    short = {"T": (3, 8)} if steps else {}
    plan = [
        Planned("zero_state_float64", "no initial state (None means zeros), float64", {"given": none, **short}),
        Planned("given_state_float64", "a given initial state, float64", {"given": both, **short}),
        Planned("given_state_float32", "a given initial state, float32", {"given": both, "dtype": "float32", **short}),
    ]
    if family != "rnn":  # the RNN katas test a float32 zero state under relu below
        plan.append(Planned("zero_state_float32", "no initial state, float32",
                            {"given": none, "dtype": "float32", **short}))  # fmt: skip
    if lstm:
        plan.append(Planned("h_given_c_none_float64", "h given, c None (zeros), float64",
                            {"given": (True, False), **short}))  # fmt: skip
    if steps:
        plan.append(Planned("single_step", "a sequence of length T=1", {"given": both, "T": (1, 1)}))
        plan.append(Planned("long_sequence", "a long sequence (T from 15 to 20)", {"given": both, "T": (15, 20)}))
    if family == "rnn":
        plan.append(Planned("relu_given_state_float64", "nonlinearity='relu', a given state, float64",
                            {"given": both, "nonlinearity": "relu", **short}))  # fmt: skip
        plan.append(Planned("relu_zero_state_float32", "nonlinearity='relu', no state, float32",
                            {"given": none, "nonlinearity": "relu", "dtype": "float32", **short}))  # fmt: skip
    return plan


def recurrent_case(
    kata: Kata,
    rng: np.random.Generator,
    planned: Planned,
) -> Case:
    """One case of a cell or sequence kata: sizes, data, states and weights drawn fresh."""
    assert kata.family is not None
    options = planned.options
    given: tuple[bool, ...] = options["given"]
    dtype: str = options.get("dtype", "float64")
    T: tuple[int, int] | None = options.get("T")
    gates = GATES[kata.family]
    ranges = {"B": BATCH, **({"T": T} if T else {}), "I": INPUT, "H": HIDDEN}
    dims = draw_dims(rng, ranges, {"H": gates} if gates > 1 else None)
    cell = kata.kind == "cell"
    x_shape = (dims["B"], dims["I"]) if cell else (dims["B"], dims["T"], dims["I"])
    args: dict[str, Any] = {"x_t" if cell else "x": rng.standard_normal(x_shape)}  # (B, I) or (B, T, I)
    args |= states(rng, STATE_NAMES[(kata.kind, kata.family)], given, dims)  # (B, H) each or None
    args |= weights(rng, gates, dims)  # (G*H, I), (G*H, H), (G*H,), (G*H,)
    if kata.family == "rnn":
        args["nonlinearity"] = options.get("nonlinearity", "tanh")
    call = Call(target=kata.entry[0], args=as_dtype(args, dtype))
    return Case(planned.name, planned.about, call, kata.returns, dims, dtype, TOLERANCE[dtype])


def recurrent_cases(kata: Kata, rng: np.random.Generator) -> list[Case]:
    """Every case of the recurrent plan of a cell or sequence kata, drawn in order from rng."""
    return [recurrent_case(kata, rng, planned) for planned in recurrent_plan(kata.kind, str(kata.family))]


TUTORIAL_PLAN = (
    Planned("short_sequence_float64", "a short sequence, float64", {"T": (3, 8)}),
    Planned("single_step", "a sequence of length T=1", {"T": (1, 1)}),
    Planned("long_sequence", "a long sequence (T from 15 to 20)", {"T": (15, 20)}),
    Planned("short_sequence_float32", "a short sequence, float32", {"T": (3, 8), "dtype": "float32"}),
)


def tutorial_cases(
    kata: Kata,
    rng: np.random.Generator,
    attributes: Callable[[np.random.Generator, dict[str, int]], dict[str, np.ndarray]],
) -> list[Case]:
    """The tutorial classes: build the class (I, H, O), set the weights, call forward(X).

    ``attributes(rng, dims)`` draws the weights the grader sets on the object; X is one
    sequence of column vectors (T, I, 1).
    """
    gates = GATES[str(kata.family)]
    cases = []
    for planned in TUTORIAL_PLAN:
        dtype = planned.options.get("dtype", "float64")
        ranges = {"T": planned.options["T"], "I": (2, 7), "H": (2, 6), "O": (2, 5)}
        dims = draw_dims(rng, ranges, {"H": gates} if gates > 1 else None)
        X = rng.standard_normal((dims["T"], dims["I"], 1))  # (T, I, 1)
        call = Call(
            target=kata.entry[0], init_args=[dims["I"], dims["H"], dims["O"]],
            attrs=as_dtype(attributes(rng, dims), dtype), method="forward", args={"X": X.astype(dtype)},
        )  # fmt: skip
        cases.append(Case(planned.name, planned.about, call, kata.returns, dims, dtype, TOLERANCE[dtype]))
    return cases
