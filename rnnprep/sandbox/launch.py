"""The grader's side of the sandbox: start the child, load a submission, call it, end it.

    sandbox = Sandbox.start()                    # the child imports numpy meanwhile
    sandbox.begin_load(source, "lstm.py", Limits(timeout=10))
    loaded = sandbox.loaded()                    # defined names, or the error
    number = sandbox.send_call(CallRequest("lstm_forward", args=[x, None, ...]))
    outcome = sandbox.result(number)             # value, raised, timeout, crashed or unreadable
    sandbox.close()                              # kills its process group, removes its folder

Everything the child sends is read as untrusted input (protocol.py) by a reader thread;
the deadline is kept here, with the child killed when it passes, and nothing the child does
can stop or signal this process (the seccomp layer forbids it). The child's own stdout and
stderr are drained by two more threads and kept up to a cap.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from rnnprep.sandbox import protocol
from rnnprep.sandbox.protocol import ProtocolError

CHILD = Path(__file__).with_name("child.py")
OUTPUT_CAP = 64_000  # bytes kept of the child's raw stdout and stderr each
GRACE = 0.5  # seconds the child may take to exit after "exit"
STARTUP = 30.0  # seconds the child may take to import numpy and say "ready"


@dataclass(frozen=True)
class Limits:
    """What one submission may use: wall-clock seconds for loading and every call, memory."""

    timeout: float = 10.0
    memory_bytes: int = 2 << 30

    @property
    def cpu_seconds(self) -> int:
        """The CPU rlimit: a backstop behind the wall-clock timeout kept by the grader."""
        return math.ceil(self.timeout) + 2


@dataclass(frozen=True)
class Isolation:
    """What confined the child: ``seccomp`` when the kernel layers all held, else ``basic``."""

    level: str
    layers: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @classmethod
    def from_report(cls, layers: list[str], missing: list[str]) -> Isolation:
        """The level implied by the layers that held."""
        kernel = "seccomp" in layers and "landlock" in layers
        return cls("seccomp" if kernel else "basic", tuple(layers), tuple(missing))

    def describe(self) -> str:
        """'seccomp (seccomp, landlock, rlimits, parent-death)' or the basic level and why."""
        text = f"{self.level} ({', '.join(self.layers) or 'no kernel layer'})"
        return text + (f"; missing: {'; '.join(self.missing)}" if self.missing else "")


@dataclass
class CallRequest:
    """One call for the child: ``target(*args, **kwargs)``, or a method of a built object."""

    target: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str | None = None
    init_args: list[Any] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    errstate: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadReport:
    """How loading the submission went: defined names, or the error and its frames."""

    ok: bool
    defined: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None  # {"type", "message", "frames"}, as the child sent it
    output: str = ""
    problem: str | None = None  # the sandbox itself failed: timeout, crash, unreadable report


@dataclass
class CallOutcome:
    """What came back for one call. ``kind``: value | raised | timeout | crashed | unreadable."""

    kind: str
    value: Any = None
    error: dict[str, Any] | None = None
    output: str = ""
    seconds: float = 0.0
    detail: str = ""  # for crashed/unreadable: what ended the child or what was wrong


def find_import_paths() -> list[str]:
    """The folders holding numpy and the seccomp binding, found without importing either."""
    paths = []
    for name in ("numpy", "pyseccomp"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        folder = origin.parent.parent if origin.name == "__init__.py" else origin.parent
        paths.append(str(folder))
    return list(dict.fromkeys(paths))


def child_env(workdir: Path) -> dict[str, str]:
    """A scrubbed environment: nothing of the user's (no RNNPREP_*, no HOME), one BLAS thread."""
    return {
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONIOENCODING": "utf-8",
    }


