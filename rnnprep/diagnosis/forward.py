"""The mistakes of forward passes (RNN, LSTM, GRU cells, sequences, tutorial classes), each
with the variants of the reference that reproduce it: what the grader can name, in one file.

A mistake is what a learner reads (title, the idea, the fix, the quiz questions that teach
it). A variant reproduces one concrete way of making it: an edit of the network (gate order,
biases, initial state, input layout), flags for the recurrence (activations, GRU formula,
time order), an edit of the returned values (which step or state ends up where) and, for the
tutorial classes, the order of the returned tuple.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import permutations

import numpy as np

from rnnprep.diagnosis.mistake import Mistake
from rnnprep.diagnosis.network import CORRECT, GATES, Case, Flags, Trace

ALL_KINDS = frozenset({"cell", "sequence", "class"})
RECURRENT = frozenset({"sequence", "class"})  # kinds that unroll over time


# --- the mistakes ------------------------------------------------------------------------------

GATE_ORDER = Mistake(
    "gate-order",
    "Gate blocks read in the wrong order",
    "torch stacks the gate blocks of W_ih, W_hh, b_ih and b_hh as i, f, g, o for the LSTM "
    "and r, z, n for the GRU. Other code stacks them differently (CS231n's LSTM uses i, f, o, g, "
    "TensorFlow 1's LSTMCell i, g, f, o, Keras's GRU z, r, h), and the same weights sliced "
    "another way give a different network.",
    "Slice rows k*H:(k+1)*H as the k-th gate of torch's order: LSTM i, f, g, o; GRU r, z, n.",
    (
        "pytorch-api.gates.lstm-stacking-order",
        "pytorch-api.gates.gru-stacking-order",
        "lstm.shape.gate-preactivation",
    ),
)

MISSING_BIAS = Mistake(
    "missing-bias",
    "A bias left out or used twice",
    "torch keeps two bias vectors, b_ih and b_hh, and adds both to every pre-activation. "
    "They are redundant mathematically but both are learned parameters, so dropping one "
    "(or adding one of them twice) shifts every gate. The tutorial classes have a read-out "
    "bias by too.",
    "Add b_ih and b_hh once each: x @ W_ih.T + b_ih + h @ W_hh.T + b_hh (and y = Wy h + by).",
    (
        "pytorch-api.bias.two-vectors",
        "pytorch-api.bias.merge-exactness",
        "pytorch-api.gates.effective-forget-bias",
    ),
)

WRONG_ACTIVATION = Mistake(
    "wrong-activation",
    "Activations mixed up",
    "Gates (i, f, o; r, z) use the sigmoid so they act as soft switches in (0, 1); the "
    "candidate (g; n) uses tanh so it can add or subtract in (-1, 1); the LSTM output is "
    "h = o * tanh(c), which keeps h bounded while c grows. An Elman RNN uses exactly the "
    "nonlinearity asked for: tanh or relu.",
    "Use sigmoid for the gates, tanh for the candidate and for c in h = o * tanh(c), and "
    "np.tanh or np.maximum(a, 0) as `nonlinearity` says.",
    (
        "lstm.gates.activations",
        "lstm.gates.candidate-tanh",
        "pytorch-api.defaults.rnn-nonlinearity",
        "gru.gates.value-ranges",
        "fundamentals.activations.tanh-vs-sigmoid",
    ),
)

FORGET_GATE_UNUSED = Mistake(
    "forget-gate-unused",
    "The forget gate is never applied",
    "The cell update is c_t = f * c_{t-1} + i * g. Without f, c only accumulates and can "
    "never decay; the forget gate (Gers et al. 2000) is what lets an LSTM reset its memory.",
    "Multiply the previous cell state by f: c = f * c_prev + i * g.",
    (
        "lstm.gates.forget-role",
        "lstm.cell.update-equation",
        "lstm.history.forget-gate-added",
    ),
)

INITIAL_STATE_IGNORED = Mistake(
    "initial-state-ignored",
    "The given initial state is replaced by zeros",
    "h0 (and c0) are inputs: zeros are only the default when they are None. Ignoring a given "
    "state breaks stateful use, e.g. carrying the state across chunks in truncated BPTT.",
    "Start from h0 (and c0) when given; use zeros only when the argument is None, each on its own.",
    (
        "pytorch-api.defaults.zero-initial-state",
        "bptt.truncated.forward-context",
    ),
)

TIME_REVERSED = Mistake(
    "time-reversed",
    "The sequence is processed back to front",
    "A unidirectional RNN reads x_0 first and x_{T-1} last, so h_t summarises x_0..x_t. "
    "Running the loop backwards computes the reverse direction of a bidirectional RNN "
    "instead, and h_n no longer summarises the end of the sequence.",
    "Loop for t in range(T), feeding x[:, t], and store each h at output[:, t].",
    (
        "rnn.bidirectional.backward-final-state",
        "rnn.architectures.reversed-source",
    ),
)

STATE_SWAP = Mistake(
    "state-swap",
    "h and c swapped",
    "An LSTM carries two states: c, the additive memory, and h = o * tanh(c), the gated view "
    "of it that is also the output. The output sequence and h_n hold h; c_n is only the "
    "final cell state. torch returns (output, (h_n, c_n)) and a cell returns (h, c).",
    "Return h where h is expected and c where c is expected: (h, c), in that order.",
    (
        "lstm.hc.difference",
        "lstm.cell.h-bounded-c-not",
        "pytorch-api.cell.lstmcell-vs-lstm",
    ),
)

STATE_DUPLICATED = Mistake(
    "state-duplicated",
    "h returned where c belongs",
    "An LSTM's final state is the pair (h, c): h = o * tanh(c) is the gated, bounded view and c "
    "the memory itself. Returning h twice loses c, so a caller that continues the sequence "
    "from (h_n, c_n) (truncated BPTT, a decoder seeded by the encoder) restarts its memory "
    "from the wrong values.",
    "Return the cell state in c's place: (h, c), with c = f * c_prev + i * g from the last step.",
    (
        "lstm.hc.difference",
        "lstm.cell.h-bounded-c-not",
        "pytorch-api.cell.lstmcell-vs-lstm",
    ),
)

LAST_STEP_ONLY = Mistake(
    "last-step-only",
    "The output holds the final state at every step",
    "output[:, t] must be h_t, the state after step t. Appending the same array and then "
    "updating it in place (h[:] = ..., or out += ...), or broadcasting h_n, fills every step "
    "with the last state.",
    "Store a fresh array per step: output[:, t] = h with h rebound (h = ...), not updated in place.",
    (
        "rnn.sharing.cell-loop-equivalence",
        "rnn.many-to-one.last-output-equals-hn",
    ),
)

FINAL_STATE_NOT_LAST = Mistake(
    "final-state-not-last",
    "The final state is not the last step's",
    "h_n (and c_n) are the states after the LAST time step: for a unidirectional one-layer "
    "network h_n equals output[:, -1]. Taking another step (an off-by-one loop, output[0] "
    "after stacking, or the initial state) gives a stale summary.",
    "Run every step and return the state after the loop: h_n = output[:, -1].",
    (
        "rnn.many-to-one.last-output-equals-hn",
        "pytorch-api.packing.hn-last-valid-step",
    ),
)

GRU_RESET_PLACEMENT = Mistake(
    "gru-reset-placement",
    "The GRU reset gate is applied in the paper's place, not torch's",
    "Cho et al. 2014 (and d2l) compute n = tanh(W_in x + W_hn (r * h)); torch (like cuDNN) "
    "computes n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), the reset scaling the whole "
    "hidden projection, bias included. Both are GRUs; only one matches nn.GRU.",
    "Keep gh = h @ W_hh.T + b_hh whole and use n = tanh(gi_n + r * gh_n).",
    (
        "gru.equations.candidate-pytorch",
        "gru.equations.reset-placement-not-equivalent",
        "gru.api.keras-reset-after",
    ),
)

GRU_INTERPOLATION_FLIPPED = Mistake(
    "gru-interpolation-flipped",
    "The GRU update interpolates the wrong way round",
    "torch computes h = (1 - z) * n + z * h_prev: z near 1 KEEPS the old state. Some texts "
    "write h = z * n + (1 - z) * h_prev, which is the same family with z meaning the opposite.",
    "Use h = (1 - z) * n + z * h_prev.",
    (
        "gru.equations.interpolation",
        "gru.api.flipped-update-convention",
        "gru.gates.update-near-one",
    ),
)

PRECISION_LOSS = Mistake(
    "precision-loss",
    "Right to about 1e-3 but not to the tolerance",
    "The formula is right but the numbers lost precision: a float16 cast, a rounding, or a "
    "float32 step inside a float64 case. float16 keeps about 3 decimal digits, float32 about 7.",
    "Compute in the input's dtype (float64 stays float64); do not round or cast to float16.",
    ("fundamentals.numerics.float16-eps", "gradients.clip.amp-order"),
)

BATCH_TIME_SWAPPED = Mistake(
    "batch-time-swapped",
    "Batch and time axes mixed up",
    "x is batch-first (B, T, I): step t is x[:, t]. reshape only reinterprets memory, so "
    "x.reshape(T, B, I) (or reshaping a (T, B, H) stack to (B, T, H)) scrambles batch items "
    "and steps although the shape looks right; transpose moves axes.",
    "Use x[:, t] (or x.transpose(1, 0, 2)) and np.stack(outputs, axis=1); never reshape to swap axes.",
    (
        "pytorch-api.shapes.batch-dim-default",
        "pytorch-api.debug.hidden-batch-first",
    ),
)

RECURRENT_WEIGHT_TRANSPOSED = Mistake(
    "recurrent-weight-transposed",
    "W_hh used without its transpose",
    "With row-vector states (B, H), torch's h W_hh^T is h @ W_hh.T. W_hh is square, so "
    "forgetting the .T raises no shape error, but it computes with the transposed matrix.",
    "Multiply the state by the transpose: h @ W_hh.T (column vectors: W_hh @ h).",
    (
        "rnn.recurrence.pytorch-equation",
        "lstm.shape.gate-preactivation",
    ),
)

CONCAT_ORDER = Mistake(
    "concat-order",
    "h and x stacked in the wrong order",
    "In the tutorial convention every gate weight W (H, H+I) acts on the column "
    "[h_{t-1}; x_t]: its first H columns are the recurrent weights (torch's W_hh) and the "
    "last I the input weights (W_ih). np.vstack((x, h)) has the same shape (H+I, 1), so "
    "nothing fails, but x meets columns learned for h and h meets columns learned for x.",
    "Stack the state on top, as the weights expect: z = np.vstack((h, x)).",
    (
        "lstm.gates.previous-state-in-gates",
        "lstm.params.forget-block",
        "lstm.shape.gate-preactivation",
    ),
)

RETURN_ORDER = Mistake(
    "return-order",
    "Return values in the wrong order",
    "A tuple is unpacked by position: forward returns the read-out y first, then the final "
    "state(s), (y, h) or (y, h, c). With the read-out elsewhere, a caller's "
    "`y, h = model.forward(X)` silently takes the state as the prediction (or fails on "
    "shapes), although every value was computed right.",
    "Return the values in the order of the contract: return y, h (the LSTM: return y, h, c).",
    (
        "rnn.architectures.sentiment",
        "rnn.many-to-one.last-output-equals-hn",
        "pytorch-api.debug.gru-tuple-unpack",
    ),
)


@dataclass(frozen=True)
class Variant:
    """One concrete wrong implementation, labelled with its catalogue mistake."""

    mistake: Mistake
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


def output_time_major(tr: Trace) -> Trace:
    """The output sequence returned time-major (T, B, H) instead of batch-first."""
    return {**tr, "output": tr["output"].transpose(1, 0, 2)}  # (T, B, H)


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


def h_as_c(tr: Trace) -> Trace:
    """The hidden state returned a second time in the cell state's place: (h, h)."""
    return {**tr, "c_n": tr["h_n"]}


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
        kinds = ALL_KINDS if family == "lstm" else frozenset({"cell", "sequence"})
        torch_order = ", ".join(GATES[family])
        for order in permutations(GATES[family]):
            if order != GATES[family]:
                note = (
                    f"gate blocks read in the order {', '.join(order)} (torch stacks {torch_order})"
                )
                out.append(
                    Variant(GATE_ORDER, note, _fam(family), kinds, prep=read_gates_as(order))
                )
    for order in permutations(GATES["lstm"]):
        if order != GATES["lstm"]:
            note = f"the gate weights W_i, W_f, W_C, W_o used as those of {', '.join(order)} (biases right)"
            out.append(
                Variant(
                    GATE_ORDER,
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
            WRONG_ACTIVATION, f"{a} as the RNN nonlinearity", _fam("rnn"), flags=Flags(acts=(a,))
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
        + [Variant(WRONG_ACTIVATION, n, _fam("lstm"), flags=f) for n, f in lstm]
        + [Variant(WRONG_ACTIVATION, n, _fam("gru"), flags=f) for n, f in gru]
    )


def _biases() -> list[Variant]:
    """One bias left out, both left out, or one used twice."""
    every = _fam("rnn", "lstm", "gru")
    out = [
        Variant(MISSING_BIAS, "b_hh left out (only b_ih added)", every, prep=scale_biases(1, 0)),
        Variant(MISSING_BIAS, "b_ih left out (only b_hh added)", every, prep=scale_biases(0, 1)),
        Variant(MISSING_BIAS, "no bias at all", every, prep=scale_biases(0, 0)),
        Variant(
            MISSING_BIAS,
            "b_ih added twice instead of b_ih + b_hh",
            every,
            prep=scale_biases(2, 0),
        ),
        Variant(
            MISSING_BIAS,
            "b_hh added twice instead of b_ih + b_hh",
            every,
            prep=scale_biases(0, 2),
        ),
        Variant(MISSING_BIAS, "b_hn left out of the candidate n", _fam("gru"), prep=drop_b_hn),
    ]
    for family in ("lstm", "gru"):  # one block's bias forgotten (the RNN has a single block)
        out += [
            Variant(
                MISSING_BIAS,
                f"the bias of gate block {gate} left out",
                _fam(family),
                prep=drop_bias_block(k),
            )
            for k, gate in enumerate(GATES[family])
        ]
    readout = frozenset({"class"})
    out.append(
        Variant(MISSING_BIAS, "the read-out bias by left out", every, readout, prep=drop_b_y)
    )
    both = lambda c: drop_b_y(scale_biases(0, 0)(c))  # noqa: E731
    out.append(
        Variant(MISSING_BIAS, "no bias anywhere, read-out included", every, readout, prep=both)
    )
    return out


def _states() -> list[Variant]:
    """Initial states dropped, h and c confused, the wrong step kept."""
    lstm, seqs = _fam("lstm"), frozenset({"sequence"})
    every = _fam("rnn", "lstm", "gru")
    cell_seq = frozenset({"cell", "sequence"})
    return [
        Variant(
            INITIAL_STATE_IGNORED,
            "h0 replaced by zeros",
            every,
            cell_seq,
            prep=lambda c: c.edit(h0=None),
        ),
        Variant(
            INITIAL_STATE_IGNORED,
            "c0 replaced by zeros",
            lstm,
            cell_seq,
            prep=lambda c: c.edit(c0=None),
        ),
        Variant(
            INITIAL_STATE_IGNORED,
            "h0 and c0 replaced by zeros",
            lstm,
            cell_seq,
            prep=lambda c: c.edit(h0=None, c0=None),
        ),
        Variant(STATE_SWAP, "(c, h) returned instead of (h, c)", lstm, post=swap_states),
        Variant(STATE_SWAP, "c returned as h", lstm, post=c_as_h),
        Variant(STATE_DUPLICATED, "(h, h) returned instead of (h, c)", lstm, post=h_as_c),
        Variant(STATE_SWAP, "the output sequence and h_n hold c", lstm, seqs, post=c_as_output),
        Variant(
            STATE_SWAP,
            "y read out from c instead of h",
            lstm,
            frozenset({"class"}),
            post=read_out_c,
        ),
        Variant(
            LAST_STEP_ONLY,
            "every output step holds the final state",
            every,
            seqs,
            post=last_everywhere,
        ),
        Variant(
            FINAL_STATE_NOT_LAST,
            "final state taken from the first step",
            every,
            seqs,
            post=final_from("first"),
        ),
        Variant(
            FINAL_STATE_NOT_LAST,
            "final state taken from the step before the last",
            every,
            seqs,
            post=final_from("penultimate"),
        ),
        Variant(
            FINAL_STATE_NOT_LAST,
            "final state = the initial state",
            every,
            seqs,
            post=final_from("initial"),
        ),
        Variant(
            FINAL_STATE_NOT_LAST,
            "h_n taken from the first step (c_n right)",
            lstm,
            seqs,
            post=final_from("first", "h"),
        ),
        Variant(
            FINAL_STATE_NOT_LAST,
            "the loop stops before the last step",
            every,
            frozenset({"class"}),
            prep=drop_last_step,
        ),
        Variant(
            FINAL_STATE_NOT_LAST,
            "the loop runs the first step only",
            every,
            frozenset({"class"}),
            prep=first_step_only,
        ),
    ]


def _time() -> list[Variant]:
    """Time order and axis mix-ups."""
    every = _fam("rnn", "lstm", "gru")
    seqs = frozenset({"sequence"})
    return [
        Variant(
            BATCH_TIME_SWAPPED,
            "the output returned time-major (T, B, H) instead of batch-first (B, T, H)",
            every,
            seqs,
            post=output_time_major,
        ),
        Variant(
            TIME_REVERSED,
            "the loop runs from the last step to the first",
            every,
            RECURRENT,
            flags=Flags(reverse="stored"),
        ),
        Variant(
            TIME_REVERSED,
            "back to front, outputs kept in processing order",
            every,
            seqs,
            flags=Flags(reverse="appended"),
        ),
        Variant(
            BATCH_TIME_SWAPPED,
            "outputs collected as (T, B, H) then reshaped to (B, T, H)",
            every,
            seqs,
            post=output_reshaped,
        ),
        Variant(
            BATCH_TIME_SWAPPED,
            "x.reshape(T, B, I) instead of x.transpose(1, 0, 2)",
            every,
            seqs,
            prep=input_reshaped,
        ),
        Variant(
            BATCH_TIME_SWAPPED,
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
            GRU_RESET_PLACEMENT,
            "reset applied before the matmul: W_hn (r * h) + b_hn",
            gru,
            flags=Flags(gru_reset="before_matmul"),
        ),
        Variant(
            GRU_RESET_PLACEMENT,
            "b_hn outside the reset: r * (W_hn h) + b_hn",
            gru,
            flags=Flags(gru_reset="bias_outside"),
        ),
        Variant(
            GRU_INTERPOLATION_FLIPPED,
            "h = z * n + (1 - z) * h_prev",
            gru,
            flags=Flags(gru_flip=True),
        ),
    ]


def _transposed() -> list[Variant]:
    """W_hh (or its blocks) multiplied without the transpose."""
    return [
        Variant(
            RECURRENT_WEIGHT_TRANSPOSED,
            "h @ W_hh instead of h @ W_hh.T",
            _fam("rnn"),
            prep=transpose_hh_blocks,
        ),
        Variant(
            RECURRENT_WEIGHT_TRANSPOSED,
            "each W_hh block used as h @ W_hk instead of h @ W_hk.T",
            _fam("lstm", "gru"),
            frozenset({"cell", "sequence"}),
            prep=transpose_hh_blocks,
        ),
    ]


def _layout() -> list[Variant]:
    """The tutorial classes' own layout: the stacked [h; x] column and the returned tuple."""
    classes = frozenset({"class"})
    return [
        # Only classic_lstm stacks [h; x]; simple_rnn keeps Wxh and Whh apart.
        Variant(
            CONCAT_ORDER,
            "np.vstack((x, h)) where the weights expect np.vstack((h, x))",
            _fam("lstm"),
            classes,
            prep=swap_concat,
        ),
        Variant(
            RETURN_ORDER,
            "y returned after the state(s) instead of first",
            _fam("rnn", "lstm"),
            classes,
            reorder=y_last,
        ),
        Variant(
            RETURN_ORDER,
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
        FORGET_GATE_UNUSED,
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


MISTAKES: tuple[Mistake, ...] = (
    GATE_ORDER,
    MISSING_BIAS,
    WRONG_ACTIVATION,
    FORGET_GATE_UNUSED,
    INITIAL_STATE_IGNORED,
    TIME_REVERSED,
    STATE_SWAP,
    STATE_DUPLICATED,
    LAST_STEP_ONLY,
    FINAL_STATE_NOT_LAST,
    GRU_RESET_PLACEMENT,
    GRU_INTERPOLATION_FLIPPED,
    PRECISION_LOSS,
    BATCH_TIME_SWAPPED,
    RECURRENT_WEIGHT_TRANSPOSED,
    CONCAT_ORDER,
    RETURN_ORDER,
)
