"""Hidden suite of grad_check: grad_check(loss, params, grads, eps=1e-5) -> (numeric, rel_error),
where loss is the mean cross-entropy of a tanh RNN classifier over a fixed batch (sandbox/models.py,
kind ``rnn_loss``), built in the child from the case's x and targets, and grads are claimed
gradients: the true ones, or with one planted error.

numeric is compared with the exact gradient, torch autograd of the same loss written with
nn.RNN and F.cross_entropy in float64, at an absolute 1e-8: central differences with eps = 1e-5
in float64 are within ~2e-10 of it (truncation ~eps^2, rounding ~1e-16/eps), a one-sided
difference is off by ~1e-6 (tests/test_hidden_grad_check.py measures both over many seeds).
With the coarse eps = 1e-2 the exact central difference at that eps, computed with torch, is
the reference: its O(eps^2) truncation (~1e-5) is the point of the case.

rel_error[name] is judged against ||grads - numeric|| / (||grads|| + ||numeric||) with the
reference numeric (0.0 when both norms are 0): where that is below 1e-6 (a right gradient) the
answer must be below 1e-6 too; elsewhere it must match within 0.1%.

numeric can only be right if every perturbation is undone and lands in the arrays loss() reads:
a submission that leaves params drifted fails here (the child's memory is not inspected).

    all_grads_right        every claimed gradient is right: every rel_error is tiny
    w_hh_transposed        grads["W_hh"] is the transpose of the true gradient (each planted error
                           has a relative error of at least 0.05: smaller ones are redrawn)
    b_y_sign_flipped       grads["b_y"] has the wrong sign: rel_error exactly 1
    w_hh_last_step_only    grads["W_hh"] holds only the last time step's term (no sum over time)
    b_h_scaled_by_T        grads["b_h"] is T times too large: rel_error (T - 1) / (T + 1)
    coarse_eps             eps=1e-2 given, gradients right: the O(eps^2) truncation shows
    single_step            T = 1: W_hh's gradient is exactly 0 (it multiplies h_0 = 0); its
                           rel_error is 0.0, not 0/0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnnprep import diagnosis
from rnnprep.diagnosis import grad_check as gc
from rnnprep.grading import suite
from rnnprep.grading.compare import (
    dtype_note,
    dtype_problem,
    shape_problem,
    structure_problem,
    value_line,
)
from rnnprep.grading.spec import ArrayOut, DictOut, TupleOut
from rnnprep.sandbox import Model

KATA = suite.kata("grad_check")
assert isinstance(KATA.returns, TupleOut) and isinstance(KATA.returns.items[0], DictOut)
NUMERIC = KATA.returns.items[0]  # numeric{W_xh[H,I], W_hh[H,H], b_h[H], W_hy[C,H], b_y[C]}
KEYS = tuple(NUMERIC.items)
Submission = Callable[[suite.Case], Any]
Answer = tuple[dict[str, np.ndarray], dict[str, float]]

NUMERIC_TOL = suite.Tol(atol=1e-8, rtol=0.0)  # central differences meet it by ~50x, one-sided miss by ~100x
TINY = 1e-6  # a right gradient's rel_error must be below this
MATCH = 1e-3  # a wrong gradient's rel_error must match the reference within this, relatively
VISIBLE = 0.05  # a planted error's rel_error is at least this
COARSE = 1e-3  # from this eps on, the reference numeric is the exact central difference at eps
# fmt: off
PLAN = (
    suite.Planned("all_grads_right", "every claimed gradient is right", {}),
    suite.Planned("w_hh_transposed", "grads['W_hh'] is the transpose of the true gradient",
                  {"plant": "transposed"}),
    suite.Planned("b_y_sign_flipped", "grads['b_y'] has the wrong sign", {"plant": "sign"}),
    suite.Planned("w_hh_last_step_only", "grads['W_hh'] holds only the last time step's term",
                  {"plant": "last_step"}),
    suite.Planned("b_h_scaled_by_T", "grads['b_h'] is T times the true gradient", {"plant": "times_T"}),
    suite.Planned("coarse_eps", "eps=1e-2 given: the O(eps^2) truncation of central differences shows",
                  {"eps": 1e-2}),
    suite.Planned("single_step", "T=1: W_hh only multiplies h_0 = 0, so its gradient is exactly 0", {"T": (1, 1)}),
)
# fmt: on
PLANTED = {"transposed": "W_hh", "sign": "b_y", "last_step": "W_hh", "times_T": "b_h"}


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Every planned case, drawn in order."""
    return [draw(rng, planned) for planned in PLAN]


