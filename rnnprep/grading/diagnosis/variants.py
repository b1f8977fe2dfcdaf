"""The known-wrong variants of the reference, written once per family and shared by every kata.

A variant names its catalogue mistake and reproduces one concrete way of making it: an edit
of the case (gate order, biases, initial state, input layout), flags for the recurrence
(activations, GRU formula, time order), an edit of the returned values (which step or
state ends up where) and, for the tutorial classes, the order of the returned tuple.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import permutations

import numpy as np

from rnnprep.grading.diagnosis.reference import CORRECT, GATES, Case, Flags, Trace

ALL_KINDS = frozenset({"cell", "seq", "class"})
RECURRENT = frozenset({"seq", "class"})  # kinds that unroll over time


@dataclass(frozen=True)
class Variant:
    """One concrete wrong implementation, labelled with its catalogue mistake."""

    mistake: str  # catalogue id
    note: str  # the concrete slip, e.g. "gate blocks read as i, f, o, g"
    families: frozenset[str]
    kinds: frozenset[str] = ALL_KINDS
    flags: Flags = CORRECT
    prep: Callable[[Case], Case] | None = None  # edits the case before the run
    post: Callable[[Trace], Trace] | None = None  # edits what the run returns
    # Which of the kata's outputs lands in each returned slot (names in, names out).
    reorder: Callable[[tuple[str, ...]], tuple[str, ...]] | None = None

    def applies(self, family: str, kind: str) -> bool:
        """Whether this variant can describe a kata of that family and kind."""
        return family in self.families and kind in self.kinds


def _fam(*names: str) -> frozenset[str]:
    """A set of family names."""
    return frozenset(names)


# --- case edits -------------------------------------------------------------------------------


def read_gates_as(order: tuple[str, ...], biases: bool = True) -> Callable[[Case], Case]:
    """The user slices block k as gate order[k]: gate g gets the rows of block order.index(g).

    With biases=False only the weights move (the tutorial class using Wf where Wi belongs,
    with the right bi)."""

    def prep(case: Case) -> Case:
        src = [order.index(g) for g in GATES[case.family]]
        rows = np.concatenate([np.arange(case.H) + k * case.H for k in src])  # (G*H,)
        moved = case.edit(W_ih=case.W_ih[rows], W_hh=case.W_hh[rows])
        return moved.edit(b_ih=case.b_ih[rows], b_hh=case.b_hh[rows]) if biases else moved

    return prep


def scale_biases(ih: float, hh: float) -> Callable[[Case], Case]:
    """b_ih and b_hh multiplied by 0 (left out), 1 or 2 (used twice)."""
    return lambda case: case.edit(b_ih=ih * case.b_ih, b_hh=hh * case.b_hh)


def drop_bias_block(k: int) -> Callable[[Case], Case]:
    """Gate block k computed without its bias (b_ih and b_hh rows), the other blocks with."""

    def prep(case: Case) -> Case:
        keep = np.ones(case.b_ih.shape[-1])  # (G*H,)
        keep[case.blocks(k)] = 0.0
        return case.edit(b_ih=keep * case.b_ih, b_hh=keep * case.b_hh)  # (G*H,), (G*H,)

    return prep


def swap_concat(case: Case) -> Case:
    """The tutorial classes' [h; x] stacked as [x; h]: the first I columns of W meet x.

    The case splits W (G*H, H+I) into W_hh = W[:, :H] and W_ih = W[:, H:]; the user's
    np.vstack((x, h)) makes W[:, :I] act on x and W[:, I:] on h instead.
    """
    I = case.W_ih.shape[-1]
    W = np.hstack([case.W_hh, case.W_ih])  # (G*H, H+I): the user's matrix, columns [h | x]
    return case.edit(W_ih=W[:, :I], W_hh=W[:, I:])  # (G*H, I), (G*H, H)


def drop_b_hn(case: Case) -> Case:
    """The GRU's b_hn left out (b_hr and b_hz kept)."""
    b_hh = case.b_hh.copy()  # (3H,)
    b_hh[2 * case.H :] = 0.0
    return case.edit(b_hh=b_hh)


def drop_b_y(case: Case) -> Case:
    """The read-out bias by left out."""
    return case.edit(b_y=np.zeros_like(case.b_y))


def transpose_hh_blocks(case: Case) -> Case:
    """Each (H, H) block of W_hh used as h @ W_hk instead of h @ W_hk.T."""
    G = case.W_hh.shape[0] // case.H
    return case.edit(W_hh=np.vstack([case.W_hh[case.blocks(k)].T for k in range(G)]))  # (G*H, H)


