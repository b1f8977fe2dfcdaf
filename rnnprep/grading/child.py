"""The child process that runs a submission: imports only numpy and the user's file.

The parent starts it as ``python -I child.py WORKDIR`` with WORKDIR holding ``manifest.json``
and ``inputs.npz``. The child calls the user's code on every case and writes what came back
(``case-N.json`` + ``case-N.npz``), or the exception with the frames of the user's file.
It never judges: the parent compares, in a process the user's code cannot reach.

This file must stay importable with the standard library alone (numpy is imported in
``main`` after the path set-up), because the child runs in isolated mode and the parent
also imports it for the shared codec (``encode``/``decode``).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import json
import linecache
import os
import sys
import traceback
from pathlib import Path
from typing import Any

IMPORT_REPORT = "import.json"
DONE_REPORT = "done.json"
MANIFEST = "manifest.json"
INPUTS = "inputs.npz"
FORBIDDEN = ("torch", "tensorflow", "jax", "jaxlib")


class Opaque:
    """A returned value the codec cannot carry (a torch tensor, an object array...)."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


class RngSeed:
    """Stands for ``np.random.default_rng(seed)``: the child builds the Generator itself."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __repr__(self) -> str:
        return f"np.random.default_rng({self.seed})"


def encode(value: Any, arrays: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A JSON node for value; arrays go into `arrays` under keys starting with prefix."""
    import numpy as np

    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return {"opaque": "numpy.ndarray", "text": f"array of dtype {value.dtype}"}
        key = f"{prefix}{len(arrays)}"
        arrays[key] = value
        return {"array": key}
    if isinstance(value, np.generic):  # a numpy scalar such as np.float64(1.5)
        key = f"{prefix}{len(arrays)}"
        arrays[key] = np.asarray(value)
        return {"array": key, "scalar": True}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, RngSeed):
        return {"rng": value.seed}
    if isinstance(value, (tuple, list)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [encode(item, arrays, prefix) for item in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: encode(v, arrays, prefix) for k, v in value.items()}}
    kind = type(value)
    return {"opaque": f"{kind.__module__}.{kind.__qualname__}", "text": _short_repr(value)}


def decode(node: dict[str, Any], arrays: Any) -> Any:
    """The value a node stands for; `arrays` maps keys to numpy arrays."""
    import numpy as np

    if "array" in node:
        array = np.array(arrays[node["array"]])  # a private, writable copy
        return array[()] if node.get("scalar") else array
    if "value" in node:
        return node["value"]
    if "rng" in node:
        return np.random.default_rng(node["rng"])
    if "tuple" in node:
        return tuple(decode(item, arrays) for item in node["tuple"])
    if "list" in node:
        return [decode(item, arrays) for item in node["list"]]
    if "dict" in node:
        return {k: decode(v, arrays) for k, v in node["dict"].items()}
    return Opaque(str(node.get("opaque", "object")), str(node.get("text", "")))


def _short_repr(value: Any) -> str:
    """A repr that cannot flood a report."""
    try:
        text = repr(value)
    except Exception:  # a user's __repr__ may raise
        text = "?"
    return text if len(text) <= 120 else text[:117] + "..."


class _Blocker(importlib.abc.MetaPathFinder):
    """Refuses the frameworks a kata must not use, so the import fails where it is written."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        """Raise for a forbidden name; say nothing (None) for every other module."""
        if fullname.split(".")[0] in FORBIDDEN:
            raise ImportError(
                f"importing {fullname} is not allowed: rnnprep katas are solved in NumPy"
            )
        return None


def error_info(error: BaseException, user_file: str) -> dict[str, Any]:
    """Type, message and the traceback frames that lie in the user's file."""
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.realpath(frame.filename) == user_file:
            text = linecache.getline(frame.filename, frame.lineno or 0).strip()
            frames.append({"line": frame.lineno, "function": frame.name, "text": text})
    if isinstance(error, SyntaxError) and error.filename and not frames:
        frames.append(
            {"line": error.lineno, "function": "<module>", "text": (error.text or "").strip()}
        )
    message = str(error)
    if isinstance(error, SystemExit):
        message = f"exit code {error.code!r}"
    return {"type": type(error).__name__, "message": message[:2000], "frames": frames[-6:]}


