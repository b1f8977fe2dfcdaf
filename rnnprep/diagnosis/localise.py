"""Say where a failing output first goes wrong: the time step, h or c, and the gate block.

For a sequence the first divergent step is found from the per-step outputs; that step is then
re-run from the correct incoming state with one small change at a time (a gate block's
activation, bias, rows or weights; the state path) and the changes that reproduce the user's
step name the block. Cells are one such step; the tutorial classes only show final values,
so their probes run the whole sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnprep.diagnosis.adapters import KataSpec, spec_of
from rnnprep.diagnosis.forward import swap_concat
from rnnprep.diagnosis.matching import max_diff, scale_of, tolerances
from rnnprep.diagnosis.network import (
    ACTIVATIONS,
    CORRECT,
    GATES,
    Array,
    Case,
    Flags,
    run,
    step,
    zeros_state,
)

GATE_NAMES = {
    "h": "the pre-activation",
    "i": "the input gate i",
    "f": "the forget gate f",
    "g": "the candidate g",
    "o": "the output gate o",
    "r": "the reset gate r",
    "z": "the update gate z",
    "n": "the candidate n",
}
C_PATH = {"i", "f", "g", "c-state"}  # LSTM parts that act on c before h sees it


@dataclass(frozen=True)
class Probe:
    """One small change to a correct step; `part` is the gate (or path) it touches."""

    part: str
    label: str
    flags: Flags = CORRECT
    prep: Callable[[Case], Case] | None = None
    zero_h: bool = False
    zero_c: bool = False


def _edit_rows(field: str, k: int, fn: Callable[[Array], Array]) -> Callable[[Case], Case]:
    """Apply fn to block k's rows of one parameter."""

    def prep(case: Case) -> Case:
        a = getattr(case, field).copy()  # (G*H, ...) or (G*H,)
        a[case.blocks(k)] = fn(a[case.blocks(k)])
        return case.edit(**{field: a})

    return prep


def _move_rows(pairs: dict[int, int]) -> Callable[[Case], Case]:
    """Block k takes the rows of block pairs[k] in every parameter."""

    def prep(case: Case) -> Case:
        src = [pairs.get(k, k) for k in range(len(GATES[case.family]))]
        rows = np.concatenate([np.arange(case.H) + s * case.H for s in src])  # (G*H,)
        return case.edit(
            W_ih=case.W_ih[rows], W_hh=case.W_hh[rows], b_ih=case.b_ih[rows], b_hh=case.b_hh[rows]
        )

    return prep


def _twice(a: Array) -> Array:
    """A bias added twice."""
    return 2 * a  # same shape as a


# Edits of one block's rows: (what the user did, which parameter, how).
ROW_EDITS: tuple[tuple[str, str, Callable[[Array], Array]], ...] = (
    ("is missing b_ih", "b_ih", np.zeros_like),
    ("is missing b_hh", "b_hh", np.zeros_like),
    ("adds b_ih twice", "b_ih", _twice),
    ("adds b_hh twice", "b_hh", _twice),
    ("ignores x (no W_ih term)", "W_ih", np.zeros_like),
    ("ignores h_prev (no W_hh term)", "W_hh", np.zeros_like),
    ("uses its W_hh block untransposed", "W_hh", np.transpose),
)


