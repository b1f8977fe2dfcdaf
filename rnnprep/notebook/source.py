"""A kata submission's source, rebuilt from live objects in a notebook.

In Jupyter a function's source is in `linecache` (IPython puts every cell there), so
`inspect.getsource` finds it. What the function needs from the rest of the notebook comes
along, found by reading the function's own code:

- modules it uses become imports (``np`` -> ``import numpy as np``);
- functions and classes defined in other cells come with their source (and what THEY need);
- functions and classes from libraries become ``from module import name``;
- plain constants (numbers, strings, tuples of them) become assignments.

Anything else (an array, an open file, a lambda without source) cannot travel to the grader's
child process; `SourceError` names it and says how to fix it. The result is one module of
text, graded exactly like a file: its imports are scanned like a file's (so ``import torch``
is refused the same way), and it runs in the same sandbox.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import linecache
import textwrap
import types
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rnnprep.errors import RnnprepError

Definition = Callable[..., Any] | type


class SourceError(RnnprepError):
    """A function's source or one of the names it needs cannot be sent to the grader."""


def definition_source(obj: Definition) -> str:
    """The source of a function or class, dedented; SourceError when it has none."""
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError):
        pass
    if isinstance(obj, type):  # in a notebook, classes of __main__ have no file: find the cell
        found = _class_from_its_methods(obj)
        if found is not None:
            return found
    raise SourceError(
        f"The source of {getattr(obj, '__name__', obj)!r} cannot be found (it was not defined in a "
        f"cell or a file). Define it with `def`/`class` in a cell and run that cell, then check again."
    )


def _class_from_its_methods(cls: type) -> str | None:
    """A class's statement, found in the cell that holds its methods."""
    for value in vars(cls).values():
        function = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        code = getattr(inspect.unwrap(function), "__code__", None) if callable(function) else None
        if code is None:
            continue
        text = "".join(linecache.getlines(code.co_filename))
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                end = node.end_lineno or node.lineno
                if node.lineno <= code.co_firstlineno <= end:
                    return ast.get_source_segment(text, node, padded=False) or None
    return None


def needed_names(source: str) -> list[str]:
    """The names a definition reads but does not bind itself (its globals), in order."""
    tree = ast.parse(source)
    loaded: list[str] = []
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded.append(node.id) if isinstance(node.ctx, ast.Load) else bound.add(node.id))
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return [name for name in dict.fromkeys(loaded) if name not in bound]


def globals_of(obj: Definition) -> dict[str, Any]:
    """The namespace a function or class looks its globals up in."""
    if isinstance(obj, type):
        for value in vars(obj).values():
            function = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            if isinstance(function, types.FunctionType):
                return function.__globals__
        module = importlib.import_module(obj.__module__) if obj.__module__ != "__main__" else None
        return vars(module) if module else vars(importlib.import_module("__main__"))
    return getattr(obj, "__globals__", {})


def assemble(definitions: Sequence[Definition], entries: Sequence[str], helpers: Iterable[Definition] = ()) -> str:
    """One module of source holding `definitions`, everything they need, and the entry names.

    A single function checked for a single-entry kata under another name (``my_lstm``) is
    bound to the entry's name too (``lstm_forward = my_lstm``).
    """
    builder = _Builder()
    for helper in helpers:
        builder.provided.add(helper.__name__)
        builder.add(helper)
    for definition in definitions:
        builder.add(definition)
    if builder.missing or builder.unsendable:
        raise SourceError(builder.problem(definitions))
    aliases = []
    if len(definitions) == 1 and len(entries) == 1 and definitions[0].__name__ != entries[0]:
        aliases.append(f"{entries[0]} = {definitions[0].__name__}")
    parts = ["\n".join(builder.imports), "\n".join(builder.constants), *builder.blocks, "\n".join(aliases)]
    header = '"""Assembled by rnnprep.check() from notebook cells."""\n'
    return header + "\n\n\n".join(part for part in parts if part.strip()) + "\n"


class _Builder:
    """Walks definitions and what they need, depth first, so a base class precedes its subclass."""

    def __init__(self) -> None:
        self.imports: list[str] = []
        self.constants: list[str] = []
        self.blocks: list[str] = []
        self.done: set[int] = set()
        self.provided: set[str] = set()  # names the helpers= argument defines
        self.missing: dict[str, str] = {}  # name -> the definition that needs it
        self.unsendable: dict[str, str] = {}  # name -> what it is

    def add(self, obj: Definition) -> None:
        if id(obj) in self.done:
            return
        self.done.add(id(obj))
        source = definition_source(obj)
        namespace = globals_of(obj)
        for name in needed_names(source):
            self.resolve(name, namespace, obj.__name__)
        self.blocks.append(source.rstrip())

    def resolve(self, name: str, namespace: dict[str, Any], needed_by: str) -> None:
        if name not in namespace:
            if not hasattr(builtins, name) and name not in self.provided:
                self.missing.setdefault(name, needed_by)
            return
        value = namespace[name]
        line = _import_line(name, value)
        if line is not None:
            _append_once(self.imports, line)
        elif _from_notebook(value):
            self.add(value)
        elif _is_literal(value):
            _append_once(self.constants, f"{name} = {value!r}")
        else:
            self.unsendable.setdefault(name, f"a {type(value).__name__}")

    def problem(self, definitions: Sequence[Definition]) -> str:
        names = ", ".join(d.__name__ for d in definitions)
        lines = []
        for name, needed_by in self.missing.items():
            lines.append(f"`{needed_by}` uses `{name}`, which is not defined: run the cell that defines it, "
                         f"or pass it along: check(KATA, {names}, helpers=[{name}]).")  # fmt: skip
        for name, what in self.unsendable.items():
            lines.append(f"`{name}` is {what} from your notebook, which cannot be sent to the grader with the "
                         f"code: create it inside the function (or make it a plain number or string).")  # fmt: skip
        return "\n".join(lines)


def _append_once(lines: list[str], line: str) -> None:
    if line not in lines:
        lines.append(line)


def _import_line(name: str, value: Any) -> str | None:
    """`import numpy as np` for a module, `from numpy import tanh` for a library object."""
    if isinstance(value, types.ModuleType):
        module = value.__name__
        return f"import {module}" if module == name else f"import {module} as {name}"
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", getattr(value, "__name__", None))
    if not isinstance(module, str) or module == "__main__" or not isinstance(qualname, str) or "." in qualname:
        return None
    try:
        found = getattr(importlib.import_module(module), qualname, None)
    except Exception:  # a module that cannot be imported again is not a library object
        return None
    if found is not value:
        return None
    return f"from {module} import {qualname}" + ("" if qualname == name else f" as {name}")


def _from_notebook(value: Any) -> bool:
    """A function or class defined in a cell (or in the user's __main__ script)."""
    return isinstance(value, (types.FunctionType, type)) and getattr(value, "__module__", None) == "__main__"


def _is_literal(value: Any) -> bool:
    """A value whose repr is Python source for an equal value (numbers, text, tuples...)."""
    if isinstance(value, (bool, int, float, str, type(None), tuple, list, dict, frozenset, set)):
        try:
            return bool(ast.literal_eval(repr(value)) == value) and len(repr(value)) < 10_000
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return False
    return False