def input_reshaped(case: Case) -> Case:
    """x.reshape(T, B, I) used as time-major where x.transpose(1, 0, 2) was needed."""
    B, T, I = case.x.shape
    return case.edit(x=case.x.reshape(T, B, I).transpose(1, 0, 2))  # (B, T, I), scrambled


def drop_last_step(case: Case) -> Case:
    """The loop stops one step early, as range(T - 1) does."""
    return case.edit(x=case.x[:, :-1])  # (B, T-1, I)


def first_step_only(case: Case) -> Case:
    """Only the first step is run (a return inside the loop)."""
    return case.edit(x=case.x[:, :1])  # (B, 1, I)


# --- edits of the returned values ---------------------------------------------------------------


def output_reshaped(tr: Trace) -> Trace:
    """Outputs collected time-major (T, B, H), then reshaped (not transposed) to (B, T, H)."""
    B, T, H = tr["output"].shape
    return {**tr, "output": tr["output"].transpose(1, 0, 2).reshape(B, T, H)}  # (B, T, H)


def last_everywhere(tr: Trace) -> Trace:
    """Every output step holds the final state (one array appended and updated in place)."""
    return {**tr, "output": np.broadcast_to(tr["h_n"][:, None], tr["output"].shape)}  # (B, T, H)


def final_from(where: str, which: str = "hc") -> Callable[[Trace], Trace]:
    """h_n (and c_n) taken from the "first" step, the "penultimate" one or the "initial" state."""

    def post(tr: Trace) -> Trace:
        T = tr["output"].shape[1]
        if where == "initial":
            h, c = tr["h_init"], tr["c_init"]  # (B, H), (B, H)
        else:
            s = 0 if where == "first" else max(T - 2, 0)
            h, c = tr["output"][:, s], tr["c_seq"][:, s]  # (B, H), (B, H)
        return {**tr, "h_n": h, "c_n": c if "c" in which else tr["c_n"]}

    return post


def swap_states(tr: Trace) -> Trace:
    """(c, h) returned where (h, c) belongs; the read-out still sees the right h."""
    return {**tr, "h_n": tr["c_n"], "c_n": tr["h_n"], "h_y": tr["h_n"]}


def c_as_h(tr: Trace) -> Trace:
    """The cell state returned (and read out) as the hidden state."""
    return {**tr, "h_n": tr["c_n"]}


def c_as_output(tr: Trace) -> Trace:
    """The output sequence and h_n hold c instead of h."""
    return {**tr, "output": tr["c_seq"], "h_n": tr["c_n"]}


def read_out_c(tr: Trace) -> Trace:
    """The read-out applied to c instead of h."""
    return {**tr, "h_y": tr["c_n"]}


# --- returned slots --------------------------------------------------------------------------------


def y_last(names: tuple[str, ...]) -> tuple[str, ...]:
    """The read-out returned after the states: (h, y) or (h, c, y)."""
    return (*(n for n in names if n != "y"), "y")


def y_second(names: tuple[str, ...]) -> tuple[str, ...]:
    """The read-out returned between h and c: (h, y, c)."""
    return (names[1], "y", *names[2:])


# --- the table -------------------------------------------------------------------------------------


def _gate_orders() -> list[Variant]:
    """Every wrong reading order of the gate blocks (LSTM: 23, GRU: 5)."""
    out = []
    for family in ("lstm", "gru"):
        kinds = ALL_KINDS if family == "lstm" else frozenset({"cell", "seq"})
        torch_order = ", ".join(GATES[family])
        for order in permutations(GATES[family]):
            if order != GATES[family]:
                note = (
                    f"gate blocks read in the order {', '.join(order)} (torch stacks {torch_order})"
                )
                out.append(
                    Variant("gate-order", note, _fam(family), kinds, prep=read_gates_as(order))
                )
    for order in permutations(GATES["lstm"]):
        if order != GATES["lstm"]:
            note = f"the gate weights W_i, W_f, W_C, W_o used as those of {', '.join(order)} (biases right)"
            out.append(
                Variant(
                    "gate-order",
                    note,
                    _fam("lstm"),
                    frozenset({"class"}),
                    prep=read_gates_as(order, False),
                )
            )
    return out