class _Drain(threading.Thread):
    """Reads a pipe to its end, keeping the first OUTPUT_CAP bytes."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.kept = bytearray()
        self.dropped = 0

    def run(self) -> None:
        try:
            while chunk := self.stream.read1(65536):  # type: ignore[attr-defined]
                room = OUTPUT_CAP - len(self.kept)
                self.kept += chunk[:room]
                self.dropped += max(0, len(chunk) - room)
        except (OSError, ValueError):
            pass

    def text(self) -> str:
        """What was kept, decoded, with a note of what was dropped."""
        text = self.kept.decode("utf-8", errors="replace")
        return text + (f"\n[... {self.dropped} more bytes not shown]" if self.dropped else "")


class Sandbox:
    """One child process for one submission."""

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path, requests: int, answers: int) -> None:
        self.process = process
        self.workdir = workdir
        self.requests = requests  # our end of the request pipe
        self.answers = answers  # our end of the answer pipe
        self.deadline = math.inf
        self.timed_out = False
        self.broken: str | None = None  # why the answer pipe can no longer be trusted
        self.closed_pipe = False  # the child closed its answers (usually: it ended)
        self.isolation = Isolation("basic", (), ("the child did not report its confinement",))
        self._messages: dict[Any, tuple[dict[str, Any], list[bytes]]] = {}
        self._special: dict[str, dict[str, Any]] = {}
        self._arrived: dict[int | str, float] = {}  # when each message came (late = timed out)
        self._next_id = 0
        self._load_sent = False
        self._load_report: LoadReport | None = None
        self._loaded_at: float | None = None  # when the load report arrived
        self._ready_at: float | None = None  # when the child had numpy and waited for `load`
        self._timeout: float | None = None
        self._lock = threading.Condition()
        self._stdout = _Drain(process.stdout)  # type: ignore[arg-type]
        self._stderr = _Drain(process.stderr)  # type: ignore[arg-type]
        self._reader = threading.Thread(target=self._read_answers, daemon=True)
        for thread in (self._stdout, self._stderr, self._reader):
            thread.start()

    # --- life cycle ----------------------------------------------------------------------------

    @classmethod
    def start(cls, seccomp: bool = True) -> Sandbox:
        """Spawn the child now; it imports numpy and waits for `load`."""
        workdir = Path(tempfile.mkdtemp(prefix="rnnprep-sandbox-"))
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        config = {"import_paths": find_import_paths(), "seccomp": seccomp,
                  "requests": request_read, "answers": answer_write}  # fmt: skip
        command = [sys.executable, "-I", "-S", "-B", str(CHILD), protocol_json(config)]
        try:
            process = subprocess.Popen(
                command, cwd=workdir, env=child_env(workdir), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(request_read, answer_write),
                start_new_session=True,  # its own process group: one kill takes everything
            )  # fmt: skip
        except OSError:
            for fd in (request_read, request_write, answer_read, answer_write):
                os.close(fd)
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        os.close(request_read)
        os.close(answer_write)
        return cls(process, workdir, request_write, answer_read)

    def load(self, source: str, filename: str, limits: Limits, module: str = "submission") -> LoadReport:
        """begin_load, then wait for the report."""
        self.begin_load(source, filename, limits, module)
        return self.loaded()

    def begin_load(self, source: str, filename: str, limits: Limits, module: str = "submission") -> None:
        """Send the submission: the child confines itself and runs it.

        The clock starts now, or when the child is ready if it is still importing numpy: the
        timeout measures the submission, not the interpreter's start.
        """
        with self._lock:
            self._timeout = limits.timeout
            started = time.monotonic() if self._ready_at is not None else None
            self.deadline = started + limits.timeout if started is not None else time.monotonic() + STARTUP
        header = {"op": "load", "source": source, "filename": filename, "module": module,
                  "limits": {"memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds}}  # fmt: skip
        self._load_sent = self._send(header, [])

    def loaded(self) -> LoadReport:
        """Wait for the child's confinement and load reports (once; later calls repeat it)."""
        if self._load_report is None:
            self._load_report = self._await_load()
        return self._load_report

    def _await_load(self) -> LoadReport:
        """The load report, or what went wrong instead."""
        if not self._load_sent:
            return LoadReport(False, problem=self._ended_text())
        confined = self._wait_special("confined")
        if confined is not None:
            self.isolation = Isolation.from_report(
                _strings(confined.get("layers")), _strings(confined.get("missing"))
            )
        loaded = self._wait_special("loaded")
        if loaded is None:
            return LoadReport(False, problem=self._ended_text())
        try:
            return _load_report(loaded)
        except ProtocolError as error:
            self.broken = str(error)
            return LoadReport(False, problem=self._ended_text())

    def close(self) -> None:
        """End the child (politely, then SIGKILL to its whole group), reap it, remove its folder."""
        with contextlib.suppress(OSError):
            os.close(self.requests)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=GRACE if not self.timed_out else 0)
        self.kill()
        self.process.wait()
        self._reader.join(timeout=1)
        self._stdout.join(timeout=1)
        self._stderr.join(timeout=1)
        with contextlib.suppress(OSError):
            os.close(self.answers)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL the child's process group (or the child, where groups do not exist)."""
        try:
            if os.name == "posix":
                os.killpg(self.process.pid, signal.SIGKILL)
            else:  # pragma: no cover
                self.process.kill()
        except (ProcessLookupError, PermissionError):
            pass

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- calls --------------------------------------------------------------------------------

    def send_call(self, request: CallRequest) -> int:
        """Queue one call (the child answers in order); its number for `result`."""
        number = self._next_id
        self._next_id += 1
        if number == 0 and self._loaded_at is not None:  # the child waited for us: not its time
            self.deadline += time.monotonic() - self._loaded_at
        blobs: list[bytes] = []
        header = {
            "op": "call", "id": number, "target": request.target,
            "args": [protocol.encode(v, blobs) for v in request.args],
            "kwargs": {k: protocol.encode(v, blobs) for k, v in request.kwargs.items()},
            "method": request.method,
            "init_args": [protocol.encode(v, blobs) for v in request.init_args],
            "attrs": {k: protocol.encode(v, blobs) for k, v in request.attrs.items()},
            "errstate": dict(request.errstate),
        }  # fmt: skip
        self._send(header, blobs)
        return number

    def result(self, number: int) -> CallOutcome:
        """Wait (until the deadline) for the answer to call `number`."""
        with self._lock:
            while number not in self._messages and not self._over():
                self._lock.wait(timeout=max(0.0, min(0.5, self.deadline - time.monotonic())))
            message = self._messages.get(number)
            late = message is not None and self._arrived[number] > self.deadline
        if message is None or late:
            if (late or time.monotonic() >= self.deadline) and not self.broken:
                self.timed_out = True
                self.kill()
                return CallOutcome("timeout")
            if self.broken:
                return CallOutcome("unreadable", detail=self.broken)
            return CallOutcome("crashed", detail=self._ended_text())
        header, blobs = message
        try:
            return _call_outcome(header, blobs)
        except ProtocolError as error:
            return CallOutcome("unreadable", detail=str(error))

    @property
    def stdout(self) -> str:
        """What the child wrote to its own stdout outside the per-call capture (capped)."""
        return self._stdout.text()

    @property
    def stderr(self) -> str:
        """What the child wrote to its stderr outside the per-call capture (capped)."""
        return self._stderr.text()

    @property
    def returncode(self) -> int | None:
        """The child's exit status once it ended (negative: killed by that signal)."""
        return self.process.poll()

    # --- internals ----------------------------------------------------------------------------

    def _send(self, header: dict[str, Any], blobs: list[bytes]) -> bool:
        """Write a request; False when the child is gone (a closed pipe is not an error here)."""
        try:
            protocol.write_message(self.requests, header, blobs)
        except (BrokenPipeError, OSError):
            return False
        return True

    def _over(self) -> bool:
        """Nothing more can come: deadline passed, pipe broken or closed."""
        return time.monotonic() >= self.deadline or self.broken is not None or self.closed_pipe

    def _read_answers(self) -> None:
        """The reader thread: every message from the child, validated enough to be filed."""
        while True:
            try:
                header, blobs = protocol.read_message(self.answers)
                key = _message_key(header)
            except protocol.ChannelClosed:
                break
            except (ProtocolError, OSError) as error:
                with self._lock:
                    self.broken = str(error) if isinstance(error, ProtocolError) else "the pipe failed"
                    self._lock.notify_all()
                return
            with self._lock:
                self._arrived.setdefault(key, time.monotonic())
                if key == "loaded":
                    self._loaded_at = time.monotonic()
                if key == "ready":
                    self._ready_at = time.monotonic()
                    if self._timeout is not None:  # the load was sent before: start its clock
                        self.deadline = self._ready_at + self._timeout
                if isinstance(key, str):
                    self._special.setdefault(key, header)
                else:
                    self._messages.setdefault(key, (header, blobs))
                self._lock.notify_all()
        with self._lock:
            self.closed_pipe = True
            self._lock.notify_all()

    def _wait_special(self, op: str) -> dict[str, Any] | None:
        """Wait for the `confined` or `loaded` message; None when it cannot come any more."""
        with self._lock:
            while op not in self._special and not self._over():
                self._lock.wait(timeout=max(0.0, min(0.5, self.deadline - time.monotonic())))
            found = self._special.get(op)
            if found is not None and op == "loaded" and self._arrived[op] > self.deadline:
                found = None  # it came, but after the time was up
        if found is None and time.monotonic() >= self.deadline and not self.broken:
            self.timed_out = True
            self.kill()
        return found

    def _ended_text(self) -> str:
        """Why nothing came back: the timeout, an unreadable report, or how the child ended."""
        if self.timed_out:
            return "timeout"
        if self.broken:
            return f"unreadable: {self.broken}"
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.wait()
        return exit_text(code)


