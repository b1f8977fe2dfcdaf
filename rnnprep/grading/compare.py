"""Judge what the user's code returned: structure, then shapes, then dtypes, then values.

Messages read like a tutor's: what was called with which shapes, what came back, what was
expected, and by how much the values are off. A wrong shape is reported as such before
anything is said about values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnprep.grading.child import Opaque
from rnnprep.grading.framework import Array, Case, Scalar, Seq, Spec, describe_value


@dataclass
class Verdict:
    """The outcome of one case; ``kind`` says which stage failed ("ok" when none did)."""

    passed: bool
    message: str
    kind: str  # ok | structure | shape | dtype | value


def compare(case: Case, actual: Any, expected: Any) -> Verdict:
    """Walk ``case.returns`` over actual and expected, stopping at the first failing stage."""
    called = called_text(case)
    problem = structure_problem(case.returns, actual, case.returns.name)
    if problem:
        return Verdict(False, f"{called}\n{problem}", "structure")
    leaves = list(zip(_leaves(case.returns, actual), _leaves(case.returns, expected), strict=True))
    got = ", ".join(
        f"{spec.name} {describe_value(value)}" for spec, value in (a for a, _ in leaves)
    )
    shape_problems = [_shape_problem(spec, value, case.dims) for (spec, value), _ in leaves]
    shape_problems = [p for p in shape_problems if p]
    if shape_problems:
        return Verdict(False, "\n".join([called, f"Got {got}.", *shape_problems]), "shape")
    dtype_problems = [_dtype_problem(spec, value, case.dtype) for (spec, value), _ in leaves]
    dtype_problems = [p for p in dtype_problems if p]
    if dtype_problems:
        return Verdict(False, "\n".join([called, *dtype_problems]), "dtype")
    value_lines = [_value_line(spec, a, e, case) for (spec, a), (_, e) in leaves]
    if all(ok for ok, _ in value_lines):
        return Verdict(True, f"{called}\nAll of {case.returns.name} match torch.", "ok")
    lines = [line for _, line in value_lines]
    return Verdict(False, "\n".join([called, *lines]), "value")


def called_text(case: Case) -> str:
    """'Test: <about>. Called f(x=(3, 7, 5), ...) on float64 arrays; B=3, T=7, I=5, H=4.'"""
    dims = ", ".join(f"{k}={v}" for k, v in case.dims.items())
    return f"Called {case.call.describe()}; {dims} ({case.about})."


def kind_of(value: Any) -> str:
    """What a value is, in the words a message needs."""
    if value is None:
        return "None"
    if isinstance(value, Opaque):
        return f"a {value.type_name} ({value.text})"
    if isinstance(value, np.ndarray):
        return f"an array {describe_value(value)}"
    if isinstance(value, np.generic):
        return f"a numpy scalar {type(value).__name__}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} item{'s' * (len(value) != 1)}"
    return f"a {type(value).__name__}"


def structure_problem(spec: Spec, value: Any, where: str) -> str | None:
    """A sentence when value does not have the structure of spec (None when it does)."""
    if value is None:
        return f"{where} came back as None: is a `return` statement missing?"
    if isinstance(spec, Array):
        if isinstance(value, np.ndarray):
            return None
        advice = ""
        if isinstance(value, Opaque) and value.type_name.startswith("torch"):
            advice = " Katas are solved in NumPy: return numpy arrays."
        elif isinstance(value, (list, tuple)):
            advice = " Build the result as an array (np.stack or a preallocated np.empty)."
        return f"{where} should be a numpy array but is {kind_of(value)}.{advice}"
    if isinstance(spec, Scalar):
        if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
            return None
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return None
        return f"{where} should be a float but is {kind_of(value)}."
    if isinstance(spec, Seq):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec.items):
            return f"Expected a tuple {spec.name} of {len(spec.items)} items, got {kind_of(value)}."
        for item_spec, item in zip(spec.items, value, strict=True):
            problem = structure_problem(item_spec, item, item_spec.name)
            if problem:
                return f"In the returned tuple {spec.name}: {problem}"
        return None
    if not isinstance(value, dict):
        return f"{where} should be a dict with keys {sorted(spec.items)}, got {kind_of(value)}."
    if set(value) != set(spec.items):
        missing, extra = sorted(set(spec.items) - set(value)), sorted(set(value) - set(spec.items))
        return f"{where} has the wrong keys: missing {missing}, unexpected {extra}."
    for key, item_spec in spec.items.items():
        problem = structure_problem(item_spec, value[key], f"{where}[{key!r}]")
        if problem:
            return problem
    return None


def _leaves(spec: Spec, value: Any) -> list[tuple[Array | Scalar, Any]]:
    """(leaf spec, leaf value) pairs in spec order."""
    if isinstance(spec, (Array, Scalar)):
        return [(spec, value)]
    if isinstance(spec, Seq):
        return [leaf for s, v in zip(spec.items, value, strict=True) for leaf in _leaves(s, v)]
    return [leaf for key, s in spec.items.items() for leaf in _leaves(s, value[key])]


def axes_named(shape: tuple[int, ...], dims: dict[str, int]) -> str:
    """'(T, B, H)' for a shape whose sizes each match exactly one dim, sizes otherwise."""
    names: dict[int, str | None] = {1: None}  # 1 is too common a size to name
    for name, size in dims.items():
        names[size] = name if size not in names else None
    return (
        "("
        + ", ".join(names.get(n) or str(n) for n in shape)
        + ("," if len(shape) == 1 else "")
        + ")"
    )


def _shape_problem(spec: Array | Scalar, value: Any, dims: dict[str, int]) -> str | None:
    """A sentence when an array leaf has the wrong shape."""
    if isinstance(spec, Scalar):
        return None
    want = spec.shape(dims)
    have = tuple(value.shape)
    if have == want:
        return None
    text = (
        f"{spec.name} has shape {have}, i.e. {axes_named(have, dims)}; "
        f"expected {want}, i.e. {spec.axes_text()}."
    )
    if sorted(have) == sorted(want):
        text += " The sizes are right but the axes are in another order: check transposes and which axis is time."
    elif len(have) < len(want):
        text += " An axis is missing."
    elif len(have) > len(want):
        text += " There is an extra axis."
    return text


def _dtype_problem(spec: Array | Scalar, value: Any, dtype: str) -> str | None:
    """A sentence when an array leaf is not of the input's float dtype."""
    if isinstance(spec, Scalar):
        return None
    if value.dtype == np.dtype(dtype):
        return None
    advice = ""
    if dtype == "float32" and value.dtype == np.float64:
        advice = (
            " Something was created in float64 (np.zeros/np.empty default to it): "
            "pass dtype=x.dtype."
        )
    elif not np.issubdtype(value.dtype, np.floating):
        advice = " It should hold floats."
    return f"{spec.name} has dtype {value.dtype}, but the inputs are {dtype}: keep the input's dtype.{advice}"


def _value_line(spec: Array | Scalar, actual: Any, expected: Any, case: Case) -> tuple[bool, str]:
    """(matches, one line about this leaf's values)."""
    a = np.asarray(actual, dtype=np.float64)  # same shape as expected
    e = np.asarray(expected, dtype=np.float64)  # same shape as actual
    if not np.all(np.isfinite(a)):
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
        return False, f"{spec.name}: {bad} value(s) are NaN or infinite (expected finite values)."
    error = np.abs(a - e)  # same shape as expected
    excess = error - (case.tol.atol + case.tol.rtol * np.abs(e))  # > 0 where out of tolerance
    worst = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim else ()
    max_error = float(error[worst]) if error.size else 0.0
    if not np.any(excess > 0):
        return True, f"{spec.name}: matches (max abs error {max_error:.1e})."
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    wrong = int(np.count_nonzero(excess > 0))
    return False, (
        f"{spec.name}: wrong values in {wrong} of {error.size} entries; max abs error "
        f"{max_error:.3g}{where} (got {float(a[worst]):.6g}, expected {float(e[worst]):.6g}; "
        f"tolerance {case.tol})."
    )