def _activations() -> list[Variant]:
    """Sigmoid, tanh, relu and no activation swapped for one another."""
    rnn = [
        Variant(
            "wrong-activation", f"{a} as the RNN nonlinearity", _fam("rnn"), flags=Flags(acts=(a,))
        )
        for a in ("tanh", "relu", "sigmoid", "identity")
    ]
    s, t = "sigmoid", "tanh"
    lstm = [
        ("the candidate g with sigmoid instead of tanh", Flags(acts=(s, s, s, s))),
        ("the candidate g without tanh", Flags(acts=(s, s, "identity", s))),
        ("the candidate g with relu instead of tanh", Flags(acts=(s, s, "relu", s))),
        ("the gates i, f, o with tanh instead of sigmoid", Flags(acts=(t, t, t, t))),
        ("h = o * c (no tanh on the cell)", Flags(cell_act="identity")),
        ("h = o * sigmoid(c) instead of o * tanh(c)", Flags(cell_act="sigmoid")),
        (
            "sigmoid everywhere (g and the cell output too)",
            Flags(acts=(s, s, s, s), cell_act="sigmoid"),
        ),
    ]
    gru = [
        ("the candidate n with sigmoid instead of tanh", Flags(acts=(s, s, s))),
        ("the candidate n without tanh", Flags(acts=(s, s, "identity"))),
        ("the candidate n with relu instead of tanh", Flags(acts=(s, s, "relu"))),
        ("the gates r, z with tanh instead of sigmoid", Flags(acts=(t, t, t))),
    ]
    return (
        rnn
        + [Variant("wrong-activation", n, _fam("lstm"), flags=f) for n, f in lstm]
        + [Variant("wrong-activation", n, _fam("gru"), flags=f) for n, f in gru]
    )


def _biases() -> list[Variant]:
    """One bias left out, both left out, or one used twice."""
    every = _fam("rnn", "lstm", "gru")
    out = [
        Variant("missing-bias", "b_hh left out (only b_ih added)", every, prep=scale_biases(1, 0)),
        Variant("missing-bias", "b_ih left out (only b_hh added)", every, prep=scale_biases(0, 1)),
        Variant("missing-bias", "no bias at all", every, prep=scale_biases(0, 0)),
        Variant(
            "missing-bias",
            "b_ih added twice instead of b_ih + b_hh",
            every,
            prep=scale_biases(2, 0),
        ),
        Variant(
            "missing-bias",
            "b_hh added twice instead of b_ih + b_hh",
            every,
            prep=scale_biases(0, 2),
        ),
        Variant("missing-bias", "b_hn left out of the candidate n", _fam("gru"), prep=drop_b_hn),
    ]
    for family in ("lstm", "gru"):  # one block's bias forgotten (the RNN has a single block)
        out += [
            Variant(
                "missing-bias",
                f"the bias of gate block {gate} left out",
                _fam(family),
                prep=drop_bias_block(k),
            )
            for k, gate in enumerate(GATES[family])
        ]
    readout = frozenset({"class"})
    out.append(
        Variant("missing-bias", "the read-out bias by left out", every, readout, prep=drop_b_y)
    )
    both = lambda c: drop_b_y(scale_biases(0, 0)(c))  # noqa: E731
    out.append(
        Variant("missing-bias", "no bias anywhere, read-out included", every, readout, prep=both)
    )
    return out


def _states() -> list[Variant]:
    """Initial states dropped, h and c confused, the wrong step kept."""
    lstm, seqs = _fam("lstm"), frozenset({"seq"})
    every = _fam("rnn", "lstm", "gru")
    cell_seq = frozenset({"cell", "seq"})
    return [
        Variant(
            "initial-state-ignored",
            "h0 replaced by zeros",
            every,
            cell_seq,
            prep=lambda c: c.edit(h0=None),
        ),
        Variant(
            "initial-state-ignored",
            "c0 replaced by zeros",
            lstm,
            cell_seq,
            prep=lambda c: c.edit(c0=None),
        ),
        Variant(
            "initial-state-ignored",
            "h0 and c0 replaced by zeros",
            lstm,
            cell_seq,
            prep=lambda c: c.edit(h0=None, c0=None),
        ),
        Variant("state-swap", "(c, h) returned instead of (h, c)", lstm, post=swap_states),
        Variant("state-swap", "c returned as h", lstm, post=c_as_h),
        Variant("state-swap", "the output sequence and h_n hold c", lstm, seqs, post=c_as_output),
        Variant(
            "state-swap",
            "y read out from c instead of h",
            lstm,
            frozenset({"class"}),
            post=read_out_c,
        ),
        Variant(
            "last-step-only",
            "every output step holds the final state",
            every,
            seqs,
            post=last_everywhere,
        ),
        Variant(
            "final-state-not-last",
            "final state taken from the first step",
            every,
            seqs,
            post=final_from("first"),
        ),
        Variant(
            "final-state-not-last",
            "final state taken from the step before the last",
            every,
            seqs,
            post=final_from("penultimate"),
        ),
        Variant(
            "final-state-not-last",
            "final state = the initial state",
            every,
            seqs,
            post=final_from("initial"),
        ),
        Variant(
            "final-state-not-last",
            "h_n taken from the first step (c_n right)",
            lstm,
            seqs,
            post=final_from("first", "h"),
        ),
        Variant(
            "final-state-not-last",
            "the loop stops before the last step",
            every,
            frozenset({"class"}),
            prep=drop_last_step,
        ),
        Variant(
            "final-state-not-last",
            "the loop runs the first step only",
            every,
            frozenset({"class"}),
            prep=first_step_only,
        ),
    ]