def exit_text(code: int) -> str:
    """'exit code 0', 'killed by SIGSEGV (a segmentation fault)', ..."""
    if code >= 0:
        return f"exit code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    meaning = {
        "SIGSEGV": "a segmentation fault: memory was accessed out of bounds, e.g. through ctypes or np.lib.stride_tricks",
        "SIGKILL": "killed: usually the memory or CPU limit, or the timeout",
        "SIGXCPU": "the CPU-time limit",
        "SIGABRT": "an abort inside native code",
        "SIGBUS": "a bus error in native code",
        "SIGFPE": "a floating-point trap in native code",
        "SIGSYS": "a forbidden system call",
    }.get(name)
    return f"killed by {name}" + (f" ({meaning})" if meaning else "")


def protocol_json(config: dict[str, Any]) -> str:
    """The child's command-line configuration."""
    import json

    return json.dumps(config)


def _message_key(header: dict[str, Any]) -> int | str:
    """Where a message is filed: a call number, or the name of a one-off message."""
    op = header.get("op")
    if op == "result" and type(header.get("id")) is int:
        return int(header["id"])
    if op in ("ready", "confined", "loaded"):
        return str(op)
    raise ProtocolError(f"the child sent a message of unknown kind ({str(op)[:40]!r})")


def _strings(value: Any, limit: int = 20) -> list[str]:
    """A list of short texts from untrusted data (anything else becomes [])."""
    if not isinstance(value, list):
        return []
    return [v[:200] for v in value[:limit] if isinstance(v, str)]


