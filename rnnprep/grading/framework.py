"""The suite framework: cases, call specs, return specs and the base class of every suite.

A suite module ``rnnprep/grading/suites/<kata>.py`` defines ``SUITE``, an object with
``cases(rng)`` (fresh random cases), ``expected(case)`` (torch, float64) and ``check``
(the comparison; the default walks the return spec). The runner knows nothing else,
so a new kata is one new module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from rnnprep.grading.compare import Verdict


@dataclass(frozen=True)
class Tol:
    """Pass when |actual - expected| <= atol + rtol * |expected| everywhere."""

    atol: float
    rtol: float

    def __str__(self) -> str:
        return f"{self.atol:g} + {self.rtol:g}·|expected|"


FLOAT64 = Tol(atol=1e-9, rtol=1e-9)
FLOAT32 = Tol(atol=1e-5, rtol=1e-5)
TOLERANCE = {"float64": FLOAT64, "float32": FLOAT32}


@dataclass
class Call:
    """What the child does for one case.

    A function call ``target(*args.values(), **kwargs)``; or, when ``method`` is set,
    ``obj = target(*init_args)``, then ``setattr(obj, name, value)`` for each of ``attrs``,
    then ``obj.method(*args.values(), **kwargs)``. ``args`` are passed by position; their
    names only serve messages and the diagnosis. ``errstate`` (e.g. ``{"divide": "raise"}``)
    is applied with ``np.errstate`` around the call, so a floating-point warning the kata
    forbids becomes an exception reported at the user's line.
    """

    target: str
    args: dict[str, Any] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str | None = None
    init_args: list[Any] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    errstate: dict[str, str] = field(default_factory=dict)

    def inputs(self) -> dict[str, Any]:
        """Everything the user's code received, by name (attributes included)."""
        return {**self.attrs, **self.args, **self.kwargs}

    def describe(self) -> str:
        """How the call reads in a message: arrays by shape, their common dtype said once."""
        import numpy as np

        dtypes = {str(v.dtype) for v in self.inputs().values() if isinstance(v, np.ndarray)}
        dtype = dtypes.pop() if len(dtypes) == 1 else None
        show = (lambda v: describe_value(v, dtype)) if dtype else describe_value
        params = [f"{k}={show(v)}" for k, v in self.args.items()]
        params += [f"{k}={show(v)}" for k, v in self.kwargs.items()]
        suffix = f" on {dtype} arrays" if dtype else ""
        if self.method is None:
            return f"{self.target}({', '.join(params)}){suffix}"
        init = ", ".join(show(v) for v in self.init_args)
        attrs = ", ".join(f"{k}={show(v)}" for k, v in self.attrs.items())
        return (
            f"{self.target}({init}), set {attrs}, "
            f"then called .{self.method}({', '.join(params)}){suffix}"
        )


def describe_value(value: Any, common_dtype: str | None = None) -> str:
    """An argument or a returned value in a few characters: shape (and dtype) for arrays."""
    import numpy as np

    if isinstance(value, np.ndarray):
        if str(value.dtype) == common_dtype:
            return str(tuple(value.shape))
        return f"{tuple(value.shape)} {value.dtype}"
    if isinstance(value, np.random.Generator):
        return "np.random.Generator"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe_value(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


# Return specs: what the user's code must give back, leaf by leaf.
@dataclass(frozen=True)
class Array:
    """A float array whose axes are named after the case's dims (or fixed ints)."""

    name: str
    axes: tuple[str | int, ...]

    def shape(self, dims: dict[str, int]) -> tuple[int, ...]:
        """The expected shape for these dims."""
        return tuple(a if isinstance(a, int) else dims[a] for a in self.axes)

    def axes_text(self) -> str:
        """'(B, T, H)' as written in the instructions."""
        return (
            "(" + ", ".join(str(a) for a in self.axes) + ("," if len(self.axes) == 1 else "") + ")"
        )


@dataclass(frozen=True)
class Scalar:
    """A Python or numpy float."""

    name: str


@dataclass(frozen=True)
class Seq:
    """A tuple (a list is accepted too) of fixed length."""

    items: tuple[Spec, ...]

    @property
    def name(self) -> str:
        """'(output, (h_n, c_n))'."""
        return "(" + ", ".join(item.name for item in self.items) + ")"


@dataclass(frozen=True)
class Mapping:
    """A dict with exactly these keys."""

    name: str
    items: dict[str, Spec]


Spec = Array | Scalar | Seq | Mapping


@dataclass
class Case:
    """One hidden test: what to call, with what, and how the answer must look."""

    name: str
    about: str
    call: Call
    returns: Spec
    dims: dict[str, int]
    dtype: str = "float64"
    tol: Tol = FLOAT64
    extra: dict[str, Any] = field(default_factory=dict)


Plan = tuple[tuple[str, str, dict[str, Any]], ...]  # (test name, what it covers, build options)


class Suite:
    """Base class: a kata's hidden cases, their torch reference and the comparison.

    A suite lists its tests in ``plan`` and draws each case with ``build``; ``cases``
    (overridable when tests depend on each other) builds them all from one rng.
    """

    kata: str = ""
    entry: tuple[str, ...] = ()
    plan: Plan = ()

    def cases(self, rng: np.random.Generator) -> list[Case]:
        """One fresh case per planned test, drawn in order from rng."""
        return [self.build(rng, name, about, **options) for name, about, options in self.plan]

    def build(self, rng: np.random.Generator, name: str, about: str, **options: Any) -> Case:
        """Draw one case of the plan."""
        raise NotImplementedError

    def expected(self, case: Case) -> Any:
        """The reference result, as numpy float64 arrays in the shape of ``case.returns``."""
        raise NotImplementedError

    def check(self, case: Case, actual: Any, expected: Any) -> Verdict:
        """Compare structure, shapes, dtypes, then values."""
        from rnnprep.grading.compare import compare

        return compare(case, actual, expected)


def draw_dims(
    rng: np.random.Generator,
    ranges: dict[str, tuple[int, int]],
    avoid_multiples: dict[str, int] | None = None,
) -> dict[str, int]:
    """Distinct sizes, each in its inclusive range, so no transpose or axis mix-up can hide.

    ``avoid_multiples={"H": 4}`` also keeps 4H (the gate width) apart from every other size.
    """
    for _ in range(10_000):
        dims = {name: int(rng.integers(low, high + 1)) for name, (low, high) in ranges.items()}
        sizes = list(dims.values())
        for name, gates in (avoid_multiples or {}).items():
            sizes.append(gates * dims[name])
        if len(set(sizes)) == len(sizes):
            return dims
    raise ValueError(f"cannot draw distinct dims from {ranges}")


def uniform(rng: np.random.Generator, shape: tuple[int, ...], scale: float) -> np.ndarray:
    """U(-scale, scale) in float64, torch's default initialisation when scale = 1/sqrt(H)."""
    return rng.uniform(-scale, scale, size=shape)  # shape