def _write_json(workdir: Path, name: str, payload: dict[str, Any]) -> None:
    """Write a report atomically, so a kill mid-write leaves no half file."""
    partial = workdir / (name + ".part")
    partial.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(partial, workdir / name)


def _load_user_module(path: str, module_name: str) -> Any:
    """Import the user's file by path as a fresh module (its __name__ is never "__main__")."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look themselves up here
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # leave no __pycache__ beside the user's file
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes_bytecode
        if sys.modules.get(module_name) is module:
            del sys.modules[module_name]
    return module


def _call(module: Any, call: dict[str, Any], arrays: Any) -> Any:
    """Run one case: a function call, or build an object, set attributes and call a method."""
    import numpy as np

    target = getattr(module, call["target"])
    args = [decode(node, arrays) for node in call["args"]]
    kwargs = {k: decode(node, arrays) for k, node in call["kwargs"].items()}
    # A suite may turn floating-point warnings (e.g. divide by zero) into exceptions.
    with np.errstate(**call.get("errstate", {})):
        if call.get("method") is None:
            return target(*args, **kwargs)
        instance = target(*[decode(node, arrays) for node in call["init_args"]])
        for name, node in call["attrs"].items():
            setattr(instance, name, decode(node, arrays))
        return getattr(instance, call["method"])(*args, **kwargs)


def run(workdir: Path, isolated: bool = True) -> None:
    """Import the submission, run every case, write the reports.

    ``isolated=False`` runs in the calling process for trusted code (the content tests):
    no import blocker, no check of loaded frameworks (the parent has torch loaded).
    """
    manifest = json.loads((workdir / MANIFEST).read_text(encoding="utf-8"))
    for entry in manifest.get("sys_path", []):
        if entry not in sys.path:
            sys.path.append(entry)
    import numpy as np

    if isolated:
        sys.meta_path.insert(0, _Blocker())
    user_file = os.path.realpath(manifest["file"])
    with np.load(workdir / INPUTS, allow_pickle=False) as stored:
        inputs = {key: stored[key] for key in stored.files}
    try:
        module = _load_user_module(user_file, manifest["module"])
    except BaseException as error:  # SystemExit and KeyboardInterrupt included
        _write_json(workdir, IMPORT_REPORT, {"ok": False, "error": error_info(error, user_file)})
        return
    missing = [name for name in manifest["entry"] if not callable(getattr(module, name, None))]
    defined = sorted(n for n in vars(module) if not n.startswith("_") and callable(vars(module)[n]))
    _write_json(workdir, IMPORT_REPORT, {"ok": not missing, "missing": missing, "defined": defined})
    if missing:
        return
    for case in manifest["cases"]:
        _run_case(workdir, module, case, inputs, user_file)
    loaded = (
        sorted({name.split(".")[0] for name in sys.modules} & set(FORBIDDEN)) if isolated else []
    )
    _write_json(workdir, DONE_REPORT, {"forbidden_loaded": loaded})


def _run_case(
    workdir: Path, module: Any, case: dict[str, Any], inputs: dict[str, Any], user_file: str
) -> None:
    """Call the user's code on one case and write its output or its error."""
    import numpy as np

    number = case["id"]
    try:
        value = _call(module, case["call"], inputs)
    except BaseException as error:
        _write_json(
            workdir, f"case-{number}.json", {"ok": False, "error": error_info(error, user_file)}
        )
        return
    arrays: dict[str, Any] = {}
    node = encode(value, arrays, "out")
    np.savez(workdir / f"case-{number}.npz", **arrays)
    _write_json(workdir, f"case-{number}.json", {"ok": True, "output": node})


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``child.py WORKDIR``; exits hard so no user hook runs after the reports."""
    workdir = Path((argv if argv is not None else sys.argv[1:])[0])
    code = 0
    try:
        run(workdir)
    except BaseException:  # a grader-side failure: leave the traceback for the parent
        traceback.print_exc()
        code = 3
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # the submission may have replaced the stream
            stream.flush()
    os._exit(code)  # atexit hooks or threads left by the submission must not change anything


if __name__ == "__main__":
    main()
