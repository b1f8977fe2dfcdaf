"""What a hidden test calls and what it expects back: cases, calls and return specs.

The shape of a kata's return value is written once, in katas.yaml, as a compact signature
that ``parse_returns`` reads::

    (output[B,T,H], (h_n[B,H], c_n[B,H]))          a tuple of arrays, one nested
    (clipped{weight_ih[4H,I], bias[4H]}, total_norm)   a dict with these keys, then a float
    grads{x[B,T,I], W_hh[H,H]}                     a dict of gradients
    (tokens[L]:int, score)                         an int array (exact values), then a float

An axis is a size name, a number, or a product such as ``4H`` or ``L*D``; a name without
brackets is a scalar. An array holds floats unless ``:int`` or ``:bool`` follows it; those
are compared exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rnnprep.grading.types import Tol

if TYPE_CHECKING:
    from rnnprep.sandbox import CallRequest

FLOAT64 = Tol(atol=1e-9, rtol=1e-9)
FLOAT32 = Tol(atol=1e-5, rtol=1e-5)
TOLERANCE = {"float64": FLOAT64, "float32": FLOAT32}


# --- return specs ---------------------------------------------------------------------------------


ELEMENTS = ("float", "int", "bool")  # what an array holds; int and bool compare exactly


@dataclass(frozen=True)
class ArrayOut:
    """An array whose axes are sizes of the case (``"B"``, ``"4H"``, ``"L*D"``) or ints;
    ``element`` says what it holds (floats unless the signature says ``:int`` or ``:bool``)."""

    name: str
    axes: tuple[str | int, ...]
    element: str = "float"

    def shape(self, dims: dict[str, int]) -> tuple[int, ...]:
        """The expected shape for these dims."""
        return tuple(axis_size(a, dims) for a in self.axes)

    def axes_text(self) -> str:
        """'(B, T, H)' as written in the instructions."""
        inner = ", ".join(str(a) for a in self.axes)
        return f"({inner}{',' if len(self.axes) == 1 else ''})"


@dataclass(frozen=True)
class ScalarOut:
    """A Python or numpy float."""

    name: str


@dataclass(frozen=True)
class TupleOut:
    """A tuple (a list is accepted too) of fixed length."""

    items: tuple[Returns, ...]

    @property
    def name(self) -> str:
        """'(output, (h_n, c_n))'."""
        return "(" + ", ".join(item.name for item in self.items) + ")"


@dataclass(frozen=True)
class DictOut:
    """A dict with exactly these keys."""

    name: str
    items: dict[str, Returns]


Returns = ArrayOut | ScalarOut | TupleOut | DictOut


def leaves(spec: Returns) -> list[ArrayOut | ScalarOut]:
    """The arrays and scalars of a spec, in order."""
    if isinstance(spec, (ArrayOut, ScalarOut)):
        return [spec]
    items = spec.items if isinstance(spec, TupleOut) else tuple(spec.items.values())
    return [leaf for item in items for leaf in leaves(item)]


def axis_size(axis: str | int, dims: dict[str, int]) -> int:
    """The size of an axis: 7, 'H', '4H', 'L*D', '2*H'."""
    if isinstance(axis, int):
        return axis
    size = 1
    for factor in axis.split("*"):
        match = re.fullmatch(r"(\d*)([A-Za-z_]\w*)?", factor.strip())
        if not match or not (match.group(1) or match.group(2)):
            raise ValueError(f"cannot read the axis {axis!r}")
        size *= int(match.group(1) or 1) * (dims[match.group(2)] if match.group(2) else 1)
    return size


class SignatureError(ValueError):
    """A return signature in katas.yaml that cannot be read."""


def parse_returns(text: str) -> Returns:
    """The return spec written in `text` (see the module docstring)."""
    tokens = _tokens(text)
    spec, end = _parse(tokens, 0, text)
    if end != len(tokens):
        raise SignatureError(f"unexpected {tokens[end][1]!r} in the return signature {text!r}")
    return spec


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: name, axis (4H, L*D) or a punctuation character."""
    out: list[tuple[str, str]] = []
    for match in re.finditer(r"\s*([A-Za-z_]\w*(?:\*\w+)*|\d+\w*(?:\*\w+)*|\S)", text):
        token = match.group(1)
        kind = "name" if re.fullmatch(r"[A-Za-z_]\w*", token) else "axis" if re.fullmatch(r"[\w*]+", token) else "punct"
        out.append((kind, token))
    return out


def _parse(tokens: list[tuple[str, str]], at: int, text: str) -> tuple[Returns, int]:
    """One spec starting at tokens[at]; returns it and the position after it."""
    if at >= len(tokens):
        raise SignatureError(f"the return signature {text!r} ends too early")
    kind, token = tokens[at]
    if token == "(":
        items, at = _items(tokens, at + 1, ")", text)
        return TupleOut(tuple(items)), at
    if kind != "name":
        raise SignatureError(f"expected a name or '(' in {text!r}, got {token!r}")
    following = tokens[at + 1][1] if at + 1 < len(tokens) else ""
    if following == "[":
        axes: list[str | int] = []
        at += 2
        while True:
            if at + 1 >= len(tokens):
                raise SignatureError(f"unclosed '[' in {text!r}")
            axis = tokens[at][1]
            axes.append(int(axis) if axis.isdigit() else axis)
            at += 1
            if tokens[at][1] == "]":
                return _element(ArrayOut(token, tuple(axes)), tokens, at + 1, text)
            if tokens[at][1] != ",":
                raise SignatureError(f"expected ',' or ']' in {text!r}")
            at += 1
    if following == "{":
        items, end = _items(tokens, at + 2, "}", text)
        return DictOut(token, {item.name: item for item in items}), end
    return ScalarOut(token), at + 1


