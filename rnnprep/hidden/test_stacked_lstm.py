"""Hidden suite of stacked_lstm: lstm_forward_multi(x, h0, c0, params, num_layers, bidirectional)
-> (output (B, T, D*H), (h_n, c_n) each (L*D, B, H)), against nn.LSTM(num_layers,
bidirectional, batch_first) loaded with the case's parameters (torch's names: weight_ih_l0,
weight_hh_l1_reverse, ...).

The plan: every num_layers from 1 to 3 both ways, states None and given, T=1, float32:

    one_layer_forward            num_layers=1, unidirectional, no initial state
    two_layers_forward           num_layers=2, unidirectional, given h0/c0
    three_layers_forward         num_layers=3, unidirectional, given h0/c0
    one_layer_bidirectional      num_layers=1, bidirectional, given h0/c0
    two_layers_bidirectional     num_layers=2, bidirectional, no initial state
    three_layers_bidirectional   num_layers=3, bidirectional, given h0/c0
    bidirectional_single_step    num_layers=2, bidirectional, T=1
    bidirectional_float32        num_layers=2, bidirectional, float32
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnnprep.diagnosis import advanced
from rnnprep.diagnosis.slips import leaves_close
from rnnprep.grading import suite
from rnnprep.grading.torch_reference import load, tensor, to_numpy

KATA = suite.kata("stacked_lstm")
Submission = Callable[[suite.Case], Any]

# fmt: off
PLAN = (
    suite.Planned("one_layer_forward", "num_layers=1, unidirectional, no initial state",
                  {"L": 1, "bi": False, "given": False}),
    suite.Planned("two_layers_forward", "num_layers=2, unidirectional, given h0/c0", {"L": 2, "bi": False}),
    suite.Planned("three_layers_forward", "num_layers=3, unidirectional, given h0/c0", {"L": 3, "bi": False}),
    suite.Planned("one_layer_bidirectional", "num_layers=1, bidirectional, given h0/c0", {"L": 1, "bi": True}),
    suite.Planned("two_layers_bidirectional", "num_layers=2, bidirectional, no initial state",
                  {"L": 2, "bi": True, "given": False}),
    suite.Planned("three_layers_bidirectional", "num_layers=3, bidirectional, given h0/c0", {"L": 3, "bi": True}),
    suite.Planned("bidirectional_single_step", "num_layers=2, bidirectional, T=1", {"L": 2, "bi": True, "T": (1, 1)}),
    suite.Planned("bidirectional_float32", "num_layers=2, bidirectional, float32",
                  {"L": 2, "bi": True, "dtype": "float32"}),
)
# fmt: on


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def param_names(num_layers: int, bidirectional: bool) -> list[str]:
    """torch's parameter names, in nn.LSTM's own order."""
    suffixes = ["", "_reverse"] if bidirectional else [""]
    kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    return [f"{kind}_l{layer}{suffix}" for layer in range(num_layers) for suffix in suffixes for kind in kinds]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Sizes (2H and 4H apart from the others), data, states and every parameter."""
    options = planned.options
    L, bi, dtype = options["L"], options["bi"], options.get("dtype", "float64")
    D = 2 if bi else 1
    ranges = {"B": (2, 5), "T": options.get("T", (3, 8)), "I": (2, 7), "H": (2, 6)}
    dims = suite.draw_dims(rng, ranges, {"H": 4})
    while bi and 2 * dims["H"] in dims.values():  # D*H, the output width, must be told apart too
        dims = suite.draw_dims(rng, ranges, {"H": 4})
    B, T, I, H = dims["B"], dims["T"], dims["I"], dims["H"]
    params = {}
    for key in param_names(L, bi):
        fan_in = I if key.startswith("weight_ih_l0") else D * H
        shape = {"weight_ih": (4 * H, fan_in), "weight_hh": (4 * H, H)}.get(key[:9], (4 * H,))
        scale = 0.5 if key.startswith("bias") else H**-0.5
        params[key] = suite.uniform(rng, shape, scale)  # (4H, I) or (4H, D*H), (4H, H), (4H,)
    states = {name: suite.uniform(rng, (L * D, B, H), 0.9) if options.get("given", True) else None
              for name in ("h0", "c0")}  # (L*D, B, H) each, or None  # fmt: skip
    args: dict[str, Any] = suite.as_dtype({"x": rng.standard_normal((B, T, I)), **states}, dtype)  # (B, T, I)
    args |= {"params": suite.as_dtype(params, dtype), "num_layers": L, "bidirectional": bi}
    call = suite.Call(KATA.entry[0], args)
    return suite.Case(planned.name, planned.about, call, KATA.returns, {**dims, "L": L, "D": D}, dtype,
                      suite.TOLERANCE[dtype])  # fmt: skip


def reference(case: suite.Case) -> Any:
    """nn.LSTM(I, H, num_layers, bidirectional=..., batch_first=True) in float64."""
    a = case.call.args
    x, params = a["x"].astype(np.float64), suite.float64(a["params"])  # (B, T, I), {name: array}
    L, D = case.dims["L"], case.dims["D"]
    (B, _, I), H = x.shape, params["weight_hh_l0"].shape[1]  # x (B, T, I), weight_hh_l0 (4H, H)
    lstm = load(torch.nn.LSTM(I, H, L, batch_first=True, bidirectional=D == 2), **params)
    zeros = torch.zeros(L * D, B, H, dtype=torch.float64)  # (L*D, B, H)
    h0 = zeros if a["h0"] is None else tensor(a["h0"])  # (L*D, B, H)
    c0 = zeros if a["c0"] is None else tensor(a["c0"])  # (L*D, B, H)
    with torch.no_grad():
        output, (h_n, c_n) = lstm(tensor(x), (h0, c0))  # (B, T, D*H), (L*D, B, H) x 2
    return to_numpy((output, (h_n, c_n)))  # (B, T, D*H), ((L*D, B, H), (L*D, B, H))


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """The stacking slips that reproduce the answer, after which rows of h_n are wrong."""
    same = leaves_close(rtol=case.tol.rtol, atol=case.tol.atol)
    ids, lines = suite.slip_diagnosis(advanced.STACKED_SLIPS, same)(case, actual, expected)
    return ids, rows_text(case, actual[1][0], expected[1][0]) + lines


def rows_text(case: suite.Case, got: Any, want: np.ndarray) -> list[str]:
    """'h_n rows wrong: l0 reverse, l1 forward' and, when a row holds another, the order hint."""
    L, D = case.dims["L"], case.dims["D"]
    got = np.asarray(got, dtype=np.float64)  # (L*D, B, H)
    if got.shape != want.shape:
        return []
    tol = case.tol

    def same(i: int, j: int) -> bool:
        return bool(np.allclose(got[i], want[j], rtol=tol.rtol, atol=tol.atol))

    label = [f"l{i // D} {'reverse' if i % D else 'forward'}" for i in range(L * D)]
    wrong = [i for i in range(L * D) if not same(i, i)]
    if not wrong:
        return []
    text = f"h_n rows wrong: {', '.join(label[i] for i in wrong)} (index = layer * D + direction)."
    moved = next(((i, j) for i in wrong for j in range(L * D) if j != i and same(i, j)), None)
    if moved:
        i, j = moved
        text += (
            f" Your row {i} holds torch's row {j} ({label[j]}): the order is layer-major, "
            f"l0 forward, l0 reverse, l1 forward, ..."
        )
    return [text]


def test_stacked_lstm(case: suite.Case, submission: Submission) -> None:
    suite.expect_outputs(case, submission(case), reference(case), diagnose)
