"""A safe arithmetic evaluator for parametrized answers (`expr` in a bank).

The expression is parsed with `ast` and walked by a whitelist: numbers, the
question's params, arithmetic operators, tuples and a few math functions.
Nothing else is evaluated, so a bank cannot run code.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

Value = int | float | tuple[Any, ...]

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}

_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "sqrt": math.sqrt,
    "log": math.log,
    "log2": math.log2,
    "exp": math.exp,
    "ceil": math.ceil,
    "floor": math.floor,
    "prod": lambda *values: math.prod(values),
    "tanh": math.tanh,
    "sigmoid": lambda x: 0.5 * (1.0 + math.tanh(0.5 * x)),
    "log10": math.log10,
    "sin": math.sin,
    "cos": math.cos,
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}  # what a typed answer may name

_MAX_POWER = 10_000  # keeps `9**9**9` from hanging the quiz


class ExprError(ValueError):
    """The expression is not valid or cannot be evaluated."""


def parse(source: str) -> ast.Expression:
    """Parse `source` and reject anything outside the whitelist."""
    try:
        tree = ast.parse(str(source).strip(), mode="eval")
    except SyntaxError as error:
        raise ExprError(f"syntax error in expr {source!r}: {error.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExprError(f"expr {source!r} uses {type(node).__name__}, which is not allowed")
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords
        ):
            raise ExprError(f"expr {source!r} calls something other than {', '.join(FUNCTIONS)}")
    return tree


def names(source: str) -> set[str]:
    """The variable names an expression reads (function names excluded)."""
    tree = parse(source)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def evaluate(source: str, variables: Mapping[str, Value]) -> Value:
    """Evaluate a whitelisted arithmetic expression with the given variables."""
    return _eval(parse(source).body, variables, source)


def _eval(node: ast.AST, variables: Mapping[str, Value], source: str) -> Any:
    """Walk one node of an already-whitelisted tree."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExprError(f"expr {source!r}: only numbers are allowed, not {node.value!r}")
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in variables:
            raise ExprError(f"expr {source!r} uses {node.id!r}, which is not a param")
        return variables[node.id]
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_eval(item, variables, source) for item in node.elts)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, variables, source))
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, variables, source)
        right = _eval(node.right, variables, source)
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_POWER:
            raise ExprError(f"expr {source!r}: exponent {right} is too large")
        try:
            return _BINARY[type(node.op)](left, right)
        except (ArithmeticError, TypeError) as error:
            raise ExprError(f"expr {source!r}: {error}") from None
    if isinstance(node, ast.Call):
        args = [_eval(arg, variables, source) for arg in node.args]
        try:
            return FUNCTIONS[node.func.id](*args)  # type: ignore[attr-defined]
        except (ArithmeticError, TypeError, ValueError) as error:
            raise ExprError(f"expr {source!r}: {error}") from None
    raise ExprError(f"expr {source!r} uses {type(node).__name__}, which is not allowed")


_ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Tuple,
    ast.List,
    ast.UnaryOp,
    ast.BinOp,
    ast.Call,
    *_BINARY,
    *_UNARY,
)
