"""Judge what the submission returned: structure, then shapes, then values, then dtypes.

Messages read like a tutor's: what was called with which shapes, what came back, what was
expected, and by how much the values are off. Values come before dtypes, so a wrong formula
is never hidden behind a dtype message, and the dtype rule is the one every kata README
states: values are compared at the tolerance of the inputs' dtype; a more precise result
(float64 for float32 inputs) passes with a note, a less precise one fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnprep.grading.spec import (
    ArrayOut,
    Case,
    DictOut,
    Returns,
    ScalarOut,
    TupleOut,
    describe_value,
)
from rnnprep.grading.types import Judgement, Stage
from rnnprep.sandbox.protocol import Opaque

SUBCLASS_HINT = "an ndarray subclass: return a plain array, e.g. np.asarray(result)"


def compare(case: Case, actual: Any, expected: Any) -> Judgement:
    """Walk ``case.returns`` over actual and expected, stopping at the first failing stage."""
    called = case.called()
    problem = structure_problem(case.returns, actual)
    if problem:
        return Judgement(Stage.STRUCTURE, f"{called}\n{problem}")
    pairs = list(zip(paired_leaves(case.returns, actual), paired_leaves(case.returns, expected), strict=True))
    got = ", ".join(f"{spec.name} {describe_value(value)}" for (spec, value), _ in pairs)
    shape_problems = [p for (spec, value), _ in pairs if (p := shape_problem(spec, value, case.dims))]
    if shape_problems:
        return Judgement(Stage.SHAPE, "\n".join([called, f"Got {got}.", *shape_problems]))
    value_lines = [value_line(spec, a, e, case) for (spec, a), (_, e) in pairs]
    notes = dtype_note([spec_value for spec_value, _ in pairs], case.dtype)
    if not all(ok for ok, _ in value_lines):
        return Judgement(Stage.VALUE, "\n".join([called, *(line for _, line in value_lines)]), notes)
    dtype_problems = [p for (spec, value), _ in pairs if (p := dtype_problem(spec, value, case.dtype))]
    if dtype_problems:
        return Judgement(Stage.DTYPE, "\n".join([called, *dtype_problems]))
    return Judgement(Stage.OK, f"{called}\nAll of {case.returns.name} match torch.", notes)


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


def structure_problem(spec: Returns, value: Any, where: str | None = None) -> str | None:
    """A sentence when value does not have the structure of spec (None when it does)."""
    inner = _structure(spec, value, where or spec.name)
    if inner is None or where is not None or not isinstance(spec, TupleOut):
        return inner
    if inner.startswith("Expected a tuple"):
        return inner
    return f"In the returned tuple {spec.name}: {inner}"


def _structure(spec: Returns, value: Any, where: str) -> str | None:
    """structure_problem without the one 'In the returned tuple' prefix."""
    if value is None:
        return f"{where} came back as None: is a `return` statement missing?"
    if isinstance(spec, ArrayOut):
        if isinstance(value, np.ndarray):
            return None
        advice = ""
        if isinstance(value, Opaque) and value.type_name.startswith("torch"):
            advice = " Katas are solved in NumPy: return numpy arrays."
        elif isinstance(value, Opaque) and value.type_name.startswith("numpy."):
            advice = f" That is {SUBCLASS_HINT}." if "array" not in value.text else " Return float numbers."
        elif isinstance(value, (list, tuple)):
            advice = " Build the result as an array (np.stack or a preallocated np.empty)."
        return f"{where} should be a numpy array but is {kind_of(value)}.{advice}"
    if isinstance(spec, ScalarOut):
        if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_)):
            return None
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            return None
        return f"{where} should be a float but is {kind_of(value)}."
    if isinstance(spec, TupleOut):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec.items):
            return f"Expected a tuple {spec.name} of {len(spec.items)} items, got {kind_of(value)}."
        for item_spec, item in zip(spec.items, value, strict=True):
            problem = _structure(item_spec, item, item_spec.name)
            if problem:
                return problem
        return None
    if not isinstance(value, dict):
        return f"{where} should be a dict with keys {sorted(spec.items)}, got {kind_of(value)}."
    if set(value) != set(spec.items):
        missing, extra = sorted(set(spec.items) - set(value)), sorted(set(value) - set(spec.items))
        return f"{where} has the wrong keys: missing {missing}, unexpected {extra}."
    for key, item_spec in spec.items.items():
        problem = _structure(item_spec, value[key], f"{where}[{key!r}]")
        if problem:
            return problem
    return None


def paired_leaves(spec: Returns, value: Any) -> list[tuple[ArrayOut | ScalarOut, Any]]:
    """(leaf spec, leaf value) pairs in spec order; value must already have the structure."""
    if isinstance(spec, (ArrayOut, ScalarOut)):
        return [(spec, value)]
    if isinstance(spec, TupleOut):
        return [leaf for s, v in zip(spec.items, value, strict=True) for leaf in paired_leaves(s, v)]
    assert isinstance(spec, DictOut)
    return [leaf for key, s in spec.items.items() for leaf in paired_leaves(s, value[key])]


def axes_named(shape: tuple[int, ...], dims: dict[str, int]) -> str:
    """'(T, B, H)' for a shape whose sizes each match exactly one dim, sizes otherwise."""
    names: dict[int, str | None] = {1: None}  # 1 is too common a size to name
    for name, size in dims.items():
        names[size] = name if size not in names else None
    return "(" + ", ".join(names.get(n) or str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def shape_problem(spec: ArrayOut | ScalarOut, value: Any, dims: dict[str, int]) -> str | None:
    """A sentence when an array leaf has the wrong shape."""
    if isinstance(spec, ScalarOut):
        return None
    want = spec.shape(dims)
    have = tuple(value.shape)
    if have == want:
        return None
    named = axes_named(have, dims)
    have_text = f"{have}, i.e. {named}" if named != str(have) else str(have)  # no "(1,), i.e. (1,)"
    text = f"{spec.name} has shape {have_text}; expected {want}, i.e. {spec.axes_text()}."
    if sorted(have) == sorted(want):
        text += " The sizes are right but the axes are in another order: check transposes and which axis is time."
    elif len(have) < len(want):
        text += " An axis is missing."
    elif len(have) > len(want):
        text += " There is an extra axis."
    return text


def _precision(dtype: np.dtype) -> int:
    """Bits of mantissa: what 'more precise' means between float dtypes (ints: 0)."""
    return int(np.finfo(dtype).nmant) if dtype.kind in "fc" else 0


def dtype_problem(spec: ArrayOut | ScalarOut, value: Any, dtype: str) -> str | None:
    """A sentence when an array leaf is less precise than the inputs (or not floats at all)."""
    if isinstance(spec, ScalarOut) or not isinstance(value, np.ndarray):
        return None
    if spec.element == "int":
        if value.dtype.kind in "iu":
            return None
        return f"{spec.name} has dtype {value.dtype}: it should hold integers (np.int64, like np.argmax returns)."
    if spec.element == "bool":
        if value.dtype.kind == "b":
            return None
        return f"{spec.name} has dtype {value.dtype}: it should be a bool array (True/False)."
    have, want = value.dtype, np.dtype(dtype)
    if have.kind not in "fc":
        return f"{spec.name} has dtype {have}: it should hold floats ({want}, like the inputs)."
    if _precision(have) >= _precision(want):
        return None
    return (
        f"{spec.name} has dtype {have}, less precise than the {want} inputs: compute in the "
        f"inputs' dtype (a cast to {have} throws digits away)."
    )


def dtype_note(leaves: list[tuple[ArrayOut | ScalarOut, Any]], dtype: str) -> tuple[str, ...]:
    """One note naming the leaves that are MORE precise than the inputs (they still pass)."""
    finer = [
        (spec.name, str(value.dtype))
        for spec, value in leaves
        if isinstance(spec, ArrayOut) and spec.element == "float" and isinstance(value, np.ndarray)
        and value.dtype.kind in "fc"
        and _precision(value.dtype) > _precision(np.dtype(dtype))
    ]
    if not finer:
        return ()
    names = [name for name, _ in finer]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    kinds = sorted({kind for _, kind in finer})
    verb = "is" if len(names) == 1 else "are"
    return (
        f"Note: {listed} {verb} {'/'.join(kinds)} for {dtype} inputs. That passes; torch would "
        f"return {dtype} (create arrays with dtype=x.dtype to match it).",
    )


def value_line(spec: ArrayOut | ScalarOut, actual: Any, expected: Any, case: Case) -> tuple[bool, str]:
    """(matches, one line about this leaf's values)."""
    if isinstance(spec, ArrayOut) and spec.element != "float":
        return exact_value_line(spec, actual, expected)
    a = np.asarray(actual, dtype=np.float64)  # same shape as expected
    e = np.asarray(expected, dtype=np.float64)  # same shape as actual
    if not np.all(np.isfinite(a)):
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
        return False, f"{spec.name}: {bad} value(s) are NaN or infinite (expected finite values)."
    error = np.abs(a - e)  # same shape as expected
    excess = error - (case.tol.atol + case.tol.rtol * np.abs(e))  # > 0 where out of tolerance
    worst = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim and error.size else ()
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


def exact_value_line(spec: ArrayOut, actual: Any, expected: Any) -> tuple[bool, str]:
    """(matches, one line) for an int or bool array: every entry must be equal."""
    a, e = np.asarray(actual), np.asarray(expected)  # same shape
    if a.dtype.kind not in "biuf" or (a.dtype.kind == "f" and not np.all(np.isfinite(a))):
        return False, f"{spec.name}: holds {a.dtype} values that are not numbers ({spec.element}s expected)."
    differ = a != e  # same shape
    if not np.any(differ):
        return True, f"{spec.name}: all {e.size} entries equal."
    first = tuple(int(i) for i in np.argwhere(differ)[0])
    at = f" at index {first}" if first else ""
    return False, (
        f"{spec.name}: {int(np.count_nonzero(differ))} of {e.size} entries differ; first{at}: "
        f"got {a[first].item()!r}, expected {e[first].item()!r}."
    )


def normalise(spec: Returns, value: Any) -> Any:
    """Lists as tuples, following the return spec, so the diagnosis sees one structure."""
    if isinstance(spec, TupleOut):
        return tuple(normalise(s, v) for s, v in zip(spec.items, value, strict=True))
    if isinstance(spec, DictOut):
        return {k: normalise(s, value[k]) for k, s in spec.items.items()}
    if isinstance(spec, ArrayOut):
        return value
    return float(value)
