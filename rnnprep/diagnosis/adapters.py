"""How a forward-pass kata's arguments and return value map onto the shared reference.

Derived from the kata's registry entry: its family (rnn, lstm, gru), its kind (cell,
sequence, class) and the names of what it returns. `inputs` are the arguments the grader
passed (for the class katas: the attributes it set, plus "X"); outputs are named so that
messages can say which one is off ("output", "h_n", "c_n"; "h_t", "c_t"; "y", "h", "c").
Any kata of these families and kinds, a local one included, is diagnosed the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnprep.diagnosis.network import Array, Case, Trace


def f64(a: Any) -> Array:
    """A float64 copy of an array-like."""
    return np.array(a, dtype=np.float64)


def _opt(a: Any) -> Array | None:
    """f64 of an optional state."""
    return None if a is None else f64(a)


@dataclass(frozen=True)
class KataSpec:
    """One kata's family, kind and the adapters between its contract and a `Case`."""

    name: str
    family: str  # "rnn" | "lstm" | "gru"
    kind: str  # "cell" | "sequence" | "class"
    to_case: Callable[[Mapping[str, Any]], Case]
    names: tuple[str, ...]  # the outputs, in the order the kata returns them

    def flatten(self, returned: Any) -> dict[str, Array]:
        """The user's return value (nested tuples allowed) as named float64 arrays."""
        parts = _flat(returned) if len(self.names) > 1 else [returned]
        if len(parts) != len(self.names):
            raise ValueError(f"{self.name} returns {len(self.names)} values, got {len(parts)}")
        return {n: f64(p) for n, p in zip(self.names, parts, strict=True)}

    def present(self, trace: Trace, case: Case) -> dict[str, Array]:
        """The kata's named outputs from a reference trace."""
        if self.kind == "sequence":
            full = {"output": trace["output"], "h_n": trace["h_n"], "c_n": trace["c_n"]}
        elif self.kind == "cell":
            full = {"h_t": trace["h_n"], "c_t": trace["c_n"]}
        else:
            h_y = trace.get("h_y", trace["h_n"])[0]  # (H,): the state the read-out uses
            y = case.W_y @ h_y + case.b_y  # (O,)
            full = {"y": y[:, None], "h": trace["h_n"][0][:, None], "c": trace["c_n"][0][:, None]}
        return {n: full[n] for n in self.names}


def _recurrent_case(family: str, *, cell: bool) -> Callable[[Mapping[str, Any]], Case]:
    """Adapter for the cell katas (x_t, h_prev, c_prev) and sequence katas (x, h0, c0)."""
    x_key, h_key, c_key = ("x_t", "h_prev", "c_prev") if cell else ("x", "h0", "c0")

    def to_case(a: Mapping[str, Any]) -> Case:
        x = f64(a[x_key])  # (B, I) for a cell, (B, T, I) for a sequence
        return Case(
            family=family,
            x=x[:, None, :] if cell else x,  # (B, T, I); a cell is one step, T = 1
            h0=_opt(a.get(h_key)),  # (B, H)
            c0=_opt(a.get(c_key)),  # (B, H)
            W_ih=f64(a["W_ih"]),  # (G*H, I)
            W_hh=f64(a["W_hh"]),  # (G*H, H)
            b_ih=f64(a["b_ih"]),  # (G*H,)
            b_hh=f64(a["b_hh"]),  # (G*H,)
            nonlinearity=a.get("nonlinearity") or "tanh",
        )

    return to_case


def _column_sequence(X: Any) -> Array:
    """The class katas' X (T, I, 1) as a batch of one: (1, T, I)."""
    X = f64(X)  # (T, I, 1)
    return X.reshape(X.shape[0], -1)[None]  # (1, T, I)


def _simple_rnn_case(a: Mapping[str, Any]) -> Case:
    """SimpleRNN: a tanh RNN with the one bias bh, read out by Why h_T + by."""
    H = f64(a["Whh"]).shape[0]
    return Case(
        family="rnn",
        x=_column_sequence(a["X"]),  # (1, T, I)
        h0=None,
        c0=None,
        W_ih=f64(a["Wxh"]),  # (H, I)
        W_hh=f64(a["Whh"]),  # (H, H)
        b_ih=f64(a["bh"]).reshape(-1),  # (H,)
        b_hh=np.zeros(H),  # (H,): the tutorial has a single bias
        W_y=f64(a["Why"]),  # (O, H)
        b_y=f64(a["by"]).reshape(-1),  # (O,)
    )


def _classic_lstm_case(a: Mapping[str, Any]) -> Case:
    """Classic LSTM: W* (H, H+I) act on vstack((h, x)); restack as torch's i, f, g, o."""
    Ws = [f64(a[k]) for k in ("Wi", "Wf", "WC", "Wo")]  # 4 x (H, H+I)
    H = Ws[0].shape[0]
    return Case(
        family="lstm",
        x=_column_sequence(a["X"]),  # (1, T, I)
        h0=None,
        c0=None,
        W_ih=np.vstack([W[:, H:] for W in Ws]),  # (4H, I): the x columns
        W_hh=np.vstack([W[:, :H] for W in Ws]),  # (4H, H): h sits on top in vstack((h, x))
        b_ih=np.concatenate([f64(a[k]).reshape(-1) for k in ("bi", "bf", "bC", "bo")]),  # (4H,)
        b_hh=np.zeros(4 * H),  # (4H,)
        W_y=f64(a["Wy"]),  # (O, H)
        b_y=f64(a["by"]).reshape(-1),  # (O,)
    )


def _flat(value: Any) -> list[Any]:
    """Leaves of nested tuples and lists, in order."""
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


CLASS_ADAPTERS = {"rnn": _simple_rnn_case, "lstm": _classic_lstm_case}  # the tutorial classes


def spec_of(kata: str) -> KataSpec | None:
    """The adapter of a forward-pass kata from its registry entry; None for any other kata."""
    from rnnprep import registry

    try:
        entry = registry.get(kata)
    except registry.UnknownKataError:
        return None
    if entry.family is None or entry.kind not in ("cell", "sequence", "class"):
        return None
    if entry.kind == "class":
        to_case = CLASS_ADAPTERS.get(entry.family)
        if to_case is None:
            return None
    else:
        to_case = _recurrent_case(entry.family, cell=entry.kind == "cell")
    return KataSpec(entry.name, entry.family, entry.kind, to_case, entry.outputs)