def _text(value: Any, limit: int = protocol.MAX_TEXT) -> str:
    """A text field of untrusted data."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ProtocolError("a text field is not text")
    return value[:limit]


def _error(value: Any) -> dict[str, Any]:
    """An exception report {"type", "message", "frames"} checked field by field."""
    if not isinstance(value, dict):
        raise ProtocolError("an error report is not an object")
    frames = value.get("frames", [])
    if not isinstance(frames, list):
        raise ProtocolError("an error report's frames are not a list")
    checked = []
    for frame in frames[:10]:
        if not isinstance(frame, dict) or (frame.get("line") is not None and type(frame.get("line")) is not int):
            raise ProtocolError("a traceback frame is malformed")
        checked.append({"line": frame.get("line"), "function": _text(frame.get("function"), 200),
                        "text": _text(frame.get("text"), 300)})  # fmt: skip
    return {"type": _text(value.get("type"), 100) or "Exception",
            "message": _text(value.get("message"), 2000), "frames": checked}  # fmt: skip


def _load_report(header: dict[str, Any]) -> LoadReport:
    """The `loaded` message as a LoadReport."""
    ok = header.get("ok")
    if type(ok) is not bool:
        raise ProtocolError("the load report has no ok flag")
    if not ok:
        return LoadReport(False, error=_error(header.get("error")), output=_text(header.get("output")))
    return LoadReport(True, defined=_strings(header.get("defined"), 200), output=_text(header.get("output")))


def _call_outcome(header: dict[str, Any], blobs: list[bytes]) -> CallOutcome:
    """A `result` message as a CallOutcome (the value decoded, arrays checked)."""
    ok = header.get("ok")
    seconds = header.get("seconds", 0.0)
    if type(ok) is not bool or type(seconds) not in (int, float):
        raise ProtocolError("a result has no ok flag or time")
    output = _text(header.get("output"))
    if not ok:
        return CallOutcome("raised", error=_error(header.get("error")), output=output, seconds=float(seconds))
    value = protocol.decode(header.get("value"), blobs)
    return CallOutcome("value", value=value, output=output, seconds=float(seconds))