def draw(rng: np.random.Generator, planned: suite.Planned) -> suite.Case:
    """Distinct sizes, a batch, parameters and claimed gradients (redrawn until a planted error shows)."""
    options = planned.options
    plant = options.get("plant")
    while True:
        dims = suite.draw_dims(rng, {"B": (2, 4), "T": options.get("T", (3, 6)), "I": (2, 5), "H": (3, 6), "C": (2, 5)})
        B, T, I, H, C = (dims[k] for k in "BTIHC")
        data = {"x": rng.standard_normal((B, T, I)), "targets": rng.integers(0, C, size=(B, T))}  # (B, T, I), (B, T)
        params = {
            "W_xh": suite.uniform(rng, (H, I), 1.5 * I**-0.5),  # (H, I)
            "W_hh": suite.uniform(rng, (H, H), 1.5 * H**-0.5),  # (H, H)
            "b_h": suite.uniform(rng, (H,), 0.5),  # (H,)
            "W_hy": suite.uniform(rng, (C, H), 1.5),  # (C, H)
            "b_y": suite.uniform(rng, (C,), 0.5),  # (C,)
        }
        true = true_gradients(data, params)
        grads = dict(true)
        if plant is not None:
            key = PLANTED[plant]
            grads[key] = planted(plant, data, params, true)
            if reference_rel_error(grads[key], true[key]) < VISIBLE:
                continue  # a planted error too small to see (a nearly symmetric W_hh gradient, say)
        break
    args: dict[str, Any] = {"loss": Model("rnn_loss", data), "params": params, "grads": grads}
    if "eps" in options:
        args["eps"] = options["eps"]
    call = suite.Call(KATA.entry[0], args)
    extra = {"planted": PLANTED.get(plant or "")}
    return suite.Case(planned.name, planned.about, call, KATA.returns, dims, "float64", NUMERIC_TOL, extra)


# --- torch: the loss, its exact gradient, the planted errors --------------------------------------


def torch_loss(data: dict[str, np.ndarray], params: dict[str, torch.Tensor], hh_from: int = 0) -> torch.Tensor:
    """The mean cross-entropy of the tanh RNN classifier, written step by step.

    W_hh is detached at the steps before ``hh_from``, so only the later steps' terms reach its
    gradient (hh_from = T - 1: the last step's term only).
    """
    x, targets = torch.from_numpy(data["x"]), torch.from_numpy(data["targets"])  # (B, T, I), (B, T)
    B, T, _ = x.shape
    h = torch.zeros(B, params["W_hh"].shape[0], dtype=torch.float64)  # (B, H)
    logits = []
    for t in range(T):
        W_hh = params["W_hh"] if t >= hh_from else params["W_hh"].detach()  # (H, H)
        h = torch.tanh(x[:, t] @ params["W_xh"].T + h @ W_hh.T + params["b_h"])  # (B, H)
        logits.append(h @ params["W_hy"].T + params["b_y"])  # (B, C)
    return torch.nn.functional.cross_entropy(torch.cat(logits), targets.T.reshape(-1))


def nn_loss(data: dict[str, np.ndarray], params: dict[str, Any]) -> torch.Tensor:
    """The same loss with torch.nn: nn.RNN (tanh, batch_first, b_hh = 0), a linear map, F.cross_entropy."""
    H, I = np.shape(params["W_xh"])
    p = {k: v if isinstance(v, torch.Tensor) else torch.from_numpy(np.asarray(v, dtype=np.float64)) for k, v in params.items()}
    tensors = {"weight_ih_l0": p["W_xh"], "weight_hh_l0": p["W_hh"], "bias_ih_l0": p["b_h"],
               "bias_hh_l0": torch.zeros(H, dtype=torch.float64)}  # fmt: skip
    rnn = torch.nn.RNN(I, H, batch_first=True).double()
    out, _ = torch.func.functional_call(rnn, tensors, (torch.from_numpy(data["x"]),))  # (B, T, H)
    logits = out @ p["W_hy"].T + p["b_y"]  # (B, T, C)
    C = logits.shape[-1]
    return torch.nn.functional.cross_entropy(logits.reshape(-1, C), torch.from_numpy(data["targets"]).reshape(-1))


