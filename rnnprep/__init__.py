"""rnnprep: interview preparation for recurrent networks.

In a notebook: ``from rnnprep import check; check("lstm", lstm_forward)``, or
``%load_ext rnnprep`` and a ``%%kata lstm`` cell (see rnnprep.notebook).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`rnnprep.check` on first use, so `import rnnprep` (and the CLI) stays light."""
    if name == "check":
        from rnnprep.notebook import check

        return check
    raise AttributeError(f"module 'rnnprep' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext rnnprep`: registers the `%%kata NAME` cell magic."""
    from rnnprep.notebook.magic import KataMagics

    ipython.register_magics(KataMagics)
