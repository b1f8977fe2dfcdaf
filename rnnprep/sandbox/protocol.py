"""The wire between the grader and the sandboxed child: framed messages and a value codec.

A message is a JSON header plus binary blobs (arrays in NumPy's ``.npy`` format, never
pickle)::

    b"RNP1" | header length (u32) | blob count (u32) | header (UTF-8 JSON) | (u64 length | blob)*

Both sides import this module. It needs only the standard library at import time, because
the child runs ``python -I -S`` and loads it by path; numpy is imported inside the codec
functions.

The parent reads everything the child sends as untrusted input: every size is bounded
before it is allocated, the JSON is parsed with a depth limit, nodes are validated against
the codec's schema and arrays are read with ``allow_pickle=False`` and must hold numbers.
Anything else raises ``ProtocolError``, which the grader turns into a plain message.
"""

from __future__ import annotations

import io
import json
import os
import struct
from collections.abc import Callable
from typing import Any

MAGIC = b"RNP1"
PREFIX = struct.Struct(">4sII")  # magic, header length, blob count
BLOB_LENGTH = struct.Struct(">Q")
MAX_HEADER = 1 << 20  # 1 MiB of JSON
MAX_BLOBS = 512
MAX_BLOB = 64 << 20  # 64 MiB per array
MAX_MESSAGE = 256 << 20  # all blobs of one message
MAX_DEPTH = 32  # nesting of values and of the JSON itself
MAX_TEXT = 20_000  # characters of any one string the child sends
MAX_ITEMS = 10_000  # items of one list, tuple or dict
NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex: what an array may hold


class ProtocolError(ValueError):
    """A message that is malformed, too large or not of the expected form."""


class ChannelClosed(EOFError):
    """The other end closed the pipe (cleanly, between messages)."""


# --- framing ------------------------------------------------------------------------------------


def write_message(fd: int, header: dict[str, Any], blobs: list[bytes] = ()) -> None:  # type: ignore[assignment]
    """Send one framed message on a file descriptor (blocking until it is all written)."""
    data = json.dumps(header, separators=(",", ":")).encode("utf-8")
    parts = [PREFIX.pack(MAGIC, len(data), len(blobs)), data]
    for blob in blobs:
        parts += [BLOB_LENGTH.pack(len(blob)), blob]
    _write_all(fd, b"".join(parts))


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is out."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_message(fd: int) -> tuple[dict[str, Any], list[bytes]]:
    """Receive one framed message; ChannelClosed at a clean end, ProtocolError on bad data."""
    first = _read_exact(fd, PREFIX.size, allow_eof=True)
    magic, header_length, blob_count = PREFIX.unpack(first)
    if magic != MAGIC:
        raise ProtocolError("the message does not start with the protocol's marker")
    if header_length > MAX_HEADER or blob_count > MAX_BLOBS:
        raise ProtocolError(
            f"the message is too large ({header_length} bytes of header, {blob_count} arrays)"
        )
    header = parse_header(_read_exact(fd, header_length))
    blobs: list[bytes] = []
    total = 0
    for _ in range(blob_count):
        (length,) = BLOB_LENGTH.unpack(_read_exact(fd, BLOB_LENGTH.size))
        total += length
        if length > MAX_BLOB or total > MAX_MESSAGE:
            raise ProtocolError(f"an array of the message is too large ({length} bytes)")
        blobs.append(_read_exact(fd, length))
    return header, blobs


