"""Hidden suite for the packed_rnn kata: a GRU over right-padded sequences, as nn.GRU on a packed batch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading import references
from rnnprep.grading.framework import TOLERANCE, Array, Call, Case, Seq, Suite, draw_dims
from rnnprep.grading.suites._recurrent import as_dtype, states, weights

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.grading.compare import Verdict

PLAN: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "unsorted_lengths_zero_state",
        "lengths in no order, one equal to T and one equal to 1; h0=None",
        {"given": False},
    ),
    (
        "unsorted_lengths_given_state",
        "lengths in no order, one equal to T and one equal to 1; a given h0",
        {},
    ),
    ("all_full_length", "every length equal to T: the same as an unpadded GRU", {"full": True}),
    ("long_padded_sequence", "T from 15 to 20, lengths in no order", {"T": (15, 20)}),
    ("unsorted_lengths_float32", "lengths in no order, a given h0, float32", {"dtype": "float32"}),
)
RETURNS = Seq((Array("output", ("B", "T", "H")), Array("h_n", ("B", "H"))))


class PackedGRUSuite(Suite):
    """output zero past each length, h_n at each sequence's own last step."""

    kata = "packed_rnn"
    entry = ("gru_forward_lengths",)

    plan = PLAN

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        given: bool = True,
        full: bool = False,
        T: tuple[int, int] = (5, 9),
        dtype: str = "float64",
    ) -> Case:
        """Draw sizes, a padded batch and unsorted lengths; the padding holds noise, not zeros."""
        dims = draw_dims(rng, {"B": (3, 6), "T": T, "I": (2, 7), "H": (2, 6)}, {"H": 3})
        B, T_ = dims["B"], dims["T"]
        lengths = self.lengths(rng, B, T_, full)  # (B,)
        # Noise past each length: torch never reads it, so neither may the kata.
        x = rng.standard_normal((B, T_, dims["I"]))  # (B, T, I)
        args: dict[str, Any] = {"x": x, "lengths": lengths}
        args |= states(rng, ("h0",), (given,), dims)  # (B, H) or None
        args |= weights(rng, 3, dims)  # (3H, I), (3H, H), (3H,), (3H,)
        args = as_dtype(args, dtype) | {"lengths": lengths}
        call = Call("gru_forward_lengths", args)
        return Case(name, about, call, RETURNS, dims, dtype, TOLERANCE[dtype])

    @staticmethod
    def lengths(rng: np.random.Generator, B: int, T: int, full: bool) -> np.ndarray:
        """Lengths in 1..T containing T and 1, shuffled so they are neither sorted up nor down."""
        import numpy as np

        if full:
            return np.full(B, T, dtype=np.int64)  # (B,)
        while True:
            lengths = np.concatenate([[T, 1], rng.integers(1, T + 1, size=B - 2)])  # (B,)
            rng.shuffle(lengths)
            steps = np.diff(lengths)  # (B-1,)
            if np.any(steps > 0) and np.any(steps < 0):  # unsorted both ways
                return lengths.astype(np.int64)  # (B,)

    def expected(self, case: Case) -> Any:
        """nn.GRU over pack_padded_sequence(enforce_sorted=False), padded back to T."""
        import torch
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

        a = as_dtype(case.call.args, "float64") | {"lengths": case.call.args["lengths"]}
        B, T, I = a["x"].shape  # x (B, T, I)
        H = a["W_hh"].shape[1]  # W_hh (3H, H)
        gru = references._load(
            torch.nn.GRU(I, H, batch_first=True),
            weight_ih_l0=a["W_ih"],
            weight_hh_l0=a["W_hh"],
            bias_ih_l0=a["b_ih"],
            bias_hh_l0=a["b_hh"],
        )
        h0 = references._zeros_if_none(a["h0"], B, H)[None]  # (1, B, H)
        packed = pack_padded_sequence(
            references.tensor(a["x"]),
            torch.from_numpy(a["lengths"]),
            batch_first=True,
            enforce_sorted=False,
        )
        with torch.no_grad():
            out, h_n = gru(packed, h0)  # packed, (1, B, H) in the batch's own order
            output, _ = pad_packed_sequence(out, batch_first=True, total_length=T)  # (B, T, H)
        return references.numpy((output, h_n[0]))  # (B, T, H), (B, H)

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """The usual comparison, plus what the wrong rows have in common (padding, last step)."""
        from rnnprep.grading.compare import compare

        verdict = compare(case, actual, expected)
        if verdict.kind == "value":
            verdict.message += _padding_text(case, actual, expected)
        return verdict


def _padding_text(case: Case, actual: Any, expected: Any) -> str:
    """Sentences naming nonzero padding and an h_n taken at T-1 (or at the wrong step)."""
    import numpy as np

    lengths = case.call.args["lengths"]  # (B,)
    output, h_n = (np.asarray(v, dtype=float) for v in actual)  # (B, T, H), (B, H)
    T = output.shape[1]
    tol = 10 * (case.tol.atol + case.tol.rtol)
    text = ""
    padded = np.arange(T)[None, :] >= lengths[:, None]  # (B, T): True past each length
    if np.any(np.abs(output[padded]) > tol):
        leaking = np.abs(output).max(axis=2) * padded > tol  # (B, T)
        rows = sorted({int(b) for b in np.nonzero(leaking)[0]})
        text += (
            f"\noutput is not zero past the lengths (rows {rows}, lengths "
            f"{[int(lengths[b]) for b in rows]}): padded steps must stay 0."
        )
    short = [b for b in range(len(lengths)) if lengths[b] < T]
    wrong = [b for b in short if not np.allclose(h_n[b], expected[1][b], rtol=tol, atol=tol)]
    unpacked = references.sequence("gru", as_dtype(case.call.args, "float64"))[1]  # (B, H)
    if wrong and all(np.allclose(h_n[b], unpacked[b], rtol=tol, atol=tol) for b in wrong):
        text += (
            f"\nh_n rows {wrong} (lengths {[int(lengths[b]) for b in wrong]}) are the state after "
            f"the last padded step t={T - 1}: the padding was run through the GRU. Row b must be "
            f"the state after step lengths[b] - 1; finished rows keep their state."
        )
    elif wrong:
        text += f"\nh_n is wrong for the shorter sequences {wrong} (lengths {[int(lengths[b]) for b in wrong]})."
    return text


SUITE = PackedGRUSuite()
