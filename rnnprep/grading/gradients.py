"""What the gradient katas share: judging each returned gradient by its relative error.

rnn_backward, lstm_backward, truncated_bptt and seq_classifier return gradients. Entrywise
tolerances suit them badly (a gradient entry that should be 1e-17 is "wrong" at 2e-17), so
each gradient is judged as a whole by its norm-wise relative error::

    max|actual - expected| / max|expected|   <= 1e-6

and the message says which gradients are wrong, by how much, and which are already right
(when none is, the error sits upstream of every gradient: in the recurrence itself). The
structure, shapes and dtypes are judged as compare.py judges every kata, in the same order:
structure, shapes, values, dtypes (a float64 answer is what these float64-only katas expect).

Also here: drawing a recurrent case's inputs and upstream gradients, and autograd leaves for
the torch references.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rnnprep.grading import suite
from rnnprep.grading.cases import draw_dims, states, weights
from rnnprep.grading.compare import dtype_note, dtype_problem, shape_problem, structure_problem
from rnnprep.grading.spec import ArrayOut, DictOut, Returns, ScalarOut, TupleOut, describe_value
from rnnprep.grading.types import Judgement, Stage, Tol

if TYPE_CHECKING:
    import torch

RELATIVE = 1e-6
# The case's tolerance: atol 0 and rtol 1e-6, applied norm-wise per gradient (not entrywise).
GRADIENT = Tol(atol=0.0, rtol=RELATIVE)


def sci(value: float) -> str:
    """1e-06 written as 1e-6."""
    return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e+")


def relative_error(actual: Any, expected: Any) -> float:
    """max|a - e| / max|e| in float64 (max|a - e| when expected is all zero); inf for NaN/inf."""
    a = np.asarray(actual, dtype=np.float64)  # same shape as expected
    e = np.asarray(expected, dtype=np.float64)  # same shape as actual
    if not np.all(np.isfinite(a)):
        return float("inf")
    if a.size == 0:
        return 0.0
    scale = float(np.max(np.abs(e)))
    error = float(np.max(np.abs(a - e)))
    return error / scale if scale > 0 else error


def same_gradients(a: Any, b: Any) -> bool:
    """Whether two answers agree leaf by leaf within RELATIVE (NaN and inf where both have them).

    The ``same`` of the gradient katas' slip diagnosis: an answer with NaN or inf values (an
    overflowing softmax) is recognised when the slip overflows at the same places.
    """
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_gradients(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same_gradients(x, y) for x, y in zip(a, b, strict=True))
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if x.shape != y.shape:
        return False
    finite = np.isfinite(x)  # same shape as x
    if not np.array_equal(finite, np.isfinite(y)) or not np.array_equal(x[~finite], y[~finite], equal_nan=True):
        return False
    return relative_error(x[finite], y[finite]) <= RELATIVE


def labelled(spec: Returns, value: Any, in_dict: bool = False) -> list[tuple[str, ArrayOut | ScalarOut, Any]]:
    """(label, leaf spec, leaf value) in spec order; a dict's entries are gradients: 'd W_hh'."""
    if isinstance(spec, (ArrayOut, ScalarOut)):
        return [(f"d {spec.name}" if in_dict else spec.name, spec, value)]
    if isinstance(spec, TupleOut):
        return [leaf for s, v in zip(spec.items, value, strict=True) for leaf in labelled(s, v)]
    assert isinstance(spec, DictOut)
    return [leaf for key, s in spec.items.items() for leaf in labelled(s, value[key], True)]