def _element(array: ArrayOut, tokens: list[tuple[str, str]], at: int, text: str) -> tuple[ArrayOut, int]:
    """The array with its element type when ':int' or ':bool' follows it."""
    if at >= len(tokens) or tokens[at][1] != ":":
        return array, at
    element = tokens[at + 1][1] if at + 1 < len(tokens) else ""
    if element not in ELEMENTS:
        raise SignatureError(f"after ':' expected one of {', '.join(ELEMENTS)} in {text!r}, got {element!r}")
    return ArrayOut(array.name, array.axes, element), at + 2


def _items(tokens: list[tuple[str, str]], at: int, close: str, text: str) -> tuple[list[Returns], int]:
    """Comma-separated specs up to `close`."""
    items: list[Returns] = []
    while True:
        item, at = _parse(tokens, at, text)
        items.append(item)
        if at >= len(tokens):
            raise SignatureError(f"missing {close!r} in {text!r}")
        if tokens[at][1] == close:
            return items, at + 1
        if tokens[at][1] != ",":
            raise SignatureError(f"expected ',' or {close!r} in {text!r}, got {tokens[at][1]!r}")
        at += 1


# --- calls and cases --------------------------------------------------------------------------


@dataclass
class Call:
    """What the child does for one case.

    A function call ``target(*args.values(), **kwargs)``; or, when ``method`` is set,
    ``obj = target(*init_args)``, then ``setattr(obj, name, value)`` for each of ``attrs``,
    then ``obj.method(*args.values(), **kwargs)``. ``args`` are passed by position; their
    names serve messages and the diagnosis. ``errstate`` (e.g. ``{"divide": "raise"}``) is
    applied with ``np.errstate`` around the call, so a floating-point warning the kata
    forbids becomes an exception reported at the submission's line.
    """

    target: str
    args: dict[str, Any] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str | None = None
    init_args: list[Any] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    errstate: dict[str, str] = field(default_factory=dict)

    def inputs(self) -> dict[str, Any]:
        """Everything the submission received, by name (attributes included)."""
        return {**self.attrs, **self.args, **self.kwargs}

    def request(self) -> CallRequest:
        """The sandbox's form of this call."""
        from rnnprep.sandbox import CallRequest

        return CallRequest(
            target=self.target, args=list(self.args.values()), kwargs=dict(self.kwargs),
            method=self.method, init_args=list(self.init_args), attrs=dict(self.attrs),
            errstate=dict(self.errstate),
        )  # fmt: skip

    def describe(self) -> str:
        """How the call reads in a message: arrays by shape, their common dtype said once."""
        import numpy as np

        def float_arrays(value: Any) -> list[Any]:  # inside dict arguments too (params, grads)
            if isinstance(value, dict):
                return [a for v in value.values() for a in float_arrays(v)]
            return [value] if isinstance(value, np.ndarray) and value.dtype.kind == "f" else []

        dtypes = {str(a.dtype) for v in self.inputs().values() for a in float_arrays(v)}
        dtype = dtypes.pop() if len(dtypes) == 1 else None
        show = (lambda v: describe_value(v, dtype)) if dtype else describe_value
        params = [f"{k}={show(v)}" for k, v in self.args.items()]
        params += [f"{k}={show(v)}" for k, v in self.kwargs.items()]
        suffix = f" on {dtype} arrays" if dtype else ""
        if self.method is None:
            return f"{self.target}({', '.join(params)}){suffix}"
        init = ", ".join(show(v) for v in self.init_args)
        attrs = ", ".join(f"{k}={show(v)}" for k, v in self.attrs.items())
        return f"{self.target}({init}), set {attrs}, then called .{self.method}({', '.join(params)}){suffix}"

    def contract(self) -> str:
        """'lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh)'."""
        params = ", ".join([*self.args, *self.kwargs])
        if self.method is None:
            return f"{self.target}({params})"
        return f"{self.target}(...).{self.method}({params})"


def describe_value(value: Any, common_dtype: str | None = None) -> str:
    """An argument or a returned value in a few characters: shape (and dtype) for arrays."""
    import numpy as np

    from rnnprep.sandbox import Model, RngSeed

    if isinstance(value, np.ndarray):
        if str(value.dtype) == common_dtype:
            return str(tuple(value.shape))
        return f"{tuple(value.shape)} {value.dtype}"
    if isinstance(value, RngSeed):
        return repr(value)  # np.random.default_rng(SEED): the learner can rebuild it
    if isinstance(value, np.random.Generator):
        return "np.random.Generator"
    if isinstance(value, Model):
        return f"<{value.kind} function>"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe_value(v, common_dtype)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe_value(v, common_dtype) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


@dataclass
class Case:
    """One hidden test: what to call, with what, and how the answer must look.

    ``dtype`` is the dtype of the float inputs; values are compared at its tolerance ``tol``.
    ``extra`` holds what a suite needs beyond that (e.g. which property a dropout test checks).
    """

    name: str
    about: str
    call: Call
    returns: Returns
    dims: dict[str, int]
    dtype: str = "float64"
    tol: Tol = FLOAT64
    extra: dict[str, Any] = field(default_factory=dict)

    def called(self) -> str:
        """'Called f(x=(3, 7, 5), ...) on float64 arrays; B=3, T=7 (what the test covers).'"""
        dims = ", ".join(f"{k}={v}" for k, v in self.dims.items())
        return f"Called {self.call.describe()}; {dims} ({self.about})."
