"""The sandboxed child: runs one submission and answers the grader's calls over a pipe.

Started by the grader as ``python -I -S -B child.py CONFIG`` (no site-packages, no user
site, no PYTHON* variables, no script folder on sys.path). In order:

1. it asks to die with its parent, imports numpy from the folder the grader names and then
   takes that folder off ``sys.path`` again: from here on ``import torch`` cannot succeed;
2. it says ``ready`` and waits for the ``load`` message (a watch keeps a child waiting here,
   numpy warm); the submission's time starts with whichever of the two comes last;
3. it confines itself (rlimits, Landlock, seccomp: see confine.py) and says what held;
4. it runs the submission's source as a module and says what it defines;
5. it answers ``call`` messages one by one, with the value (or the exception) and whatever
   the submission printed, until ``exit`` or the end of the pipe.

The child never judges anything: the grader compares in its own process. Requests come on
one pipe, answers go out on another (their numbers are in CONFIG); stdout and stderr are pipes the grader reads with a cap.
Standard library only at import (numpy comes from the grader's path).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import linecache
import os
import sys
import time
import traceback
from types import ModuleType
from typing import Any

CHANNELS = {"requests": 3, "answers": 4}  # the grader passes its pipe ends' numbers in CONFIG
HERE = os.path.dirname(os.path.abspath(__file__))
MAX_CAPTURE = 8_000  # characters of print() output kept per call


def _load_sibling(name: str) -> ModuleType:
    """Import protocol.py / confine.py from this folder by path (sys.path holds no rnnprep)."""
    spec = importlib.util.spec_from_file_location(f"rnnprep_sandbox_{name}", os.path.join(HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


protocol = _load_sibling("protocol")
confine = _load_sibling("confine")
models = _load_sibling("models")


def send(header: dict[str, Any], blobs: list[bytes] | None = None) -> None:
    """One message to the grader."""
    protocol.write_message(CHANNELS["answers"], header, blobs or [])


def bootstrap(config: dict[str, Any]) -> Any:
    """Import numpy (and the seccomp binding) from the grader's folders, then forget them."""
    added = [p for p in config.get("import_paths", []) if p not in sys.path]
    sys.path.extend(added)
    try:
        import numpy
        import numpy.linalg
        import numpy.random

        seccomp = None
        if config.get("seccomp", True):
            try:
                import pyseccomp as seccomp  # type: ignore[no-redef]
            except Exception:  # missing binding or libseccomp: reported, not fatal
                seccomp = None
    finally:
        for path in added:
            with contextlib.suppress(ValueError):
                sys.path.remove(path)
    return numpy, seccomp


def apply_confinement(numpy: Any, seccomp: Any, limits: dict[str, Any]) -> dict[str, Any]:
    """Every layer the platform allows; returns what held and what did not."""
    layers: list[str] = []
    missing: list[str] = []
    if limits.get("parent_death"):
        layers.append("parent-death")
    applied = confine.limit_resources(int(limits["memory_bytes"]), int(limits["cpu_seconds"]))
    (layers if applied else missing).append("rlimits" if applied else "rlimits: none could be set")
    numpy_dir = os.path.dirname(os.path.abspath(numpy.__file__))
    why = confine.restrict_filesystem(confine.readable_paths(numpy_dir))
    (missing if why else layers).append(f"landlock: {why}" if why else "landlock")
    why = confine.install_seccomp(seccomp)
    (missing if why else layers).append(f"seccomp: {why}" if why else "seccomp")
    return {"layers": layers, "missing": missing}


def error_info(error: BaseException, filename: str) -> dict[str, Any]:
    """Type, message and the traceback frames that lie in the submission."""
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == filename:
            text = linecache.getline(frame.filename, frame.lineno or 0).strip()
            frames.append({"line": frame.lineno, "function": frame.name, "text": text[:300]})
    if isinstance(error, SyntaxError) and error.filename == filename and not frames:
        frames.append({"line": error.lineno, "function": "<module>", "text": (error.text or "").strip()[:300]})
    try:
        message = str(error)
    except Exception:  # a submission's exception may break __str__
        message = "?"
    if isinstance(error, SystemExit):
        message = f"exit code {error.code!r}"[:200]
    return {"type": type(error).__name__[:100], "message": message[:2000], "frames": frames[-6:]}


