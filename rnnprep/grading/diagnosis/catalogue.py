"""The catalogue of known mistakes: what each one is, why it is wrong, how to fix it, what to study."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """One mistake the grader can name, with the theory behind it and the quiz questions on it."""

    id: str
    title: str
    explanation: str  # the idea, as an interviewer would put it
    fix: str  # what to change in the code
    quiz_ids: tuple[str, ...]  # question ids in questions/*.yaml that teach the concept


_MISTAKES = (
    Mistake(
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
    ),
    Mistake(
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
    ),
    Mistake(
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
    ),
    Mistake(
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
    ),
    Mistake(
        "initial-state-ignored",
        "The given initial state is replaced by zeros",
        "h0 (and c0) are inputs: zeros are only the default when they are None. Ignoring a given "
        "state breaks stateful use, e.g. carrying the state across chunks in truncated BPTT.",
        "Start from h0 (and c0) when given; use zeros only when the argument is None, each on its own.",
        (
            "pytorch-api.defaults.zero-initial-state",
            "bptt.truncated.forward-context",
        ),
    ),
    Mistake(
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
    ),
    Mistake(
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
    ),
    Mistake(
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
    ),
    Mistake(
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
    ),
    Mistake(
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
    ),
    Mistake(
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
    ),
    Mistake(
        "precision-loss",
        "Right to about 1e-3 but not to the tolerance",
        "The formula is right but the numbers lost precision: a float16 cast, a rounding, or a "
        "float32 step inside a float64 case. float16 keeps about 3 decimal digits, float32 about 7.",
        "Compute in the input's dtype (float64 stays float64); do not round or cast to float16.",
        ("fundamentals.numerics.float16-eps", "gradients.clip.amp-order"),
    ),
    Mistake(
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
    ),
    Mistake(
        "recurrent-weight-transposed",
        "W_hh used without its transpose",
        "With row-vector states (B, H), torch's h W_hh^T is h @ W_hh.T. W_hh is square, so "
        "forgetting the .T raises no shape error, but it computes with the transposed matrix.",
        "Multiply the state by the transpose: h @ W_hh.T (column vectors: W_hh @ h).",
        (
            "rnn.recurrence.pytorch-equation",
            "lstm.shape.gate-preactivation",
        ),
    ),
    Mistake(
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
    ),
    Mistake(
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
    ),
)

CATALOGUE: dict[str, Mistake] = {m.id: m for m in _MISTAKES}
