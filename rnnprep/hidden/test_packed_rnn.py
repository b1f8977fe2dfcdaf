"""Hidden suite of packed_rnn: gru_forward_lengths(x, lengths, h0, W_ih, W_hh, b_ih, b_hh)
-> (output (B, T, H), h_n (B, H)), a GRU over right-padded sequences, against nn.GRU on
pack_padded_sequence(enforce_sorted=False), padded back to T.

The padding holds noise, not zeros: torch never reads it, so neither may the kata. output is
zero past each length and h_n[b] is the state after step lengths[b] - 1.

The plan:

    unsorted_lengths_zero_state    lengths in no order, one equal to T and one equal to 1; h0=None
    unsorted_lengths_given_state   the same with a given h0
    all_full_length                every length equal to T: the same as an unpadded GRU
    long_padded_sequence           T from 15 to 20, lengths in no order
    unsorted_lengths_float32       lengths in no order, a given h0, float32
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnprep.diagnosis import advanced
from rnnprep.diagnosis.slips import leaves_close
from rnnprep.grading import suite
from rnnprep.grading.torch_reference import load, tensor, to_numpy, zeros_if_none

KATA = suite.kata("packed_rnn")
Submission = Callable[[suite.Case], Any]

# fmt: off
PLAN = (
    suite.Planned("unsorted_lengths_zero_state", "lengths in no order, one equal to T and one equal to 1; h0=None",
                  {"given": False}),
    suite.Planned("unsorted_lengths_given_state", "lengths in no order, one equal to T and one equal to 1; a given h0"),
    suite.Planned("all_full_length", "every length equal to T: the same as an unpadded GRU", {"full": True}),
    suite.Planned("long_padded_sequence", "T from 15 to 20, lengths in no order", {"T": (15, 20)}),
    suite.Planned("unsorted_lengths_float32", "lengths in no order, a given h0, float32", {"dtype": "float32"}),
)
# fmt: on


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Sizes, a padded batch (noise past each length) and unsorted lengths."""
    options = planned.options
    dtype = options.get("dtype", "float64")
    dims = suite.draw_dims(rng, {"B": (3, 6), "T": options.get("T", (5, 9)), "I": (2, 7), "H": (2, 6)}, {"H": 3})
    lengths = draw_lengths(rng, dims["B"], dims["T"], options.get("full", False))  # (B,)
    x = rng.standard_normal((dims["B"], dims["T"], dims["I"]))  # (B, T, I): noise past each length too
    args: dict[str, Any] = {"x": x, "lengths": lengths}
    args |= suite.states(rng, ("h0",), (options.get("given", True),), dims)  # (B, H) or None
    args |= suite.weights(rng, 3, dims)  # (3H, I), (3H, H), (3H,), (3H,)
    call = suite.Call(KATA.entry[0], suite.as_dtype(args, dtype))  # lengths stay int64
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, dtype, suite.TOLERANCE[dtype])


def draw_lengths(rng: np.random.Generator, B: int, T: int, full: bool) -> np.ndarray:
    """Lengths in 1..T containing T and 1, shuffled so they are sorted neither up nor down."""
    if full:
        return np.full(B, T, dtype=np.int64)  # (B,)
    while True:
        lengths = np.concatenate([[T, 1], rng.integers(1, T + 1, size=B - 2)])  # (B,)
        rng.shuffle(lengths)
        steps = np.diff(lengths)  # (B-1,)
        if np.any(steps > 0) and np.any(steps < 0):  # unsorted both ways
            return lengths.astype(np.int64)  # (B,)


def gru(case: suite.Case) -> torch.nn.GRU:
    """nn.GRU(batch_first) in float64 holding the case's weights."""
    a = suite.float64(case.call.args)
    I, H = a["W_ih"].shape[1], a["W_hh"].shape[1]  # W_ih (3H, I), W_hh (3H, H)
    return load(torch.nn.GRU(I, H, batch_first=True),
                weight_ih_l0=a["W_ih"], weight_hh_l0=a["W_hh"], bias_ih_l0=a["b_ih"], bias_hh_l0=a["b_hh"])  # fmt: skip


