"""Writing your own kata: `rnnprep kata new` scaffolds one, `rnnprep kata lint` proves it.

A local kata is a folder ``DIR/NAME/`` with its registry entry (kata.yaml), the instructions
(README.md), the starter (NAME.py), a reference solution (solution.py), the hidden suite
(test_NAME.py, a pytest module written with rnnprep.grading.suite and a torch reference)
and known-wrong implementations (wrong/*.py). `lint` is rustlings' `dev check` for it: the
starter must fail, the solution must pass on several seeds, and every wrong file must fail,
all through the real grader (sandbox and hidden suite), exactly as a learner's check would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rnnprep.errors import RnnprepError
from rnnprep.registry import LOCAL_FILE, RegistryError, load

LINT_SEEDS = (1, 2, 3)

KATA_YAML = """\
# The registry entry of a local kata (the same keys as an entry of rnnprep's katas.yaml;
# `level` is optional: local katas come after the shipped ones). Add the folder that holds
# this kata to RNNPREP_KATAS (or pass --katas-dir) to list, check, watch or batch-grade it.
name: {name}
title: A dense tanh layer (replace with your kata's title)
difficulty: easy
topics: [fundamentals]
prerequisites: []
entry: [{name}]
# What {name} returns, sizes named as in the README: '(output[B,T,H], h_n[B,H])',
# 'grads{{x[B,I], W[H,I]}}' for a dict, a bare name for a float.
returns: "y[B,H]"
hints:
  - "A dense layer is one matrix product with the weights, plus the bias, then the nonlinearity."
  - "Rows of x are batch items, so the weights multiply from the right, transposed: x @ W.T."
  - "return np.tanh(x @ W.T + b)"
"""

README = """\
# {name}: a dense tanh layer

Replace this kata with your own: keep the sections, they are what a learner needs.

## The contract

```python
def {name}(x, W, b):
    \"\"\"x (B, I), W (H, I), b (H,) -> y (B, H) = tanh(x W^T + b), in x's dtype.\"\"\"
```

| name | shape | meaning |
|---|---|---|
| x | (B, I) | a batch of inputs, one row per item |
| W | (H, I) | weights, in torch's `nn.Linear` layout |
| b | (H,) | bias |
| y | (B, H) | the layer's output |

## Equations

y = tanh(x W^T + b)

## Dtypes

Values are compared at the tolerance of the inputs' dtype (float64: 1e-9, float32: 1e-5).
A float64 result for float32 inputs passes with a note; a less precise one fails.

## Check

    rnnprep kata {name} --check --katas-dir {parent}
"""

STARTER = '''\
"""Kata {name}: a dense tanh layer. Instructions: README.md next to this file."""

import numpy as np


def {name}(x, W, b):
    """Return tanh(x @ W.T + b): x (B, I), W (H, I), b (H,) -> (B, H)."""
    # TODO: the affine part                     # (B, H)
    # TODO: the nonlinearity                    # (B, H)
    raise NotImplementedError("{name}: write the layer")
'''

SOLUTION = '''\
"""Reference solution of {name}."""

import numpy as np


def {name}(x, W, b):
    """tanh(x @ W.T + b) in x's dtype."""
    return np.tanh(x @ W.T + b)  # (B, H)
'''

WRONG = '''\
"""Deliberately wrong {name}: the bias is left out."""

import numpy as np


def {name}(x, W, b):
    return np.tanh(x @ W.T)  # (B, H)
'''

SUITE = '''\
"""Hidden suite of {name}: {name}(x, W, b) against torch (tanh of nn.functional.linear), float64."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnprep.grading import suite

KATA = suite.kata("{name}", __file__)
PLAN = [
    suite.Planned("small_float64", "a small batch, float64", {{"dtype": "float64"}}),
    suite.Planned("small_float32", "a small batch, float32", {{"dtype": "float32"}}),
    suite.Planned("one_row", "a batch of one", {{"dtype": "float64", "B": (1, 1)}}),
]


def cases(rng: np.random.Generator) -> list[suite.Case]:
    """Fresh sizes (all different) and values for every planned test."""
    drawn = []
    for planned in PLAN:
        dtype = planned.options["dtype"]
        dims = suite.draw_dims(rng, {{"B": planned.options.get("B", (2, 5)), "I": (2, 7), "H": (2, 6)}})
        args = {{
            "x": rng.standard_normal((dims["B"], dims["I"])),  # (B, I)
            "W": suite.uniform(rng, (dims["H"], dims["I"]), dims["I"] ** -0.5),  # (H, I)
            "b": suite.uniform(rng, (dims["H"],), 0.5),  # (H,)
        }}
        call = suite.Call(KATA.entry[0], suite.as_dtype(args, dtype))
        drawn.append(suite.Case(planned.name, planned.about, call, KATA.returns, dims, dtype, suite.TOLERANCE[dtype]))
    return drawn


def reference(case: suite.Case) -> Any:
    """The layer in torch, float64."""
    a = suite.float64(case.call.args)
    x, W, b = (torch.from_numpy(a[k]) for k in ("x", "W", "b"))
    return torch.tanh(torch.nn.functional.linear(x, W, b)).numpy()  # (B, H)


def test_{name}(case: suite.Case, submission: Any) -> None:
    suite.expect_outputs(case, submission(case), reference(case))
'''


@dataclass
class Scaffold:
    """What `new` wrote."""

    folder: Path
    files: list[Path] = field(default_factory=list)


def new(name: str, directory: Path) -> Scaffold:
    """Write DIR/NAME/ with a working example kata to replace; never overwrites anything."""
    if not name.isidentifier() or name != name.lower():
        raise RnnprepError(
            f"'{name}' cannot name a kata: use a lowercase Python identifier such as "
            f"peephole_lstm (it names the module and the function the learner writes)."
        )
    folder = Path(directory).expanduser() / name
    if folder.exists():
        raise RnnprepError(
            f"{folder} already exists; nothing was written. Pick another NAME or --dir, or "
            f"remove the folder first."
        )
    texts = {
        LOCAL_FILE: KATA_YAML, "README.md": README, f"{name}.py": STARTER,
        "solution.py": SOLUTION, f"test_{name}.py": SUITE, "wrong/no_bias.py": WRONG,
    }  # fmt: skip
    scaffold = Scaffold(folder)
    try:
        for relative, template in texts.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(template.format(name=name, parent=folder.parent), encoding="utf-8")
            scaffold.files.append(path)
    except OSError as error:
        raise RnnprepError(
            f"Cannot write the kata into {folder}: {error.strerror}. Choose a --dir you can write to."
        ) from None
    return scaffold


@dataclass
class LintItem:
    """One expectation of `lint` and whether it held."""

    what: str  # e.g. "solution passes (seed 1)"
    ok: bool
    detail: str = ""


def lint(folder: Path, progress: Callable[[LintItem], None] | None = None) -> list[LintItem]:
    """Check a local kata folder: entry, files, starter fails, solution passes, wrong files fail."""
    from rnnprep.grading.check import check_file

    folder = Path(folder).expanduser()
    items: list[LintItem] = []

    def note(item: LintItem) -> None:
        items.append(item)
        if progress is not None:
            progress(item)

    if not (folder / LOCAL_FILE).is_file():
        raise RnnprepError(
            f"{folder} holds no {LOCAL_FILE}: `kata lint` checks one kata folder, such as the "
            f"one `rnnprep kata new NAME --dir DIR` writes (DIR/NAME)."
        )
    try:
        kata = load(local_dirs=[folder]).get(folder.name)
    except RegistryError as error:
        note(LintItem("kata.yaml is a valid registry entry", False, str(error)))
        return items
    note(LintItem("kata.yaml is a valid registry entry", True))
    wrong = sorted(kata.wrong_fixtures.glob("*.py"))
    for path, what in ((kata.readme, "README.md"), (kata.starter, f"{kata.name}.py (the starter)"),
                       (kata.solution, "solution.py"), (kata.suite, kata.suite.name)):  # fmt: skip
        note(LintItem(f"{what} exists", path.is_file(), "" if path.is_file() else f"missing: {path}"))
    note(LintItem("wrong/ holds at least one known-wrong file", bool(wrong),
                  "" if wrong else f"add files such as {kata.wrong_fixtures / 'no_bias.py'}"))  # fmt: skip
    if not all(item.ok for item in items):
        return items
    result = check_file(kata, kata.starter, seed=LINT_SEEDS[0])
    note(LintItem("the starter fails", not result.passed, "the starter passes: it must not" if result.passed else ""))
    for seed in LINT_SEEDS:
        result = check_file(kata, kata.solution, seed=seed)
        note(LintItem(f"solution.py passes (seed {seed})", result.passed, _why(result)))
    for path in wrong:
        result = check_file(kata, path, seed=LINT_SEEDS[0])
        note(LintItem(f"wrong/{path.name} fails", not result.passed and result.error is None,
                      "it passes: the suite does not catch it" if result.passed else (result.error or "")))  # fmt: skip
    return items


def _why(result: object) -> str:
    """The first reason a check failed, in a line or two."""
    error = getattr(result, "error", None)
    if error:
        return str(error)
    failing = [t for t in getattr(result, "tests", []) if not t.passed]
    return f"{failing[0].name}: {failing[0].message}" if failing else ""