def true_gradients(data: dict[str, np.ndarray], params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """torch autograd of nn_loss, float64."""
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    grads = torch.autograd.grad(nn_loss(data, leaves), list(leaves.values()))
    return {k: g.numpy().copy() for k, g in zip(leaves, grads, strict=True)}


def planted(plant: str, data: dict[str, np.ndarray], params: dict[str, np.ndarray],
            true: dict[str, np.ndarray]) -> np.ndarray:  # fmt: skip
    """The wrong gradient a case claims, computed with torch."""
    if plant == "transposed":
        return true["W_hh"].T.copy()  # (H, H)
    if plant == "sign":
        return -true["b_y"]  # (C,)
    if plant == "times_T":
        return data["x"].shape[1] * true["b_h"]  # (H,)
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    last = data["x"].shape[1] - 1
    (grad,) = torch.autograd.grad(torch_loss(data, leaves, hh_from=last), [leaves["W_hh"]])
    return grad.numpy().copy()  # (H, H): the last step's term of the sum over time


def central_differences(data: dict[str, np.ndarray], params: dict[str, np.ndarray], eps: float) -> dict[str, np.ndarray]:
    """The exact central differences of nn_loss at this eps, entry by entry, in torch float64."""
    numeric = {}
    with torch.no_grad():
        for name, value in params.items():
            n = np.zeros_like(value)  # value's shape
            for idx in np.ndindex(value.shape):
                shifted = {k: v.copy() for k, v in params.items()}
                shifted[name][idx] = value[idx] + eps
                up = float(nn_loss(data, shifted))
                shifted[name][idx] = value[idx] - eps
                n[idx] = (up - float(nn_loss(data, shifted))) / (2 * eps)
            numeric[name] = n
    return numeric


def reference_rel_error(g: np.ndarray, n: np.ndarray) -> float:
    """||g - n|| / (||g|| + ||n||), 0.0 when both are 0."""
    return gc.relative_error(np.asarray(g, dtype=np.float64), n)


def reference(case: suite.Case) -> Answer:
    """numeric: torch autograd (or, for a coarse eps, the exact central differences at it);
    rel_error: the claimed grads against that numeric."""
    a = case.call.args
    data, params = a["loss"].arrays, a["params"]
    eps = float(a.get("eps", gc.DEFAULT_EPS))
    numeric = central_differences(data, params, eps) if eps >= COARSE else true_gradients(data, params)
    return numeric, {k: reference_rel_error(a["grads"][k], numeric[k]) for k in KEYS}


# --- the judgement ---------------------------------------------------------------------------------


def judge(case: suite.Case, actual: Any, expected: Answer) -> suite.Judgement:
    """Structure, numeric's shapes, numeric's values and every rel_error, then numeric's dtypes."""
    called = case.called()
    problem = structure_problem(KATA.returns, actual)
    if problem:
        return suite.Judgement(suite.Stage.STRUCTURE, f"{called}\n{problem}")
    numeric, rel_error = actual
    specs = {key: spec for key, spec in NUMERIC.items.items() if isinstance(spec, ArrayOut)}
    shapes = [p for key, spec in specs.items() if (p := shape_problem(spec, numeric[key], case.dims))]
    if shapes:
        got = ", ".join(f"{key} {np.shape(numeric[key])}" for key in KEYS)
        return suite.Judgement(suite.Stage.SHAPE, "\n".join([called, f"Got numeric with {got}.", *shapes]))
    lines = [line for key, spec in specs.items() if (line := numeric_line(case, key, spec, numeric[key], expected[0][key]))]
    if lines:
        lines.append(
            "numeric[name][idx] must be the central difference (loss(p + eps e_idx) - loss(p - eps e_idx)) "
            "/ (2 * eps), every other entry at its given value; it is compared with the exact gradient "
            f"(torch autograd) at {NUMERIC_TOL.atol:g}: central differences in float64 come within ~1e-10, "
            "a one-sided difference is off by ~eps."
        )
    lines += rel_error_lines(case, rel_error, expected[1])
    notes = dtype_note(list(zip(specs.values(), (numeric[k] for k in specs), strict=True)), case.dtype)
    if lines:
        return suite.Judgement(suite.Stage.VALUE, "\n".join([called, *lines]), notes)
    dtypes = [f"numeric[{key!r}]{p[len(key):]}" for key, spec in specs.items()
              if (p := dtype_problem(spec, numeric[key], case.dtype))]  # fmt: skip
    if dtypes:
        return suite.Judgement(suite.Stage.DTYPE, "\n".join([called, *dtypes]))
    return suite.Judgement(suite.Stage.OK, f"{called}\n{passed_text(case, actual, expected)}", notes)


def numeric_line(case: suite.Case, key: str, spec: ArrayOut, actual: np.ndarray, expected: np.ndarray) -> str | None:
    """None when numeric[key] is right, else value_line's sentence about it."""
    ok, line = value_line(spec, actual, expected, case)
    return None if ok else f"numeric[{key!r}]{line[len(spec.name):]}"


def rel_error_lines(case: suite.Case, rel_error: dict[str, Any], expected: dict[str, float]) -> list[str]:
    """What is wrong with rel_error: one line for the right gradients it does not clear, one per other key."""
    lines, uncleared = [], []
    for key in KEYS:
        got, want = float(rel_error[key]), expected[key]
        if not np.isfinite(got):
            lines.append(f"rel_error[{key!r}] is {got}: ||grads - numeric|| / (||grads|| + ||numeric||) must be a "
                         f"number, and 0.0 when both norms are 0.")  # fmt: skip
        elif want < TINY and not 0.0 <= got < TINY:
            uncleared.append(f"{key} {got:.3g}")
        elif want >= TINY and abs(got - want) > MATCH * want:
            lines.append(mismatch_line(case, key, got, want))
    if uncleared:
        lines.insert(0, f"rel_error is {', '.join(uncleared)} where grads is right: with central differences in "
                        f"float64 a right gradient's relative error comes out below {TINY:g}.")  # fmt: skip
    return lines


def mismatch_line(case: suite.Case, key: str, got: float, want: float) -> str:
    """rel_error[key] is not the relative error of a gradient that is off (or of a coarse eps)."""
    formula = "||grads - numeric|| / (||grads|| + ||numeric||)"
    if got < 0.0:
        why = "a ratio of norms is never negative."
    elif case.extra["planted"] == key:
        why = f"grads[{key!r}] is wrong, and {formula} measures by how much."
    else:
        why = (f"grads[{key!r}] is right, but with eps={case.call.args.get('eps', gc.DEFAULT_EPS):g} the central "
               f"difference itself is off by O(eps^2), and {formula} measures that.")  # fmt: skip
    return f"rel_error[{key!r}] = {got:.6g}, expected {want:.6g} (allowed ±{MATCH:.1%}): {why}"


def passed_text(case: suite.Case, actual: Answer, expected: Answer) -> str:
    """What was verified, in two sentences."""
    worst = max(float(np.max(np.abs(actual[0][k] - expected[0][k]))) if expected[0][k].size else 0.0 for k in KEYS)
    source = "the exact central differences at that eps" if "eps" in case.call.args else "torch autograd"
    flagged = [f"{k} ({float(actual[1][k]):.3g})" for k in KEYS if expected[1][k] >= TINY]
    cleared = [k for k in KEYS if expected[1][k] < TINY]
    said = f"rel_error flags {', '.join(flagged)}" if flagged else "rel_error flags nothing"
    if cleared:
        said += f" and clears {', '.join(cleared)} (< {TINY:g})"
    return f"numeric matches {source} (max abs error {worst:.1e}, tolerance {NUMERIC_TOL.atol:g}); {said}."


def agree(a: Any, b: Any) -> bool:
    """Two answers that this suite's rules cannot tell apart (the slips' notion of the same)."""
    try:
        numeric = all(np.allclose(np.asarray(a[0][k], dtype=np.float64), b[0][k], rtol=0.0, atol=NUMERIC_TOL.atol)
                      for k in KEYS)  # fmt: skip
        rel = [(float(a[1][k]), float(b[1][k])) for k in KEYS]
    except (TypeError, ValueError, KeyError, IndexError):
        return False
    close = all((x < TINY and y < TINY) or abs(x - y) <= MATCH * max(abs(x), abs(y)) for x, y in rel)
    return numeric and close


def diagnose(case: suite.Case, actual: Any, expected: Any) -> tuple[list[str], list[str]]:
    """The slips that reproduce the answer; a NaN (0/0) rel_error on a zero gradient is named here."""
    zero = [k for k in KEYS if not np.any(expected[0][k]) and not np.any(case.call.args["grads"][k])]
    nan = [k for k in zero if not np.isfinite(float(actual[1][k]))]
    if nan:
        ids = [gc.GRADCHECK_ZERO_NORMS.id]
        text = (f"grads[{nan[0]!r}] and numeric[{nan[0]!r}] are both exactly 0 here, so the ratio is 0/0: "
                f"report 0.0 (they agree perfectly).")  # fmt: skip
        return ids, [text, *diagnosis.lines_for(ids)]
    return suite.slip_diagnosis(gc.SLIPS, agree)(case, actual, expected)


def answer(case: suite.Case, submission: Submission) -> Any:
    """The submission's answer; a ZeroDivisionError on the zero gradient is named."""
    try:
        return submission(case)
    except suite.KataFailure as failure:
        if failure.stage is suite.Stage.RAISED and "raised ZeroDivisionError" in failure.message:
            ids = [gc.GRADCHECK_ZERO_NORMS.id]
            zero = [k for k in KEYS if not np.any(case.call.args["grads"][k])]
            advice = (f"grads[{zero[0]!r}] is exactly 0 here and so is its numeric gradient: the relative error "
                      f"is 0/0, which must be reported as 0.0." if zero else "")  # fmt: skip
            message = "\n".join(line for line in (failure.message, advice, *diagnosis.lines_for(ids)) if line)
            raise suite.KataFailure(message, failure.stage, ids, case=case) from None
        raise


def test_grad_check(case: suite.Case, submission: Submission) -> None:
    actual = answer(case, submission)
    expected = reference(case)
    suite.expect(case, judge(case, actual, expected), diagnose, actual, expected)

