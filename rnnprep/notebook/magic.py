"""`%%kata NAME`: run the cell in the kernel, then grade the kata's entry function(s) it defines.

    %load_ext rnnprep

    %%kata lstm
    import numpy as np
    def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
        ...

The cell runs as a normal cell (its definitions stay in the notebook), then
`rnnprep.check(NAME, <the entry functions>)` grades them and the result is the cell's output.
Options after the name: `--seed S`, `--timeout T`, `--no-record`.
"""

from __future__ import annotations

import argparse
import hashlib
import linecache
import shlex
from typing import Any

from IPython.core.magic import Magics, cell_magic, magics_class

from rnnprep.errors import RnnprepError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="%%kata", add_help=False)
    parser.add_argument("name")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--no-record", action="store_true")
    return parser


@magics_class
class KataMagics(Magics):
    """The `%%kata` cell magic."""

    @cell_magic
    def kata(self, line: str, cell: str) -> Any:
        """%%kata NAME [--seed S] [--timeout T] [--no-record]: run the cell, then grade it."""
        from rnnprep import registry
        from rnnprep.notebook import check

        try:
            options = _parser().parse_args(shlex.split(line))
        except SystemExit:
            print("Usage: %%kata NAME [--seed S] [--timeout T] [--no-record], e.g. %%kata lstm")
            return None
        try:
            kata = registry.get(options.name)
        except RnnprepError as error:
            print(error)
            return None
        if not self._run(cell):
            return None
        namespace = self.shell.user_ns  # type: ignore[union-attr]
        missing = [entry for entry in kata.entry if not callable(namespace.get(entry))]
        if missing:
            print(f"This cell defines no {', '.join(missing)}: the {kata.name} kata grades "
                  f"{', '.join(kata.entry)}. Define {'it' if len(missing) == 1 else 'them'} in the cell.")  # fmt: skip
            return None
        try:
            return check(kata.name, *(namespace[entry] for entry in kata.entry), seed=options.seed,
                         timeout=options.timeout, record=not options.no_record)  # fmt: skip
        except RnnprepError as error:
            print(error)
            return None

    def _run(self, cell: str) -> bool:
        """Run the cell in the user's namespace, its source kept where inspect finds it."""
        shell = self.shell
        assert shell is not None
        code = shell.transform_cell(cell)
        filename = f"<kata-cell-{hashlib.sha1(cell.encode()).hexdigest()[:12]}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
        try:
            exec(compile(code, filename, "exec"), shell.user_ns)  # the user's own cell, in their own kernel
        except Exception:
            shell.showtraceback()
            return False
        return True
