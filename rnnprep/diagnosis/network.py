"""Float64 NumPy forward passes of the RNN, LSTM and GRU families, with switchable mistakes.

One step function per family serves cells, sequences and the tutorial classes alike; a
`Flags` value turns on the mistakes that live inside the step (activations, the GRU's reset
placement and interpolation, time order). Mistakes in the parameters (gate order, biases,
initial state) are made by editing the `Case` instead, so the step stays the torch formula.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

Array = np.ndarray
Trace = dict[str, Array]

# Gate blocks of each family in torch's stacking order.
GATES: dict[str, tuple[str, ...]] = {
    "rnn": ("h",),
    "lstm": ("i", "f", "g", "o"),
    "gru": ("r", "z", "n"),
}
CORRECT_ACTS: dict[str, tuple[str, ...]] = {
    "lstm": ("sigmoid", "sigmoid", "tanh", "sigmoid"),
    "gru": ("sigmoid", "sigmoid", "tanh"),
}


def sigmoid(a: Array) -> Array:
    """Logistic function in its tanh form, which never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # same shape as a


ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "relu": lambda a: np.maximum(a, 0.0),
    "identity": lambda a: a,
    "one": np.ones_like,  # a gate stuck open: the gate is not used at all
}


@dataclass(frozen=True)
class Case:
    """One graded case in torch's layout, float64: what every kata reduces to."""

    family: str  # "rnn" | "lstm" | "gru"
    x: Array  # (B, T, I) batch-first
    h0: Array | None  # (B, H) or None for zeros
    c0: Array | None  # (B, H) or None for zeros; LSTM only
    W_ih: Array  # (G*H, I)
    W_hh: Array  # (G*H, H)
    b_ih: Array  # (G*H,)
    b_hh: Array  # (G*H,)
    nonlinearity: str = "tanh"  # RNN family only
    W_y: Array | None = None  # (O, H) read-out of the tutorial classes
    b_y: Array | None = None  # (O,)

    @property
    def H(self) -> int:
        """Hidden size."""
        return int(self.W_hh.shape[-1])

    @property
    def acts(self) -> tuple[str, ...]:
        """The correct activation of every gate block."""
        return (self.nonlinearity,) if self.family == "rnn" else CORRECT_ACTS[self.family]

    def blocks(self, k: int) -> slice:
        """Rows of gate block k in W_ih, W_hh, b_ih and b_hh."""
        return slice(k * self.H, (k + 1) * self.H)

    def edit(self, **changes: object) -> Case:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def astype(self, dtype: type) -> Case:
        """The same case with every array in another dtype (to emulate lost precision)."""
        names = ("x", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh", "W_y", "b_y")
        return self.edit(
            **{
                n: None if getattr(self, n) is None else getattr(self, n).astype(dtype)
                for n in names
            }
        )


@dataclass(frozen=True)
class Flags:
    """Mistakes inside the recurrence; the default is the torch formula."""

    acts: tuple[str, ...] | None = None  # one activation per gate block; None: the correct ones
    cell_act: str = "tanh"  # LSTM: h = o * cell_act(c)
    gru_reset: str = "torch"  # or "before_matmul": W_hn (r*h); "bias_outside": r*(W_hn h) + b_hn
    gru_flip: bool = False  # h = z*n + (1-z)*h instead of (1-z)*n + z*h
    reverse: str = ""  # "" | "stored" (loop back to front, output[:, t] = h) | "appended"


CORRECT = Flags()


def zeros_state(case: Case, state: Array | None) -> Array:
    """The given state, or zeros as torch does for None, in the case's dtype."""
    if state is not None:
        return state  # (..., B, H)
    return np.zeros((*case.x.shape[:-2], case.H), dtype=case.x.dtype)  # (..., B, H)


Step = Callable[[Array, Array, Array], tuple[Array, Array]]


def make_step(case: Case, flags: Flags = CORRECT) -> Step:
    """The step (xw_t, h, c) -> (h, c), given xw_t = x_t W_ih^T + b_ih.

    Arrays may carry leading axes (one per variant, see `run_many`), hence the `...`.
    """
    acts = [ACTIVATIONS[a] for a in (flags.acts or case.acts)]
    cell_act = ACTIVATIONS[flags.cell_act]
    H = case.H
    W_hhT = case.W_hh.swapaxes(-1, -2)  # (..., H, G*H)
    b_hh = case.b_hh[..., None, :]  # (..., 1, G*H)
    W_hnT, b_hn = W_hhT[..., 2 * H :], b_hh[..., 2 * H :]  # GRU: (..., H, H), (..., 1, H)

    def rnn(xw_t: Array, h: Array, c: Array) -> tuple[Array, Array]:
        return acts[0](xw_t + h @ W_hhT + b_hh), c  # (..., B, H)

    def lstm(xw_t: Array, h: Array, c: Array) -> tuple[Array, Array]:
        gates = xw_t + h @ W_hhT + b_hh  # (..., B, 4H)
        i, f, g, o = (acts[k](gates[..., k * H : (k + 1) * H]) for k in range(4))  # 4 x (..., B, H)
        c = f * c + i * g  # (..., B, H)
        return o * cell_act(c), c  # (..., B, H), (..., B, H)

    def gru(xw_t: Array, h: Array, c: Array) -> tuple[Array, Array]:
        gh = h @ W_hhT + b_hh  # (..., B, 3H)
        r = acts[0](xw_t[..., :H] + gh[..., :H])  # (..., B, H)
        z = acts[1](xw_t[..., H : 2 * H] + gh[..., H : 2 * H])  # (..., B, H)
        if flags.gru_reset == "before_matmul":  # Cho et al. 2014, d2l: reset h, then multiply
            hn = (r * h) @ W_hnT + b_hn  # (..., B, H)
        elif flags.gru_reset == "bias_outside":
            hn = r * (h @ W_hnT) + b_hn  # (..., B, H)
        else:  # torch: r scales (W_hn h + b_hn), bias included
            hn = r * gh[..., 2 * H :]  # (..., B, H)
        n = acts[2](xw_t[..., 2 * H :] + hn)  # (..., B, H)
        if flags.gru_flip:
            return z * n + (1 - z) * h, c  # (..., B, H)
        return (1 - z) * n + z * h, c  # (..., B, H)

    return {"rnn": rnn, "lstm": lstm, "gru": gru}[case.family]


def step(case: Case, flags: Flags, xw_t: Array, h: Array, c: Array) -> tuple[Array, Array]:
    """One time step from the input projection xw_t = x_t W_ih^T + b_ih; returns (h, c)."""
    return make_step(case, flags)(xw_t, h, c)


def run(case: Case, flags: Flags = CORRECT) -> Trace:
    """Unroll over time; the trace holds output/c_seq (B, T, H), h_n/c_n and the initial states."""
    T = case.x.shape[-2]
    h = h_init = zeros_state(case, case.h0)  # (..., B, H)
    c = c_init = zeros_state(case, case.c0)  # (..., B, H)
    # The input projection does not depend on the state: one product for every step.
    xw = np.einsum("...bti,...gi->...btg", case.x, case.W_ih)  # (..., B, T, G*H)
    xw = xw + case.b_ih[..., None, None, :]  # (..., B, T, G*H)
    output = np.zeros((*h.shape[:-1], T, case.H), dtype=xw.dtype)  # (..., B, T, H)
    c_seq = np.zeros_like(output)  # (..., B, T, H)
    order = range(T - 1, -1, -1) if flags.reverse else range(T)
    one_step = make_step(case, flags)
    for k, t in enumerate(order):
        h, c = one_step(xw[..., t, :], h, c)  # (..., B, H), (..., B, H)
        slot = k if flags.reverse == "appended" else t  # where the user's loop stores this step
        output[..., slot, :], c_seq[..., slot, :] = h, c
    return {
        "output": output,
        "c_seq": c_seq,
        "h_n": h,
        "c_n": c,
        "h_init": h_init,
        "c_init": c_init,
    }


STACKED = ("x", "W_ih", "W_hh", "b_ih", "b_hh")


def run_many(cases: list[Case], flags: Flags = CORRECT) -> list[Trace]:
    """`run` for several edits of one case at once, stacked on a leading axis (same shapes)."""
    first = cases[0]
    if any(getattr(c, n).shape != getattr(first, n).shape for c in cases for n in STACKED):
        return [run(c, flags) for c in cases]

    def states(name: str) -> Array | None:
        given = [getattr(c, name) for c in cases]
        if all(s is None for s in given):
            return None
        return np.stack([zeros_state(c, s) for c, s in zip(cases, given, strict=True)])  # (V, B, H)

    stacked = first.edit(
        **{n: np.stack([getattr(c, n) for c in cases]) for n in STACKED},  # (V, ...)
        h0=states("h0"),
        c0=states("c0"),
        W_y=None,
        b_y=None,
    )
    trace = run(stacked, flags)
    return [{k: v[j] for k, v in trace.items()} for j in range(len(cases))]
