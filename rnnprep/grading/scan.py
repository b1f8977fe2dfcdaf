"""Checks on the submission's source made before anything runs: syntax and forbidden imports.

A courtesy, not a defence: the sandbox makes these frameworks unimportable by construction.
The scan only lets an honest learner hear about `import torch` at the line they wrote it.
"""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = ("torch", "tensorflow", "jax", "jaxlib")


def source_problem(path: Path, source: str) -> str | None:
    """A one-paragraph message when the file cannot be graded as written (None when it can)."""
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        return syntax_message(path, error)
    found = forbidden_imports(tree)
    if not found:
        return None
    line, name = found[0]
    text = source.splitlines()[line - 1].strip() if line <= len(source.splitlines()) else ""
    return (
        f"{path.name} line {line} imports {name}: `{text}`. Katas must be solved in NumPy "
        f"(torch is what the grader compares against, and tensorflow and jax do the work for "
        f"you). Remove the import and write the computation with numpy arrays."
    )


def syntax_message(path: Path, error: SyntaxError) -> str:
    """'lstm.py line 12 has a syntax error (...)', with the line and a caret position."""
    text = (error.text or "").rstrip("\n")
    where = f" at column {error.offset}" if error.offset else ""
    shown = f": `{text.strip()}`" if text.strip() else ""
    kind = "an indentation error" if isinstance(error, IndentationError) else "a syntax error"
    return (
        f"{path.name} line {error.lineno} has {kind} ({error.msg}){where}{shown}. "
        f"Python cannot read the file, so nothing was run: fix that line and check again."
    )


def forbidden_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import of torch/tensorflow/jax, dynamic ones with a literal too."""
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names = [first.value]
        found += [(node.lineno, n) for n in names if n.split(".")[0] in FORBIDDEN]
    return sorted(found)


def _is_dynamic_import(func: ast.expr) -> bool:
    """__import__(...), import_module(...), importlib.import_module(...)."""
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr in ("import_module", "__import__")