def _time() -> list[Variant]:
    """Time order and axis mix-ups."""
    every = _fam("rnn", "lstm", "gru")
    seqs = frozenset({"seq"})
    return [
        Variant(
            "time-reversed",
            "the loop runs from the last step to the first",
            every,
            RECURRENT,
            flags=Flags(reverse="stored"),
        ),
        Variant(
            "time-reversed",
            "back to front, outputs kept in processing order",
            every,
            seqs,
            flags=Flags(reverse="appended"),
        ),
        Variant(
            "batch-time-swapped",
            "outputs collected as (T, B, H) then reshaped to (B, T, H)",
            every,
            seqs,
            post=output_reshaped,
        ),
        Variant(
            "batch-time-swapped",
            "x.reshape(T, B, I) instead of x.transpose(1, 0, 2)",
            every,
            seqs,
            prep=input_reshaped,
        ),
        Variant(
            "batch-time-swapped",
            "x and the outputs reshaped instead of transposed",
            every,
            seqs,
            prep=input_reshaped,
            post=output_reshaped,
        ),
    ]


def _gru_formula() -> list[Variant]:
    """The GRU variants that differ from torch's."""
    gru = _fam("gru")
    return [
        Variant(
            "gru-reset-placement",
            "reset applied before the matmul: W_hn (r * h) + b_hn",
            gru,
            flags=Flags(gru_reset="before_matmul"),
        ),
        Variant(
            "gru-reset-placement",
            "b_hn outside the reset: r * (W_hn h) + b_hn",
            gru,
            flags=Flags(gru_reset="bias_outside"),
        ),
        Variant(
            "gru-interpolation-flipped",
            "h = z * n + (1 - z) * h_prev",
            gru,
            flags=Flags(gru_flip=True),
        ),
    ]


def _transposed() -> list[Variant]:
    """W_hh (or its blocks) multiplied without the transpose."""
    return [
        Variant(
            "recurrent-weight-transposed",
            "h @ W_hh instead of h @ W_hh.T",
            _fam("rnn"),
            prep=transpose_hh_blocks,
        ),
        Variant(
            "recurrent-weight-transposed",
            "each W_hh block used as h @ W_hk instead of h @ W_hk.T",
            _fam("lstm", "gru"),
            frozenset({"cell", "seq"}),
            prep=transpose_hh_blocks,
        ),
    ]


def _layout() -> list[Variant]:
    """The tutorial classes' own layout: the stacked [h; x] column and the returned tuple."""
    classes = frozenset({"class"})
    return [
        # Only classic_lstm stacks [h; x]; simple_rnn keeps Wxh and Whh apart.
        Variant(
            "concat-order",
            "np.vstack((x, h)) where the weights expect np.vstack((h, x))",
            _fam("lstm"),
            classes,
            prep=swap_concat,
        ),
        Variant(
            "return-order",
            "y returned after the state(s) instead of first",
            _fam("rnn", "lstm"),
            classes,
            reorder=y_last,
        ),
        Variant(
            "return-order",
            "(h, y, c) returned instead of (y, h, c)",
            _fam("lstm"),
            classes,
            reorder=y_second,
        ),
    ]


VARIANTS: tuple[Variant, ...] = (
    *_gate_orders(),
    *_biases(),
    *_activations(),
    Variant(
        "forget-gate-unused",
        "c_t = c_{t-1} + i * g (f never applied)",
        _fam("lstm"),
        flags=Flags(acts=("sigmoid", "one", "tanh", "sigmoid")),
    ),
    *_states(),
    *_time(),
    *_gru_formula(),
    *_transposed(),
    *_layout(),
)
