"""The failure capsule: the first failing case saved as an .npz the user can load and replay."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnprep.grading.spec import DictOut, Returns, TupleOut
from rnnprep.sandbox.protocol import Model

if TYPE_CHECKING:
    from rnnprep.grading.types import CheckResult, KataFailure


def capsule_path(kata: str, directory: Path) -> Path:
    """Where a kata's capsule goes; one per kata, replaced by the next failure."""
    return directory / f"{kata}.failure.npz"


def write_capsule(result: CheckResult, failure: KataFailure, directory: Path) -> Path | None:
    """Save inputs, expected and actual outputs of the failing case; None if it cannot be written.

    Keys: ``input/<name>``, ``expected/<name>``, ``actual/<name>`` and ``meta`` (a JSON string
    with the kata, seed, test, call, message and the replay command). Load it with
    ``np.load(path)``: no pickle is involved.
    """
    import numpy as np

    case = failure.case
    arrays: dict[str, Any] = {}
    scalars: dict[str, Any] = {}
    for name, value in case.call.inputs().items():
        if isinstance(value, np.ndarray):
            arrays[f"input/{name}"] = value
        elif isinstance(value, dict) and all(isinstance(v, np.ndarray) for v in value.values()):
            arrays |= {f"input/{name}/{key}": v for key, v in value.items()}
        elif isinstance(value, Model):  # the arrays the function was built from
            arrays |= {f"input/{name}/{key}": v for key, v in value.arrays.items()}
            scalars[name] = f"{value.kind} model (rnnprep.sandbox.models)"
        else:
            scalars[name] = (
                value
                if isinstance(value, (str, int, float, bool)) or value is None
                else repr(value)
            )
    with contextlib.suppress(TypeError, ValueError, KeyError, IndexError):
        if failure.expected is not None:
            arrays |= _leaves("expected", case.returns, failure.expected)
    if failure.actual is not None:
        # A wrongly structured answer has no leaves to save: the message says what came back.
        with contextlib.suppress(TypeError, ValueError, KeyError, IndexError):
            arrays |= _leaves("actual", case.returns, failure.actual)
    test = next((t for t in result.tests if t.name == case.name), None)
    meta = {
        "kata": result.kata,
        "seed": result.seed,
        "test": case.name,
        "about": case.about,
        "call": case.call.describe(),
        "dims": case.dims,
        "other_inputs": scalars,
        "message": test.message if test else "",
        "replay": result.replay,
    }
    arrays["meta"] = np.array(json.dumps(meta))
    path = capsule_path(result.kata, Path(directory))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:  # a file handle: np.savez would append .npz to a str
            np.savez(handle, **arrays)
    except OSError:
        return None
    return path


def _leaves(prefix: str, spec: Returns, value: Any) -> dict[str, Any]:
    """Array leaves of a returned structure, keyed by the return spec's names."""
    import numpy as np

    if isinstance(spec, TupleOut):
        out: dict[str, Any] = {}
        for item_spec, item in zip(spec.items, value, strict=True):
            out |= _leaves(prefix, item_spec, item)
        return out
    if isinstance(spec, DictOut):
        out = {}
        for key, item_spec in spec.items.items():
            out |= _leaves(f"{prefix}/{key}", item_spec, value[key])
        return out
    array = np.asarray(value)
    if array.dtype.hasobject:
        raise TypeError("not a numeric array")
    return {f"{prefix}/{spec.name}": array}