def join(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def judge_gradients(case: suite.Case, actual: Any, expected: Any, hints: dict[str, str], upstream: str,
                    source: str = "torch autograd") -> Judgement:  # fmt: skip
    """Structure, shapes, each gradient's relative error, then dtypes.

    ``hints`` maps a label ('d W_hh') to what usually makes it wrong; ``upstream`` is said
    when nothing is right, because then the error sits before every gradient.
    """
    called = case.called()
    problem = structure_problem(case.returns, actual)
    if problem:
        return Judgement(Stage.STRUCTURE, f"{called}\n{problem}")
    got = labelled(case.returns, actual)
    want = labelled(case.returns, expected)
    shapes = [p for _, spec, value in got if (p := shape_problem(spec, value, case.dims))]
    if shapes:
        text = ", ".join(f"{spec.name} {describe_value(value)}" for _, spec, value in got)
        return Judgement(Stage.SHAPE, "\n".join([called, f"Got {text}.", *shapes]))
    notes = dtype_note([(spec, value) for _, spec, value in got], case.dtype)
    errors = {label: relative_error(a, e) for (label, _, a), (_, _, e) in zip(got, want, strict=True)}
    wrong = [label for label, error in errors.items() if not error <= RELATIVE]
    if wrong:
        return Judgement(Stage.VALUE, wrong_text(called, got, want, errors, wrong, hints, upstream), notes)
    dtypes = [p for _, spec, value in got if (p := dtype_problem(spec, value, case.dtype))]
    if dtypes:
        return Judgement(Stage.DTYPE, "\n".join([called, *dtypes]))
    worst = max(errors.values(), default=0.0)
    return Judgement(
        Stage.OK,
        f"{called}\nEvery returned value matches {source} (max relative error {worst:.1e}, "
        f"tolerance {sci(RELATIVE)}).",
        notes,
    )


def wrong_text(called: str, got: list[tuple[str, Any, Any]], want: list[tuple[str, Any, Any]],
               errors: dict[str, float], wrong: list[str], hints: dict[str, str], upstream: str) -> str:  # fmt: skip
    """One line per wrong gradient, then which are right and what to look at."""
    lines = [called]
    for (label, _, a), (_, _, e) in zip(got, want, strict=True):
        if label in wrong:
            lines.append(
                f"{label} is wrong: relative error {_size(errors[label])} "
                f"(tolerance {sci(RELATIVE)}){_worst(a, e)}."
            )
    right = [label for label in errors if label not in wrong]
    broken = [label for label in wrong if errors[label] == float("inf")]
    if broken:  # NaN or inf: an overflow or a division by zero, whatever else is wrong
        advice = [
            f"{join(broken)} {'has' if len(broken) == 1 else 'have'} NaN or infinite "
            f"values: something overflowed or divided by zero."
        ]
        advice += [hints[label] for label in broken if label in hints]
    elif right:
        advice = list(dict.fromkeys(hints[label] for label in wrong if label in hints))[:2] or [upstream]
    else:
        advice = [upstream]
    said = "None of the returned values is right"
    if right:
        said = f"{join(right)} {'is' if len(right) == 1 else 'are'} right"
    advice = [advice[0], *(a if a.startswith("d ") else a[:1].upper() + a[1:] for a in advice[1:])]
    lines.append(f"{said} — " + " ".join(advice))
    return "\n".join(lines)


def _size(error: float) -> str:
    """A relative error in few digits."""
    return "inf (NaN or infinite values)" if error == float("inf") else f"{error:.2g}"


def _worst(actual: Any, expected: Any) -> str:
    """'; max abs error 0.2 at index (1, 2): got 0.5, expected 0.3'."""
    a = np.asarray(actual, dtype=np.float64)  # same shape as expected
    e = np.asarray(expected, dtype=np.float64)  # same shape as actual
    if a.size == 0 or not np.all(np.isfinite(a)):
        return ""
    error = np.abs(a - e)  # same shape as expected
    worst = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    return f"; max abs error {float(error[worst]):.3g}{where}: got {float(a[worst]):.6g}, expected {float(e[worst]):.6g}"


def expect_gradients(case: suite.Case, actual: Any, expected: Any, *, hints: dict[str, str], upstream: str,
                     source: str = "torch autograd", diagnose: suite.Diagnose | None = None) -> None:  # fmt: skip
    """Pass, or raise KataFailure with the gradient message and the diagnosis (suite.expect)."""
    judgement = judge_gradients(case, actual, expected, hints, upstream, source)
    suite.expect(case, judgement, diagnose, actual, expected)


# --- drawing and autograd ------------------------------------------------------------------------


def recurrent_inputs(rng: np.random.Generator, gates: int, T: tuple[int, int], given: tuple[bool, ...],
                     state_names: tuple[str, ...], B: tuple[int, int] = (2, 5),
                     ) -> tuple[dict[str, int], dict[str, Any]]:  # fmt: skip
    """Distinct dims and x, the states (given or None) and weights in torch's layout, float64."""
    dims = draw_dims(rng, {"B": B, "T": T, "I": (2, 7), "H": (2, 6)}, {"H": gates} if gates > 1 else None)
    args: dict[str, Any] = {"x": rng.standard_normal((dims["B"], dims["T"], dims["I"]))}  # (B, T, I)
    args |= states(rng, state_names, given, dims)  # (B, H) each, or None
    args |= weights(rng, gates, dims)  # (G*H, I), (G*H, H), (G*H,), (G*H,)
    return dims, args


def upstream_grad(rng: np.random.Generator, shape: tuple[int, ...], on: bool = True) -> np.ndarray:
    """An upstream gradient dL/d(something): random, or zeros when that path is switched off."""
    return rng.standard_normal(shape) if on else np.zeros(shape)  # shape


def leaf(array: np.ndarray | None, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    """A float64 tensor autograd tracks; None (a state left out) becomes zeros of `shape`."""
    import torch

    if array is None:
        assert shape is not None
        return torch.zeros(shape, dtype=torch.float64, requires_grad=True)  # shape
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)  # array's shape


def grads_of(loss: torch.Tensor, tensors: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """torch.autograd.grad of loss for each named tensor, as float64 numpy arrays."""
    import torch

    grads = torch.autograd.grad(loss, list(tensors.values()))
    return {name: g.detach().numpy().copy() for name, g in zip(tensors, grads, strict=True)}
