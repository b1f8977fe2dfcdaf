"""Slips of the advanced katas: concrete wrong implementations, recognised by their answers.

A slip reproduces what one known-wrong implementation would have returned for the case
(given the inputs and, where the kata is random, the submission's own answer, e.g. its
dropout mask). A slip names the submission's mistake when its answer equals the submission's
and differs from the right one, so a coincidence on a degenerate case names nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnprep.diagnosis.mistake import Mistake

Reproduce = Callable[[Mapping[str, Any], Any], Any]  # (inputs, actual) -> the slip's answer, or None
Same = Callable[[Any, Any], bool]  # do two answers agree (leaf by leaf, within tolerance)?


def f64(value: Any) -> Any:
    """Float arrays (also inside a dict, such as params or grads) in float64; the rest as is:
    slips reproduce answers in exact arithmetic, whatever the case's dtype."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    if isinstance(value, dict):
        return {key: f64(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Slip:
    """One concrete wrong implementation of an advanced kata."""

    mistake: Mistake
    note: str  # the concrete slip, e.g. "y = x * mask, without the 1/(1 - p) scale"
    reproduce: Reproduce


def leaves_close(rtol: float, atol: float) -> Same:
    """Answers agree when every array / number leaf is within rtol and atol (structures alike)."""

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        try:
            x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        except (TypeError, ValueError):
            return False
        return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=False))

    return same


def matching(slips: Sequence[Slip], inputs: Mapping[str, Any], actual: Any, expected: Any, same: Same) -> list[Slip]:
    """The slips whose answer equals `actual` and differs from `expected`."""
    found = []
    with np.errstate(all="ignore"):
        for slip in slips:
            try:
                answer = slip.reproduce(inputs, actual)
            except (ArithmeticError, ValueError, TypeError, KeyError, IndexError):
                continue  # the slip does not apply to an answer of this form
            if answer is not None and same(answer, actual) and not same(answer, expected):
                found.append(slip)
    return found