def _block_probes(case: Case) -> list[Probe]:
    """Changes confined to one gate block (or one pair of blocks)."""
    gates, correct = GATES[case.family], case.acts
    probes: list[Probe] = []
    for k, gate in enumerate(gates):
        for act in ACTIVATIONS:
            if act != correct[k] and not (act == "one" and case.family == "rnn"):
                acts = (*correct[:k], act, *correct[k + 1 :])
                text = (
                    "is not applied at all"
                    if act == "one"
                    else f"uses {act} instead of {correct[k]}"
                )
                probes.append(Probe(gate, f"{GATE_NAMES[gate]} {text}", Flags(acts=acts)))
        probes += [
            Probe(gate, f"{GATE_NAMES[gate]} {text}", prep=_edit_rows(field, k, fn))
            for text, field, fn in ROW_EDITS
        ]
        for j, other in enumerate(gates):
            if j != k:
                probes.append(
                    Probe(
                        gate,
                        f"{GATE_NAMES[gate]} is computed from {other}'s rows",
                        prep=_move_rows({k: j}),
                    )
                )
                if j > k:
                    probes.append(
                        Probe(
                            f"{gate}+{other}",
                            f"{GATE_NAMES[gate]} and {GATE_NAMES[other]} are swapped",
                            prep=_move_rows({k: j, j: k}),
                        )
                    )
    return probes


def _path_probes(case: Case) -> list[Probe]:
    """Changes outside the gate blocks: the state path and each family's own formula."""
    probes = [Probe("h-state", "h_prev is taken as zeros", zero_h=True)]
    if case.family == "lstm":
        probes += [
            Probe("c-state", "c_prev is taken as zeros", zero_c=True),
            Probe("h-out", "h = o * c, without tanh", Flags(cell_act="identity")),
            Probe("h-out", "h = o * sigmoid(c) instead of o * tanh(c)", Flags(cell_act="sigmoid")),
        ]
    if case.family == "gru":
        probes += [
            Probe(
                "n",
                "the reset is applied before the matmul: W_hn (r * h)",
                Flags(gru_reset="before_matmul"),
            ),
            Probe("n", "b_hn is added outside r * (...)", Flags(gru_reset="bias_outside")),
            Probe("z", "the interpolation is flipped: z * n + (1 - z) * h", Flags(gru_flip=True)),
        ]
    return probes


def probe_step(case: Case, probe: Probe, t: int, h: Array, c: Array) -> tuple[Array, Array]:
    """Step t under the probe, from the given incoming states."""
    edited = probe.prep(case) if probe.prep else case
    xw_t = edited.x[:, t] @ edited.W_ih.T + edited.b_ih  # (B, G*H)
    h_in = np.zeros_like(h) if probe.zero_h else h  # (B, H)
    c_in = np.zeros_like(c) if probe.zero_c else c  # (B, H)
    return step(edited, probe.flags, xw_t, h_in, c_in)


NO_CHANGE = Probe("none", "nothing is changed")


def explaining(
    probes: list[Probe],
    attempt: Callable[[Probe], dict[str, Array]],
    target: dict[str, Array],
    match: float,
    distinct: float,
) -> list[Probe]:
    """The probes whose result reproduces the target within `match` and differs from the
    correct result by more than `distinct`: a change that coincides with the right formula on
    this case (say, h_prev ignored at t=0 from a zero state) explains nothing."""
    correct = attempt(NO_CHANGE)
    found = []
    for probe in probes:
        result = attempt(probe)
        if max_diff(result, target) <= match and max_diff(result, correct) > distinct:
            found.append(probe)
    return found


def describe_probes(found: list[Probe], family: str) -> str:
    """One sentence naming the block(s) the reproducing probes touch."""
    if not found:
        where = "one gate block" if family in ("lstm", "gru") else "the step's formula"
        return f"No single change to {where} reproduces it; more than one thing may be wrong."
    labels = list(dict.fromkeys(p.label for p in found))[:3]
    text = f"It is reproduced exactly when {'; or when '.join(labels)}."
    if family == "lstm":
        parts = {q for p in found for q in p.part.split("+")}
        if parts <= C_PATH:
            text += " So c_t goes wrong first and h_t = o * tanh(c_t) inherits it."
        elif parts <= {"o", "h-out"}:
            text += " So c_t is still right; h_t goes wrong on the output path (o, tanh(c))."
    return text


def _bad(a: Array, e: Array, tol: float) -> Array:
    """Elements outside the grader's atol + rtol * |expected| (both = tol)."""
    return np.abs(a - e) > tol * (1.0 + np.abs(e))


