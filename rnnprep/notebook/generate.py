"""Write a kata as a Jupyter notebook: instructions, a starter cell, a check cell, hints.

    rnnprep kata lstm --notebook                 # katas/lstm/lstm.ipynb in your workspace
    rnnprep kata --notebook --all ~/rnn-notebooks

Plain nbformat 4 with nothing but standard cells, so the notebook opens and runs in
JupyterLab, VS Code and Colab. The instructions are the kata's README, with the equations
also set in LaTeX; each hint sits folded in its own cell, to open one at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rnnprep.errors import RnnprepError
from rnnprep.registry import Kata

NOTEBOOK_KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def notebook(kata: Kata) -> Any:
    """The nbformat NotebookNode of one kata."""
    import nbformat.v4 as nbf

    cells = [
        nbf.new_markdown_cell(instructions(kata)),
        nbf.new_markdown_cell(
            "## Your implementation\n\n"
            "Write it in the next cell (NumPy only: the grader refuses `import torch`), run it, then run the check "
            "below. Your functions stay in the notebook; the check grades a copy in a separate, sandboxed "
            "process against `torch.nn`."
        ),
        nbf.new_code_cell(starter_cell(kata)),
        nbf.new_code_cell(check_cell(kata)),
        nbf.new_markdown_cell(
            "Stuck? Open the hints one at a time. `check(...)` also names the likely mistake, where the output first "
            f"diverges and the quiz questions that teach the idea (`rnnprep quiz --id ...`). Or run a cell as "
            f"`%%kata {kata.name}` after `%load_ext rnnprep` to define and grade in one go."
        ),
    ]
    total = len(kata.hints)
    for number, hint in enumerate(kata.hints, 1):
        cells.append(nbf.new_markdown_cell(f"<details><summary><b>Hint {number} of {total}</b> (click to open)</summary>"
                                           f"\n\n{_escape_markdown(hint)}\n\n</details>"))  # fmt: skip
    document = nbf.new_notebook(cells=cells)
    document.metadata["kernelspec"] = dict(NOTEBOOK_KERNEL)
    document.metadata["language_info"] = {"name": "python"}
    return document


def starter_cell(kata: Kata) -> str:
    """The starter without its module docstring (which speaks of files and the CLI)."""
    import ast

    source = kata.starter.read_text(encoding="utf-8")
    body = ast.parse(source).body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        source = "\n".join(source.splitlines()[body[0].end_lineno or 0:])
    names = ", ".join(kata.entry)
    return f"# {kata.name}: implement {names} with NumPy, run this cell, then the check below.\n" + source.strip() + "\n"


def check_cell(kata: Kata) -> str:
    """`from rnnprep import check` and the call that grades the kata's entry points."""
    return f"from rnnprep import check\n\ncheck({kata.name!r}, {', '.join(kata.entry)})"


def instructions(kata: Kata) -> str:
    """The README as Markdown, its first equation block followed by the LaTeX form."""
    text = kata.instructions()
    if kata.equations:
        latex = "$$\n\\begin{aligned}\n" + " \\\\\n".join(kata.equations) + "\n\\end{aligned}\n$$"
        text = _after_first_equation_block(text, latex)
    return text.rstrip() + "\n"


def _after_first_equation_block(text: str, latex: str) -> str:
    """Insert `latex` after the first indented (code) block of the Equations section."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("## ") and "quation" in line), None)
    if start is None:  # no equations section: one goes before the shape table, near the top
        shapes = next((i for i, line in enumerate(lines) if line.startswith("## Shapes")), None)
        if shapes is None:
            return text.rstrip() + "\n\n## Equations\n\n" + latex + "\n"
        return "\n".join([*lines[:shapes], "## Equations", "", latex, "", *lines[shapes:]])
    i = start + 1
    while i < len(lines) and not lines[i].startswith("    "):
        if lines[i].startswith("## "):
            return "\n".join([*lines[:i], latex, "", *lines[i:]])
        i += 1
    while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
        i += 1
    return "\n".join([*lines[:i], latex, "", *lines[i:]])


def _escape_markdown(text: str) -> str:
    """A hint inside HTML <details>: < and & escaped, code kept readable."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def write(kata: Kata, path: Path, overwrite: bool = False) -> bool:
    """Write the notebook; False (nothing written) when the file exists and overwrite is off."""
    import nbformat

    if path.exists() and not overwrite:
        return False
    try:
        document = notebook(kata)
    except OSError as error:
        raise RnnprepError(f"The kata {kata.name} is incomplete: {error.filename} cannot be read "
                           f"({error.strerror}). Run `rnnprep kata lint {kata.folder}` for a local kata.") from None  # fmt: skip
    nbformat.validate(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(document, str(path))
    return True


def path_name(kata: Kata) -> str:
    """'04-lstm.ipynb': a folder of the whole path lists in learning order."""
    return f"{kata.level:02d}-{kata.name}.ipynb"