def _read_exact(fd: int, count: int, allow_eof: bool = False) -> bytes:
    """Exactly `count` bytes; EOF before the first byte is a clean close when allowed."""
    chunks: list[bytes] = []
    remaining = count
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            if allow_eof and remaining == count:
                raise ChannelClosed("the other end closed the channel")
            raise ProtocolError("the message was cut off before its end")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def parse_header(data: bytes) -> dict[str, Any]:
    """A JSON object from bytes, with the nesting bounded before anything recursive runs."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("the message header is not UTF-8 text") from None
    if json_depth(text) > MAX_DEPTH:
        raise ProtocolError(f"the message is nested more than {MAX_DEPTH} levels deep")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError("the message header is not valid JSON") from None
    if not isinstance(value, dict):
        raise ProtocolError("the message header is not a JSON object")
    return value


def json_depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON text, ignoring brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


# --- values -------------------------------------------------------------------------------------


class Opaque:
    """A returned value the codec cannot carry (a torch tensor, an object array, a class...)."""

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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RngSeed) and other.seed == self.seed

    def __hash__(self) -> int:
        return hash(("RngSeed", self.seed))


class Model:
    """Stands for a function the child builds from arrays (sandbox/models.py): a kata's step
    function or loss. Only the grader sends one; an answer from the child never holds one."""

    def __init__(self, kind: str, arrays: dict[str, Any]) -> None:
        self.kind = kind
        self.arrays = arrays

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}={tuple(getattr(v, 'shape', ()))}" for k, v in self.arrays.items())
        return f"<{self.kind} model: {shapes}>"


Builder = Callable[[str, dict[str, Any]], Any]


def encode(value: Any, blobs: list[bytes], depth: int = 0) -> dict[str, Any]:
    """A JSON node for value; arrays are appended to `blobs` as .npy bytes."""
    import numpy as np

    if depth > MAX_DEPTH:
        return {"o": "nested value", "r": f"nested more than {MAX_DEPTH} levels deep"}
    if type(value) is np.ndarray:  # exact type: subclasses (np.matrix, masked) stay opaque
        if value.dtype.kind not in NUMERIC_KINDS:
            return {"o": "numpy.ndarray", "r": f"array of dtype {value.dtype}, shape {value.shape}"}
        blobs.append(to_npy(value))
        return {"a": len(blobs) - 1}
    if isinstance(value, np.generic):
        if value.dtype.kind not in NUMERIC_KINDS:
            return {"o": f"numpy.{type(value).__name__}", "r": short_repr(value)}
        blobs.append(to_npy(np.asarray(value)))
        return {"s": len(blobs) - 1}
    if value is None or type(value) in (bool, int, float, str):
        return {"v": value if not isinstance(value, str) else value[:MAX_TEXT]}
    if isinstance(value, RngSeed):
        return {"rng": value.seed}
    if type(value) is Model:
        return {"m": value.kind, "w": {k: encode(v, blobs, depth + 1) for k, v in value.arrays.items()}}
    if type(value) in (tuple, list):
        key = "t" if type(value) is tuple else "l"
        return {key: [encode(item, blobs, depth + 1) for item in value[:MAX_ITEMS]]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"d": {k: encode(v, blobs, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}}
    kind = type(value)
    return {"o": f"{kind.__module__}.{kind.__qualname__}"[:200], "r": short_repr(value)}


def to_npy(array: Any) -> bytes:
    """An array in NumPy's .npy format."""
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def short_repr(value: Any) -> str:
    """A repr that cannot flood a report (and survives a __repr__ that raises)."""
    try:
        text = repr(value)
    except Exception:  # a submission's __repr__ may raise anything
        text = "?"
    return text if len(text) <= 120 else text[:117] + "..."


def decode(node: Any, blobs: list[bytes], depth: int = 0, build: Builder | None = None) -> Any:
    """The value a node stands for; raises ProtocolError on anything out of schema.

    `build` turns a Model node into its function; only the child passes it, so a Model in an
    answer (which the grader decodes without it) is out of schema.
    """
    if depth > MAX_DEPTH:
        raise ProtocolError(f"a value is nested more than {MAX_DEPTH} levels deep")
    if not isinstance(node, dict) or len(node) not in (1, 2):
        raise ProtocolError("a value node is not a one-key object")
    if "a" in node or "s" in node:
        index = node.get("a", node.get("s"))
        if type(index) is not int or not 0 <= index < len(blobs) or len(node) != 1:
            raise ProtocolError("a value points at an array that was not sent")
        array = from_npy(blobs[index])
        return array[()] if "s" in node else array
    if "v" in node and len(node) == 1:
        value = node["v"]
        if value is not None and type(value) not in (bool, int, float, str):
            raise ProtocolError("a plain value is not a number, text, true/false or null")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise ProtocolError("a text value is too long")
        if type(value) is int and abs(value) > 2**63:
            raise ProtocolError("an integer value is out of range")
        return value
    if "rng" in node and len(node) == 1 and type(node["rng"]) is int:
        import numpy as np

        return np.random.default_rng(node["rng"])
    for key, kind in (("t", tuple), ("l", list)):
        if key in node and len(node) == 1:
            items = node[key]
            if not isinstance(items, list) or len(items) > MAX_ITEMS:
                raise ProtocolError("a tuple or list is malformed")
            return kind(decode(item, blobs, depth + 1, build) for item in items)
    if "d" in node and len(node) == 1:
        items = node["d"]
        if not isinstance(items, dict) or len(items) > MAX_ITEMS:
            raise ProtocolError("a dict is malformed")
        return {str(k)[:200]: decode(v, blobs, depth + 1, build) for k, v in items.items()}
    if "m" in node and set(node) == {"m", "w"}:
        if build is None:
            raise ProtocolError("a model arrived where only plain values may")
        kind, arrays = node["m"], node["w"]
        if not isinstance(kind, str) or not isinstance(arrays, dict):
            raise ProtocolError("a model is malformed")
        return build(kind, {str(k): decode(v, blobs, depth + 1) for k, v in arrays.items()})
    if "o" in node and set(node) <= {"o", "r"}:
        kind, text = node.get("o"), node.get("r", "")
        if not isinstance(kind, str) or not isinstance(text, str):
            raise ProtocolError("an opaque value is malformed")
        return Opaque(kind[:200], text[:200])
    raise ProtocolError(f"a value node has unknown keys {sorted(map(str, node))[:4]}")


def from_npy(data: bytes) -> Any:
    """A numeric array from .npy bytes, without pickle; ProtocolError for anything else."""
    import numpy as np

    try:
        array = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    except Exception as error:  # numpy raises ValueError, OSError, struct.error, ...
        raise ProtocolError(f"an array could not be read ({type(error).__name__})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in NUMERIC_KINDS:
        raise ProtocolError(f"an array has an unusable dtype ({getattr(array, 'dtype', '?')})")
    return array