def _close(a: Array, e: Array, tol: float) -> bool:
    """a equals e to float32 accuracy (what a mistake that only moves values around gives)."""
    return a.shape == e.shape and bool(
        np.all(np.abs(a - e) <= max(10 * tol, 1e-6) * (1.0 + np.abs(e)))
    )


def _swapped(exp: dict[str, Array], got: dict[str, Array], tol: float) -> str:
    """A sentence when the returned h holds the expected c (LSTM states swapped or confused)."""
    for h, c in (("h_n", "c_n"), ("h_t", "c_t"), ("h", "c")):
        if h in got and c in got and _close(got[h], exp[c], tol):
            if _close(got[c], exp[h], tol):
                return f" {h} holds what {c} should and {c} holds {h}: the two states are swapped."
            return f" {h} holds the cell state ({c}'s value), not the hidden state."
    return ""


def _stale_step(exp: dict[str, Array], got: dict[str, Array], tol: float) -> str:
    """A sentence naming the output step (or the initial state) that h_n was taken from."""
    T = exp["output"].shape[1]
    for s in range(T - 1):
        if _close(got["h_n"], exp["output"][:, s], tol):
            return f" h_n equals output[:, {s}], not output[:, {T - 1}]."
    return ""


def _where_seq(
    spec: KataSpec, case: Case, exp: dict[str, Array], got: dict[str, Array], tol: float
) -> str:
    """First divergent step of a sequence, then what explains it."""
    out_bad = _bad(got["output"], exp["output"], tol).any(axis=(0, 2))  # (T,)
    T = out_bad.size
    if not out_bad.any():
        wrong = [n for n in ("h_n", "c_n") if n in exp and _bad(got[n], exp[n], tol).any()]
        verb = "differs" if len(wrong) == 1 else "differ"
        rule = {
            "h_n": "h_n must be the state after the last step (output[:, -1])",
            "c_n": "c_n must be the cell state after the last step",
        }
        text = f"Every step of output matches, but {' and '.join(wrong)} {verb}: "
        text += "; ".join(rule[n] for n in wrong) + "."
        return text + (_swapped(exp, got, tol) or _stale_step(exp, got, tol))
    t = int(np.argmax(out_bad))
    err = float(np.max(np.abs(got["output"][:, t] - exp["output"][:, t])))
    first = {0: "it is wrong from the very first step", 1: "step 0 matches"}.get(
        t, f"steps 0..{t - 1} match"
    )
    lines = [
        f"output first differs at time step t={t} of {T}; {first} (max abs error there {err:.3g})."
    ]
    rows = np.flatnonzero(_bad(got["output"][:, t], exp["output"][:, t], tol).any(axis=-1))  # (k,)
    B = got["output"].shape[0]
    if rows.size < B:  # partly right rows hint at mixed-up batch items
        items = ", ".join(map(str, rows))
        lines.append(f"Only batch item(s) {items} of 0..{B - 1} differ there; the others match.")
    trace = run(case)
    h_in = (
        exp["output"][:, t - 1] if t else zeros_state(case, case.h0)
    )  # (B, H): the user's own, correct
    c_in = trace["c_seq"][:, t - 1] if t else zeros_state(case, case.c0)  # (B, H)
    target = {"h": got["output"][:, t]}
    if spec.family == "lstm" and t == T - 1:
        target["c"] = got["c_n"]
        c_bad = _bad(got["c_n"], exp["c_n"], tol).any()
        lines.append(
            "At that last step c_n differs too."
            if c_bad
            else "At that last step c_n is right: only h differs."
        )
    match, distinct = tolerances(tol, scale_of(exp))

    def attempt(p: Probe) -> dict[str, Array]:
        h, c = probe_step(case, p, t, h_in, c_in)
        return {"h": h, "c": c} if "c" in target else {"h": h}

    swap = _swapped(exp, got, tol)
    if swap:  # the recurrence is right; h and c are confused on the way out
        return " ".join(lines) + swap
    found = explaining(_block_probes(case) + _path_probes(case), attempt, target, match, distinct)
    lines.append(describe_probes(found, spec.family))
    return " ".join(lines)


