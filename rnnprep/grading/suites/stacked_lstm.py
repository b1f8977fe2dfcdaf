"""Hidden suite for the stacked_lstm kata: lstm_forward_multi against nn.LSTM(num_layers, bidirectional)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading import references
from rnnprep.grading.framework import TOLERANCE, Array, Call, Case, Seq, Suite, draw_dims, uniform
from rnnprep.grading.suites._recurrent import as_dtype

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.grading.compare import Verdict

# (name, about, options): every num_layers 1..3 both ways, states None and given, float32, T=1.
PLAN: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "one_layer_forward",
        "num_layers=1, unidirectional, no initial state",
        {"L": 1, "bi": False, "given": False},
    ),
    ("two_layers_forward", "num_layers=2, unidirectional, given h0/c0", {"L": 2, "bi": False}),
    ("three_layers_forward", "num_layers=3, unidirectional, given h0/c0", {"L": 3, "bi": False}),
    ("one_layer_bidirectional", "num_layers=1, bidirectional, given h0/c0", {"L": 1, "bi": True}),
    (
        "two_layers_bidirectional",
        "num_layers=2, bidirectional, no initial state",
        {"L": 2, "bi": True, "given": False},
    ),
    (
        "three_layers_bidirectional",
        "num_layers=3, bidirectional, given h0/c0",
        {"L": 3, "bi": True},
    ),
    (
        "bidirectional_single_step",
        "num_layers=2, bidirectional, T=1",
        {"L": 2, "bi": True, "T": (1, 1)},
    ),
    (
        "bidirectional_float32",
        "num_layers=2, bidirectional, float32",
        {"L": 2, "bi": True, "dtype": "float32"},
    ),
)


def param_names(num_layers: int, bidirectional: bool) -> list[str]:
    """torch's parameter names, in nn.LSTM's own order."""
    suffixes = ["", "_reverse"] if bidirectional else [""]
    return [
        f"{kind}_l{layer}{suffix}"
        for layer in range(num_layers)
        for suffix in suffixes
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ]


class StackedLSTMSuite(Suite):
    """output (B, T, D*H) and (h_n, c_n) each (num_layers*D, B, H), as nn.LSTM(batch_first)."""

    kata = "stacked_lstm"
    entry = ("lstm_forward_multi",)

    plan = PLAN

    def build(
        self,
        rng: np.random.Generator,
        name: str,
        about: str,
        *,
        L: int,
        bi: bool,
        given: bool = True,
        T: tuple[int, int] = (3, 8),
        dtype: str = "float64",
    ) -> Case:
        """Draw sizes (2H and 4H kept apart from the others), data, states and every parameter."""
        D = 2 if bi else 1
        for _ in range(1000):
            dims = draw_dims(rng, {"B": (2, 5), "T": T, "I": (2, 7), "H": (2, 6)}, {"H": 4})
            if 2 * dims["H"] not in dims.values() or not bi:
                break
        B, T_, I, H = dims["B"], dims["T"], dims["I"], dims["H"]
        params = {}
        for key in param_names(L, bi):
            fan_in = I if key.startswith("weight_ih_l0") else D * H
            shape = {"weight_ih": (4 * H, fan_in), "weight_hh": (4 * H, H)}.get(key[:9], (4 * H,))
            scale = 0.5 if key.startswith("bias") else H**-0.5
            params[key] = uniform(rng, shape, scale)  # (4H, I|D*H), (4H, H) or (4H,)
        states = {
            n: uniform(rng, (L * D, B, H), 0.9) if given else None for n in ("h0", "c0")
        }  # (L*D, B, H)
        args = {"x": rng.standard_normal((B, T_, I)), **states}  # (B, T, I)
        args = as_dtype(args, dtype) | {"params": as_dtype(params, dtype)}
        args |= {"num_layers": L, "bidirectional": bi}
        returns = Seq(
            (
                Array("output", ("B", "T", D * H)),
                Seq((Array("h_n", (L * D, "B", "H")), Array("c_n", (L * D, "B", "H")))),
            )
        )
        call = Call("lstm_forward_multi", args)
        return Case(name, about, call, returns, dims, dtype, TOLERANCE[dtype], {"L": L, "D": D})

    def expected(self, case: Case) -> Any:
        """nn.LSTM(I, H, num_layers, bidirectional=..., batch_first=True) in float64."""
        import torch

        a = case.call.args
        B, _, I = a["x"].shape  # x (B, T, I)
        H = a["params"]["weight_hh_l0"].shape[1]  # (4H, H)
        L, D = case.extra["L"], case.extra["D"]
        lstm = torch.nn.LSTM(I, H, L, batch_first=True, bidirectional=D == 2)
        lstm = references._load(lstm, **as_dtype(a["params"], "float64"))
        zeros = torch.zeros(L * D, B, H, dtype=torch.float64)  # (L*D, B, H)
        h0 = zeros if a["h0"] is None else references.tensor(a["h0"])  # (L*D, B, H)
        c0 = zeros if a["c0"] is None else references.tensor(a["c0"])  # (L*D, B, H)
        with torch.no_grad():
            output, state = lstm(
                references.tensor(a["x"]), (h0, c0)
            )  # (B, T, D*H), (L*D, B, H) x 2
        return references.numpy((output, state))

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """The usual comparison, plus which (layer, direction) rows of h_n are wrong."""
        from rnnprep.grading.compare import compare

        verdict = compare(case, actual, expected)
        if verdict.kind == "value":
            verdict.message += _rows_text(case, actual, expected)
        return verdict


def _rows_text(case: Case, actual: Any, expected: Any) -> str:
    """'h_n rows right: l0 forward; wrong: l0 reverse, l1 forward' and an order hint."""
    import numpy as np

    L, D = case.extra["L"], case.extra["D"]
    got, want = np.asarray(actual[1][0], dtype=float), expected[1][0]  # (L*D, B, H) each
    tol = case.tol.atol * 10 + case.tol.rtol * 10
    label = [f"l{i // D} {'reverse' if i % D else 'forward'}" for i in range(L * D)]
    wrong = [i for i in range(L * D) if not np.allclose(got[i], want[i], rtol=tol, atol=tol)]
    if not wrong:
        return ""
    text = (
        f"\nh_n rows wrong: {', '.join(label[i] for i in wrong)} (index = layer * D + direction)."
    )
    for i in wrong:
        for j in range(L * D):
            if j != i and np.allclose(got[i], want[j], rtol=tol, atol=tol):
                text += (
                    f" Your row {i} holds torch's row {j} ({label[j]}): the order is layer-major, "
                    f"l0 forward, l0 reverse, l1 forward, ..."
                )
                return text
    return text


SUITE = StackedLSTMSuite()