def reference(case: suite.Case) -> Any:
    """nn.GRU over pack_padded_sequence(enforce_sorted=False), padded back to T: (output, h_n)."""
    a = suite.float64(case.call.args)
    (B, T, _), H = a["x"].shape, a["W_hh"].shape[1]  # x (B, T, I), W_hh (3H, H)
    h0 = zeros_if_none(a["h0"], B, H)[None]  # (1, B, H)
    lengths = torch.from_numpy(a["lengths"])  # (B,) int64
    packed = pack_padded_sequence(tensor(a["x"]), lengths, batch_first=True, enforce_sorted=False)
    with torch.no_grad():
        out, h_n = gru(case)(packed, h0)  # packed, (1, B, H) in the batch's own order
        output, _ = pad_packed_sequence(out, batch_first=True, total_length=T)  # (B, T, H)
    return to_numpy((output, h_n[0]))  # (B, T, H), (B, H)


def unpacked_h_n(case: suite.Case) -> np.ndarray:
    """nn.GRU over the padded batch as it is, padding included: what h_n is when nothing is masked."""
    a = suite.float64(case.call.args)
    (B, _, _), H = a["x"].shape, a["W_hh"].shape[1]  # x (B, T, I), W_hh (3H, H)
    with torch.no_grad():
        _, h_n = gru(case)(tensor(a["x"]), zeros_if_none(a["h0"], B, H)[None])  # (1, B, H)
    return to_numpy(h_n[0])  # (B, H)


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """The padding slips that reproduce the answer, after what the wrong rows have in common."""
    same = leaves_close(rtol=case.tol.rtol, atol=case.tol.atol)
    ids, lines = suite.slip_diagnosis(advanced.PACKED_SLIPS, same)(case, actual, expected)
    return ids, padding_text(case, actual, expected) + lines


def padding_text(case: suite.Case, actual: Any, expected: Any) -> list[str]:
    """Nonzero padding, and an h_n taken at T-1 (or at another wrong step), row by row."""
    lengths = case.call.args["lengths"]  # (B,)
    output, h_n = (np.asarray(v, dtype=np.float64) for v in actual)  # (B, T, H), (B, H)
    if output.shape != expected[0].shape or h_n.shape != expected[1].shape:
        return []
    T = output.shape[1]
    tol = case.tol
    lines = []
    padded = np.arange(T)[None, :] >= lengths[:, None]  # (B, T): True past each length
    leaking = (np.abs(output).max(axis=2) > tol.atol) & padded  # (B, T)
    if np.any(leaking):
        rows = sorted({int(b) for b in np.nonzero(leaking)[0]})
        lines.append(
            f"output is not zero past the lengths (rows {rows}, lengths {[int(lengths[b]) for b in rows]}): "
            f"padded steps must stay 0."
        )

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.allclose(a, b, rtol=tol.rtol, atol=tol.atol))

    wrong = [b for b in range(len(lengths)) if lengths[b] < T and not close(h_n[b], expected[1][b])]
    unpacked = unpacked_h_n(case)  # (B, H)
    if wrong and all(close(h_n[b], unpacked[b]) for b in wrong):
        lines.append(
            f"h_n rows {wrong} (lengths {[int(lengths[b]) for b in wrong]}) are the state after the last "
            f"padded step t={T - 1}: the padding was run through the GRU. Row b must be the state after "
            f"step lengths[b] - 1; finished rows keep their state."
        )
    elif wrong:
        lines.append(f"h_n is wrong for the shorter sequences {wrong} (lengths {[int(lengths[b]) for b in wrong]}).")
    return lines


def test_packed_rnn(case: suite.Case, submission: Submission) -> None:
    suite.expect_outputs(case, submission(case), reference(case), diagnose)