def _where_cell(
    spec: KataSpec, case: Case, exp: dict[str, Array], got: dict[str, Array], tol: float
) -> str:
    """Which output of a cell differs, then what explains it."""
    status = [f"{n} {'differs' if _bad(got[n], exp[n], tol).any() else 'matches'}" for n in exp]
    h_in, c_in = zeros_state(case, case.h0), zeros_state(case, case.c0)  # (B, H), (B, H)
    match, distinct = tolerances(tol, scale_of(exp))

    def attempt(p: Probe) -> dict[str, Array]:
        h, c = probe_step(case, p, 0, h_in, c_in)
        return {"h_t": h, "c_t": c} if "c_t" in got else {"h_t": h}

    swap = _swapped(exp, got, tol)
    if swap:
        return f"Outputs: {', '.join(status)}.{swap}"
    found = explaining(_block_probes(case) + _path_probes(case), attempt, got, match, distinct)
    return f"Outputs: {', '.join(status)}. {describe_probes(found, spec.family)}"


def _where_class(
    spec: KataSpec, case: Case, exp: dict[str, Array], got: dict[str, Array], tol: float
) -> str:
    """Which of y, h, c differ; whole-sequence probes stand in for a time step."""
    bad = {n: bool(_bad(got[n], exp[n], tol).any()) for n in exp}
    status = ", ".join(f"{n} {'differs' if b else 'matches'}" for n, b in bad.items())
    if not any(b for n, b in bad.items() if n != "y"):
        return f"Outputs: {status}: the recurrence is right; the read-out y = Wy h + by is off."
    swap = _swapped(exp, got, tol)
    if swap:
        return f"Outputs: {status}.{swap}"
    match, distinct = tolerances(tol, scale_of(exp))

    def attempt(p: Probe) -> dict[str, Array]:
        edited = p.prep(case) if p.prep else case
        trace = run(edited, p.flags)
        states = {"h": trace["h_n"][0][:, None], "c": trace["c_n"][0][:, None]}  # (H, 1) each
        return {n: states[n] for n in target}

    target = {n: a for n, a in got.items() if n != "y"}
    # The classes always start from zeros, so the state-path probes say nothing here.
    probes = [p for p in _block_probes(case) + _path_probes(case) if not (p.zero_h or p.zero_c)]
    if spec.family == "lstm":  # classic_lstm's weights act on a stacked [h; x]
        probes.append(
            Probe("concat", "z = np.vstack((x, h)) is used, not (h, x)", prep=swap_concat)
        )
    found = explaining(probes, attempt, target, match, distinct)
    note = "only final values are returned, so no time step can be named"
    return f"Outputs: {status} ({note}). {describe_probes(found, spec.family)}"


WHERE = {"sequence": _where_seq, "cell": _where_cell, "class": _where_class}


def localise(
    kata: str, inputs: Mapping[str, Any], expected: Any, actual: Any, tolerance: float
) -> str:
    """Where the user's outputs first go wrong, in a sentence or three; "" when nothing to say.

    Example: localise("lstm", inputs, expected, actual, 1e-9) ->
    "output first differs at time step t=2 of 7 ... It is reproduced exactly when the forget
    gate f is not applied at all. So c_t goes wrong first ..."
    """
    spec = spec_of(kata)
    if spec is None:
        return ""
    try:
        case = spec.to_case(inputs)
        exp, got = spec.flatten(expected), spec.flatten(actual)
    except (KeyError, ValueError, TypeError, IndexError):
        return ""
    if any(got[n].shape != exp[n].shape for n in exp) or not any(
        _bad(got[n], exp[n], tolerance).any() for n in exp
    ):
        return ""
    with np.errstate(all="ignore"):
        return WHERE[spec.kind](spec, case, exp, got, tolerance)
