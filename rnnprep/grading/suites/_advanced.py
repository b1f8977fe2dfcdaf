"""What the advanced katas share: gradient grading by relative error, autograd leaves, plans.

Gradient katas (rnn_backward, lstm_backward, truncated_bptt, seq_classifier) are judged per
returned gradient with a norm-wise relative error, max|actual - expected| / max|expected|, so
a message can say which gradient is wrong, by how much, and which ones are already right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnnprep.grading.framework import Array, Case, Mapping, Scalar, Seq, Spec, Tol

if TYPE_CHECKING:
    import numpy as np
    import torch

    from rnnprep.grading.compare import Verdict

RELATIVE = 1e-6
GRADIENT = Tol(atol=0.0, rtol=RELATIVE)  # judged norm-wise by gradient_check, not entrywise


def sci(value: float) -> str:
    """1e-06 written as 1e-6."""
    return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e+")


def relative_error(actual: Any, expected: Any) -> float:
    """max|a - e| / max|e| in float64 (max|a| when expected is all zero); inf for NaN/inf."""
    import numpy as np

    a = np.asarray(actual, dtype=np.float64)  # same shape as expected
    e = np.asarray(expected, dtype=np.float64)  # same shape as actual
    if not np.all(np.isfinite(a)):
        return float("inf")
    if a.size == 0:
        return 0.0
    scale = float(np.max(np.abs(e)))
    error = float(np.max(np.abs(a - e)))
    return error / scale if scale > 0 else error


def labelled(spec: Spec, value: Any) -> list[tuple[str, Any]]:
    """(label, leaf) pairs; the entries of a Mapping are gradients and read 'd W_hh'."""
    if isinstance(spec, (Array, Scalar)):
        return [(spec.name, value)]
    if isinstance(spec, Seq):
        return [p for s, v in zip(spec.items, value, strict=True) for p in labelled(s, v)]
    return [(f"d {key}", value[key]) for key in spec.items]


def join(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def gradient_check(
    case: Case,
    actual: Any,
    expected: Any,
    hints: dict[str, str],
    upstream: str,
    source: str = "torch autograd",
) -> Verdict:
    """Structure, shapes and dtypes as usual; then each gradient by its relative error.

    ``hints`` maps a label ('d W_hh') to what usually makes it wrong; ``upstream`` is said
    when nothing is right, because then the error sits before every gradient.
    """
    from rnnprep.grading.compare import Verdict, called_text, compare

    verdict = compare(case, actual, expected)
    if verdict.kind not in ("ok", "value"):
        return verdict
    called = called_text(case)
    pairs = list(zip(labelled(case.returns, actual), labelled(case.returns, expected), strict=True))
    errors = {label: relative_error(a, e) for (label, a), (_, e) in pairs}
    wrong = [label for label, err in errors.items() if not err <= RELATIVE]
    tolerance = sci(RELATIVE)
    if not wrong:
        worst = max(errors.values(), default=0.0)
        return Verdict(
            True,
            f"{called}\nEvery returned value matches {source} "
            f"(max relative error {worst:.1e}, tolerance {tolerance}).",
            "ok",
        )
    lines = [called]
    for (label, a), (_, e) in pairs:
        if label in wrong:
            lines.append(
                f"{label} is wrong: relative error {_size(errors[label])} "
                f"(tolerance {tolerance}){_worst(a, e)}."
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
        advice = list(dict.fromkeys(hints[label] for label in wrong if label in hints))[:2]
    else:
        advice = [upstream]
    said = (
        f"{join(right)} {'is' if len(right) == 1 else 'are'} right"
        if right
        else ("None of the returned values is right")
    )
    advice = [advice[0], *(a[:1].upper() + a[1:] for a in advice[1:])]
    lines.append(f"{said} — " + " ".join(advice))
    return Verdict(False, "\n".join(lines), "value")


def _size(error: float) -> str:
    """A relative error in few digits."""
    return "inf (NaN or infinite values)" if error == float("inf") else f"{error:.2g}"


def _worst(actual: Any, expected: Any) -> str:
    """'; max abs error 0.2 at index (1, 2): got 0.5, expected 0.3'."""
    import numpy as np

    a = np.asarray(actual, dtype=np.float64)  # same shape as expected
    e = np.asarray(expected, dtype=np.float64)  # same shape as actual
    if a.size == 0 or not np.all(np.isfinite(a)):
        return ""
    error = np.abs(a - e)  # same shape as expected
    worst = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    return (
        f"; max abs error {float(error[worst]):.3g}{where}: got {float(a[worst]):.6g}, "
        f"expected {float(e[worst]):.6g}"
    )


def leaf(array: np.ndarray, batch_state: tuple[int, int] | None = None) -> torch.Tensor:
    """A float64 tensor that autograd tracks; None with batch_state gives zeros of that shape."""
    import torch

    if array is None:
        assert batch_state is not None
        return torch.zeros(batch_state, dtype=torch.float64, requires_grad=True)  # (B, H)
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)  # array's shape


def plain(array: np.ndarray) -> torch.Tensor:
    """A float64 tensor autograd does not track (an upstream gradient, say)."""
    import torch

    return torch.tensor(array, dtype=torch.float64)  # array's shape


def grads_dict(names: tuple[str, ...], tensors: list[torch.Tensor], loss: torch.Tensor) -> dict:
    """torch.autograd.grad of loss for each tensor, as float64 numpy arrays by name."""
    import torch

    grads = torch.autograd.grad(loss, tensors)
    return {name: g.detach().numpy().copy() for name, g in zip(names, grads, strict=True)}


def gradient_mapping(shapes: dict[str, tuple[str | int, ...]]) -> Mapping:
    """The returned dict of gradients: one Array per input, named like it."""
    return Mapping("grads", {key: Array(key, axes) for key, axes in shapes.items()})


def recurrent_inputs(
    rng: np.random.Generator,
    gates: int,
    T: tuple[int, int],
    given: tuple[bool, ...],
    state_names: tuple[str, ...],
    B: tuple[int, int] = (2, 5),
) -> tuple[dict[str, int], dict[str, Any]]:
    """Distinct dims and x, states, weights in torch's layout (drawn as the core katas do)."""
    from rnnprep.grading.framework import draw_dims
    from rnnprep.grading.suites._recurrent import states, weights

    ranges = {"B": B, "T": T, "I": (2, 7), "H": (2, 6)}
    dims = draw_dims(rng, ranges, {"H": gates} if gates > 1 else None)
    args: dict[str, Any] = {
        "x": rng.standard_normal((dims["B"], dims["T"], dims["I"]))
    }  # (B, T, I)
    args |= states(rng, state_names, given, dims)  # (B, H) each, or None
    args |= weights(rng, gates, dims)  # (G*H, I), (G*H, H), (G*H,), (G*H,)
    return dims, args


def upstream_grad(rng: np.random.Generator, shape: tuple[int, ...], on: bool = True) -> np.ndarray:
    """An upstream gradient dL/d(something): random, or zeros when that path is switched off."""
    import numpy as np

    return rng.standard_normal(shape) if on else np.zeros(shape)  # shape
