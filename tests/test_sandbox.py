"""The sandbox on its own: the wire protocol (fuzzed), the child's confinement, its life cycle."""

from __future__ import annotations

import contextlib
import io
import json
import os
import struct
import time
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnprep.grading.check import kernel_confinement_expected
from rnnprep.sandbox import (
    CallRequest,
    Limits,
    Model,
    Opaque,
    ProtocolError,
    RngSeed,
    Sandbox,
    models,
    protocol,
)
from rnnprep.sandbox.launch import _call_outcome, _load_report, child_env, exit_text

KERNEL = pytest.mark.skipif(not kernel_confinement_expected(), reason="needs Linux with Landlock and libseccomp")


def frame(header: bytes, blobs: list[bytes] = (), magic: bytes = b"RNP1") -> bytes:  # type: ignore[assignment]
    """Raw bytes of a message."""
    data = protocol.PREFIX.pack(magic, len(header), len(blobs)) + header
    for blob in blobs:
        data += protocol.BLOB_LENGTH.pack(len(blob)) + blob
    return data


def read(data: bytes) -> tuple[dict, list[bytes]]:
    """read_message on bytes (through a real pipe)."""
    r, w = os.pipe()
    try:
        os.write(w, data)
        os.close(w)
        return protocol.read_message(r)
    finally:
        os.close(r)


# --- the protocol -----------------------------------------------------------------------------


def test_values_round_trip_through_the_codec() -> None:
    value = (np.arange(6.0).reshape(2, 3), [np.float32(1.5), None, True, 3, "text"],
             {"a": np.zeros((0, 2)), "b": np.int64(7)}, RngSeed(3))  # fmt: skip
    blobs: list[bytes] = []
    node = protocol.encode(value, blobs)
    back = protocol.decode(json.loads(json.dumps(node)), blobs)
    assert np.array_equal(back[0], value[0]) and back[1][0] == np.float32(1.5) and back[1][1:] == [None, True, 3, "text"]
    assert back[2]["a"].shape == (0, 2) and back[2]["b"] == 7
    assert isinstance(back[3], np.random.Generator)


@pytest.mark.filterwarnings("ignore:the matrix subclass")
@pytest.mark.parametrize(
    ("make", "type_name"),  # built inside the test, so the matrix warning is filtered
    [(lambda: np.asmatrix(np.eye(2)), "numpy.matrix"), (lambda: np.array(["a"]), "numpy.ndarray"),
     (lambda: np.array([object()]), "numpy.ndarray"), (object, "builtins.object"),
     (lambda: (lambda: 1), "function")],
)
def test_what_the_codec_cannot_carry_becomes_opaque(make: Callable[[], object], type_name: str) -> None:
    decoded = protocol.decode(protocol.encode(make(), []), [])
    assert isinstance(decoded, Opaque) and type_name in decoded.type_name


def test_a_message_round_trips_through_a_pipe() -> None:
    r, w = os.pipe()
    protocol.write_message(w, {"op": "call", "id": 1}, [b"x" * 10, b""])
    os.close(w)
    assert protocol.read_message(r) == ({"op": "call", "id": 1}, [b"x" * 10, b""])
    with pytest.raises(protocol.ChannelClosed):
        protocol.read_message(r)
    os.close(r)


@pytest.mark.parametrize(
    "data",
    [
        b"junk",  # cut off
        frame(b"{}", magic=b"XXXX"),
        protocol.PREFIX.pack(b"RNP1", protocol.MAX_HEADER + 1, 0),
        protocol.PREFIX.pack(b"RNP1", 2, protocol.MAX_BLOBS + 1),
        frame(b"{}", [b"x"])[:-1],  # a blob shorter than announced
        frame(b"{}") + b"",
        frame(b'"a string"'),
        frame(b"[" * 5000 + b"]" * 5000),
        frame(b"\xff\xfe"),
        frame(b"{", []),
        protocol.PREFIX.pack(b"RNP1", 2, 1) + b"{}" + protocol.BLOB_LENGTH.pack(2**40),
    ],
)
def test_malformed_frames_are_protocol_errors(data: bytes) -> None:
    if data == frame(b"{}"):
        assert read(data) == ({}, [])
        return
    with pytest.raises(ProtocolError):
        read(data)