class Capture(io.StringIO):
    """sys.stdout / sys.stderr while submission code runs, kept to MAX_CAPTURE characters."""

    def write(self, text: str) -> int:
        room = MAX_CAPTURE - self.tell()
        if room > 0:
            super().write(str(text)[:room])
        return len(text)


@contextlib.contextmanager
def captured() -> Any:
    """Route print() of the submission into a buffer (both streams, in order)."""
    buffer = Capture()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = buffer
    try:
        yield buffer
    finally:
        sys.stdout, sys.stderr = saved


def load_submission(source: str, filename: str, module_name: str) -> tuple[ModuleType | None, dict[str, Any]]:
    """Run the submission's source as a fresh module; (module or None, the report)."""
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)  # tracebacks need no file
    module = ModuleType(module_name)
    module.__file__ = filename
    sys.modules[module_name] = module  # dataclasses and pickling look themselves up here
    with captured() as out:
        try:
            code = compile(source, filename, "exec", dont_inherit=True)
            exec(code, module.__dict__)
        except BaseException as error:  # SystemExit and KeyboardInterrupt included
            return None, {"ok": False, "error": error_info(error, filename), "output": out.getvalue()}
    defined = sorted(
        name for name, value in vars(module).items() if not name.startswith("_") and callable(value)
    )
    return module, {"ok": True, "defined": defined[:200], "output": out.getvalue()}


def call(module: ModuleType, request: dict[str, Any], blobs: list[bytes]) -> Any:
    """One case: a function call, or build an object, set attributes and call a method."""
    import numpy as np

    target = getattr(module, request["target"])
    args = [protocol.decode(node, blobs, build=models.build) for node in request.get("args", [])]
    kwargs = {k: protocol.decode(node, blobs, build=models.build) for k, node in request.get("kwargs", {}).items()}
    # A suite may turn floating-point warnings (e.g. divide by zero) into exceptions.
    with np.errstate(**request.get("errstate", {})):
        if request.get("method") is None:
            return target(*args, **kwargs)
        instance = target(*[protocol.decode(node, blobs, build=models.build) for node in request.get("init_args", [])])
        for name, node in request.get("attrs", {}).items():
            setattr(instance, name, protocol.decode(node, blobs, build=models.build))
        return getattr(instance, request["method"])(*args, **kwargs)


def answer(module: ModuleType, request: dict[str, Any], blobs: list[bytes], filename: str) -> None:
    """Run one call and send its value (or its exception) with what it printed."""
    started = time.perf_counter()
    with captured() as out:
        try:
            value = call(module, request, blobs)
            failed = None
        except BaseException as error:
            value, failed = None, error_info(error, filename)
    header: dict[str, Any] = {"op": "result", "id": request.get("id"), "seconds": time.perf_counter() - started}
    outgoing: list[bytes] = []
    if failed is None:
        with captured():  # a __repr__ of the submission's may print too
            header |= {"ok": True, "value": protocol.encode(value, outgoing)}
    else:
        header |= {"ok": False, "error": failed}
    send({**header, "output": out.getvalue()}, outgoing)


def serve(config: dict[str, Any]) -> None:
    """The child's whole life, steps 1-5 of the module docstring."""
    CHANNELS.update({k: int(config[k]) for k in CHANNELS if k in config})
    parent_death = confine.kill_with_parent()
    numpy, seccomp = bootstrap(config)
    send({"op": "ready"})  # the grader's clock starts now, not while numpy loads
    try:
        load, _ = protocol.read_message(CHANNELS["requests"])
    except protocol.ChannelClosed:
        return  # a pre-started child that was never needed
    limits = {**load.get("limits", {}), "parent_death": parent_death}
    send({"op": "confined", **apply_confinement(numpy, seccomp, limits)})
    filename = str(load["filename"])
    module, report = load_submission(str(load["source"]), filename, str(load["module"]))
    send({"op": "loaded", **report})
    if module is None:
        return
    while True:
        try:
            request, blobs = protocol.read_message(CHANNELS["requests"])
        except protocol.ChannelClosed:
            return
        if request.get("op") != "call":
            return
        answer(module, request, blobs, filename)


def main() -> None:
    """Entry point; exits hard so no hook of the submission runs after the last answer."""
    code = 0
    try:
        serve(json.loads(sys.argv[1]))
    except BaseException:  # a grader-side failure: the traceback goes to stderr for the grader
        traceback.print_exc(file=sys.__stderr__)
        code = 3
    for stream in (sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
