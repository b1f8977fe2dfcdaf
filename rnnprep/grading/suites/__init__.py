"""The hidden suites, one module per kata; ``load_suite(name)`` finds them by name."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from rnnprep.errors import RnnprepError

if TYPE_CHECKING:
    from rnnprep.grading.framework import Suite


def suite_names() -> list[str]:
    """Every kata that has a hidden suite (modules starting with _ are shared helpers)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load_suite(kata: str) -> Suite:
    """The ``SUITE`` of rnnprep/grading/suites/<kata>.py."""
    if kata not in suite_names():
        import difflib

        close = difflib.get_close_matches(kata, suite_names(), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise RnnprepError(
            f"There is no grader for a kata named {kata!r}.{hint} "
            f"Known katas: {', '.join(suite_names())}."
        )
    return importlib.import_module(f"{__name__}.{kata}").SUITE