@pytest.mark.parametrize(
    "node",
    [None, "x", [], {"a": 5}, {"a": "0"}, {"v": [1]}, {"v": 2**70}, {"t": "no"}, {"d": []},
     {"o": 1}, {"a": 0, "v": 1}, {"zzz": 1}, {"l": [{"a": 9}]}, {"s": -1}],
)
def test_malformed_value_nodes_are_protocol_errors(node: object) -> None:
    with pytest.raises(ProtocolError):
        protocol.decode(node, [protocol.to_npy(np.zeros(2))])


def test_arrays_of_objects_or_text_are_refused_when_read() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array(["text"]))
    with pytest.raises(ProtocolError, match="unusable dtype"):
        protocol.from_npy(buffer.getvalue())
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()]), allow_pickle=True)
    with pytest.raises(ProtocolError):
        protocol.from_npy(buffer.getvalue())
    with pytest.raises(ProtocolError):
        protocol.from_npy(b"\x93NUMPY garbage")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(header=st.dictionaries(st.sampled_from(["op", "id", "ok", "value", "error", "output", "seconds", "x"]), JSON),
       blobs=st.lists(st.binary(max_size=64), max_size=3))  # fmt: skip
def test_the_parent_reads_random_reports_without_a_traceback(header: dict, blobs: list[bytes]) -> None:
    """Whatever the child sends, the parent gets a CallOutcome/LoadReport or a ProtocolError."""
    data = frame(json.dumps(header).encode(), blobs)
    try:
        parsed, received = read(data)
    except ProtocolError:
        return
    for reader in (_call_outcome, _load_report):
        with contextlib.suppress(ProtocolError):
            reader(parsed, received) if reader is _call_outcome else reader(parsed)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_reader(data: bytes) -> None:
    with contextlib.suppress(ProtocolError, protocol.ChannelClosed):
        read(data)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=3000))
def test_deep_nesting_is_refused_before_parsing(depth: int) -> None:
    text = "[" * depth + "]" * depth
    if depth > protocol.MAX_DEPTH:
        with pytest.raises(ProtocolError, match="nested"):
            protocol.parse_header(("{\"a\":" + text + "}").encode())
    assert protocol.json_depth('{"s": "[[[[[["}') == 1


# --- the child ------------------------------------------------------------------------------------


def test_the_environment_is_scrubbed(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RNNPREP_HOME", "/secret")
    env = child_env(tmp_path)
    assert env["HOME"] == str(tmp_path) and env["OPENBLAS_NUM_THREADS"] == "1"
    assert not any(key.startswith(("RNNPREP", "PYTEST", "PYTHON")) and key != "PYTHONIOENCODING" for key in env)


def run_in_sandbox(source: str, target: str = "f", timeout: float = 5.0) -> tuple[Sandbox, object]:
    """Load source and call target() once; the sandbox is closed."""
    with Sandbox.start() as sandbox:
        loaded = sandbox.load(source, "/virtual/sub.py", Limits(timeout=timeout))
        assert loaded.ok, loaded
        outcome = sandbox.result(sandbox.send_call(CallRequest(target)))
    return sandbox, outcome


@KERNEL
def test_every_kernel_layer_holds_as_this_user() -> None:
    sandbox, _ = run_in_sandbox("def f():\n    return 1\n")
    assert sandbox.isolation.level == "seccomp"
    assert {"seccomp", "landlock", "rlimits", "parent-death"} <= set(sandbox.isolation.layers)
    assert sandbox.isolation.missing == ()


@KERNEL
def test_inside_the_child_only_the_stdlib_and_numpy_are_readable() -> None:
    source = """
import os, sys, numpy
def f():
    site = os.path.dirname(os.path.dirname(numpy.__file__))
    out = {}
    for name, path in [("site", site), ("etc", "/etc/hostname"), ("home", os.path.expanduser("~root")),
                       ("numpy", os.path.dirname(numpy.__file__)), ("stdlib", os.__file__)]:
        try:
            os.listdir(path) if os.path.isdir(path) else open(path).read()
            out[name] = "readable"
        except OSError:
            out[name] = "denied"
    out["path"] = str([p for p in sys.path if "packages" in p])
    return out
"""
    _, outcome = run_in_sandbox(source)
    assert outcome.value == {"site": "denied", "etc": "denied", "home": "denied",  # type: ignore[attr-defined]
                             "numpy": "readable", "stdlib": "readable", "path": "[]"}  # fmt: skip


def test_a_timeout_kills_the_child_and_the_group() -> None:
    with Sandbox.start() as sandbox:
        sandbox.load("def f():\n    while True:\n        pass\n", "/v.py", Limits(timeout=0.5))
        started = time.monotonic()
        outcome = sandbox.result(sandbox.send_call(CallRequest("f")))
        assert outcome.kind == "timeout" and time.monotonic() - started < 2
    assert sandbox.returncode is not None and not sandbox.workdir.exists()


def test_the_child_time_waiting_for_the_grader_is_not_charged() -> None:
    with Sandbox.start() as sandbox:
        assert sandbox.load("def f():\n    return 2\n", "/v.py", Limits(timeout=0.5)).ok
        time.sleep(0.8)  # the grader busy importing torch, say
        assert sandbox.result(sandbox.send_call(CallRequest("f"))).value == 2


def test_a_pre_started_child_that_is_never_used_goes_away() -> None:
    sandbox = Sandbox.start()
    sandbox.close()
    assert sandbox.returncode is not None and not sandbox.workdir.exists()


def test_exit_statuses_are_named() -> None:
    assert exit_text(0) == "exit code 0"
    assert "segmentation fault" in exit_text(-11)
    assert exit_text(-9).startswith("killed by SIGKILL")


def test_per_call_output_is_captured_and_capped() -> None:
    _, outcome = run_in_sandbox("def f():\n    print('hello')\n    print('x' * 100000)\n    return 0\n")
    assert outcome.output.startswith("hello\n") and len(outcome.output) <= 8000  # type: ignore[attr-defined]


def test_frames_point_at_the_submissions_lines_without_reading_its_file() -> None:
    _, outcome = run_in_sandbox("def g():\n    return 1 / 0\n\ndef f():\n    return g()\n")
    error = outcome.error  # type: ignore[attr-defined]
    assert error["type"] == "ZeroDivisionError"
    assert [(f["line"], f["function"], f["text"]) for f in error["frames"]] == [
        (5, "f", "return g()"), (2, "g", "return 1 / 0")]


def test_struct_sizes_match_the_kernel_abi() -> None:
    from rnnprep.sandbox.confine import _PathBeneath, _RulesetAttr

    assert struct.calcsize("=QQQ") == 24 == __import__("ctypes").sizeof(_RulesetAttr)
    assert __import__("ctypes").sizeof(_PathBeneath) == 12  # packed, as linux/landlock.h says


def test_the_clock_starts_when_the_child_is_ready_not_while_numpy_loads() -> None:
    with Sandbox.start() as sandbox:  # load sent at once, while the child still imports numpy
        assert sandbox.load("def f():\n    return 3\n", "/v.py", Limits(timeout=0.05)).ok
        assert sandbox.result(sandbox.send_call(CallRequest("f"))).value == 3


def test_a_timeout_too_short_for_any_file_says_so(tmp_path) -> None:
    from rnnprep import registry
    from rnnprep.content import solutions_dir
    from rnnprep.grading.check import check_file

    result = check_file(registry.get("rnn_cell"), solutions_dir() / "rnn_cell.py", timeout=0.000001)
    assert not result.passed
    assert "shorter than loading any file takes. Use --timeout 1 or more" in result.error


# --- models: functions the grader hands to a submission ------------------------------------------


def lm_arrays(rng: np.random.Generator, V: int = 5, D: int = 3, H: int = 4) -> dict[str, np.ndarray]:
    return {"embed": rng.standard_normal((V, D)), "W_xh": rng.standard_normal((H, D)),
            "W_hh": rng.standard_normal((H, H)) * 0.5, "b_h": rng.standard_normal(H),
            "W_hy": rng.standard_normal((V, H)), "b_y": rng.standard_normal(V)}  # fmt: skip


def test_the_child_builds_a_model_into_a_plain_function() -> None:
    arrays = lm_arrays(np.random.default_rng(0))
    prefixes = np.array([[0, 3, 1], [2, 2, 4]])
    source = "def f(step, prefixes):\n    return step(prefixes), step(prefixes[0]), type(step).__name__\n"
    with Sandbox.start() as sandbox:
        assert sandbox.load(source, "/virtual/sub.py", Limits(timeout=5)).ok
        outcome = sandbox.result(sandbox.send_call(CallRequest("f", args=[Model("lm_step", arrays), prefixes])))
    batch, single, kind = outcome.value  # type: ignore[attr-defined]
    expected = models.build("lm_step", arrays)(prefixes)
    assert kind == "function" and np.array_equal(batch, expected) and np.array_equal(single, expected[0])
    assert np.allclose(np.exp(batch).sum(axis=1), 1.0)


def test_a_model_misused_by_the_submission_raises_at_its_own_line() -> None:
    source = "def f(step):\n    return step([[0.5]])\n"
    with Sandbox.start() as sandbox:
        assert sandbox.load(source, "/virtual/sub.py", Limits(timeout=5)).ok
        outcome = sandbox.result(sandbox.send_call(CallRequest("f", args=[Model("lm_step", lm_arrays(np.random.default_rng(1)))])))
    error = outcome.error  # type: ignore[attr-defined]
    assert error["type"] == "ValueError" and "int array of prefixes" in error["message"]
    assert error["frames"][-1]["line"] == 2


def test_a_model_in_an_answer_is_out_of_schema() -> None:
    blobs: list[bytes] = []
    node = protocol.encode(Model("lm_step", lm_arrays(np.random.default_rng(2))), blobs)
    with pytest.raises(ProtocolError, match="model arrived"):
        protocol.decode(node, blobs)  # the grader decodes answers without a builder
    with pytest.raises(models.ModelError):
        protocol.decode({"m": "shell", "w": {}}, [], build=models.build)


def test_models_equal_their_torch_definitions() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a = lm_arrays(rng)
    prefixes = rng.integers(0, 5, size=(4, 6))
    t = {k: torch.from_numpy(v) for k, v in a.items()}
    h = torch.zeros(4, 4, dtype=torch.float64)
    for s in range(6):
        h = torch.tanh(t["embed"][torch.from_numpy(prefixes[:, s])] @ t["W_xh"].T + h @ t["W_hh"].T + t["b_h"])
    expected = torch.log_softmax(h @ t["W_hy"].T + t["b_y"], dim=-1).numpy()
    assert np.allclose(models.build("lm_step", a)(prefixes), expected, rtol=0, atol=1e-12)

    B, T, I, H, C = 3, 4, 2, 5, 6
    x, targets = rng.standard_normal((B, T, I)), rng.integers(0, C, size=(B, T))
    params = {"W_xh": rng.standard_normal((H, I)), "W_hh": rng.standard_normal((H, H)) * 0.4,
              "b_h": rng.standard_normal(H), "W_hy": rng.standard_normal((C, H)), "b_y": rng.standard_normal(C)}  # fmt: skip
    rnn = torch.nn.RNN(I, H, batch_first=True, bias=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["W_xh"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["W_hh"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["b_h"]))
        rnn.bias_hh_l0.zero_()
        out, _ = rnn(torch.from_numpy(x))  # (B, T, H)
        logits = out @ torch.from_numpy(params["W_hy"]).T + torch.from_numpy(params["b_y"])  # (B, T, C)
        expected_loss = torch.nn.functional.cross_entropy(logits.reshape(B * T, C), torch.from_numpy(targets).reshape(-1))
    loss = models.build("rnn_loss", {"x": x, "targets": targets})
    assert abs(loss(params) - float(expected_loss)) < 1e-12
    with pytest.raises(ValueError, match="keys"):
        loss({"W_xh": params["W_xh"]})
