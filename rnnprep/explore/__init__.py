"""Explorations: the numbers behind each `rnnprep explore` plot, computed apart from the drawing.

Library API (no click here; importing this module imports neither torch nor matplotlib):
    EXPLORATIONS               name -> Exploration (summary, the options it takes)
    find(name)                 -> Exploration, or ExploreError naming the ones there are
    explore(name, **options)   -> ExplorationResult (series, settings, summary; .to_json())

The numbers: vanishing.py, gates.py, clipping.py, dropout.py (torch, one thread).
The drawing: figures.py (matplotlib, the `plots` extra), terminal.py (text, always there).
In a notebook an ExplorationResult shows as its figure.
"""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rnnprep.errors import RnnprepError
from rnnprep.explore.result import ExplorationResult

__all__ = ["EXPLORATIONS", "FIGURE_SUFFIXES", "RECURRENT_INITS", "Exploration", "ExplorationResult", "ExploreError", "explore",
           "find", "matplotlib_installed"]

RECURRENT_INITS = ("default", "orthogonal", "identity")  # vanishing's `init`: torch's, orthogonal, identity
FIGURE_SUFFIXES = (".png", ".svg")  # what --out writes (matplotlib picks the format from it)


class ExploreError(RnnprepError):
    """An exploration that does not exist, or an option it does not take."""


def _vanishing(**options: Any) -> ExplorationResult:
    """measure_vanishing, imported (with torch) only when it runs."""
    from rnnprep.explore.vanishing import measure_vanishing

    return measure_vanishing(**options)


def _gates(**options: Any) -> ExplorationResult:
    """measure_gates, imported (with torch) only when it runs."""
    from rnnprep.explore.gates import measure_gates

    return measure_gates(**options)


def _clipping(**options: Any) -> ExplorationResult:
    """measure_clipping, imported (with torch) only when it runs."""
    from rnnprep.explore.clipping import measure_clipping

    return measure_clipping(**options)


def _dropout(**options: Any) -> ExplorationResult:
    """measure_dropout, imported (with torch) only when it runs."""
    from rnnprep.explore.dropout import measure_dropout

    return measure_dropout(**options)


@dataclass(frozen=True)
class Exploration:
    """One `rnnprep explore NAME`: what it shows and its options with their defaults."""

    name: str
    summary: str
    defaults: dict[str, Any]  # the measure_* keywords: the one place their defaults live
    measure: Callable[..., ExplorationResult]  # imports torch when called

    @property
    def takes(self) -> tuple[str, ...]:
        """The option names, in order."""
        return tuple(self.defaults)


EXPLORATIONS: dict[str, Exploration] = {
    spec.name: spec
    for spec in (
        Exploration("vanishing", "‖∂L/∂h_t‖ over t: tanh and ReLU RNN, LSTM (forget bias 0 and 1), GRU",
                    {"steps": 50, "hidden": 64, "init": "default", "seed": 0}, _vanishing),
        Exploration("gates", "an LSTM's i, f, g, o over a sequence: the forget gate holds, then releases",
                    {"seed": 0}, _gates),
        Exploration("clipping", "the same RNN trained with and without gradient-norm clipping",
                    {"steps": 300, "hidden": 32, "seed": 0, "max_norm": 1.0}, _clipping),
        Exploration("dropout", "a unit's outputs in train vs eval mode, and the 1/(1-p) scale",
                    {"p": 0.5, "seed": 0}, _dropout),
    )
}  # fmt: skip


def find(name: str) -> Exploration:
    """The exploration called `name`; ExploreError with the closest name and the list otherwise."""
    if name in EXPLORATIONS:
        return EXPLORATIONS[name]
    close = difflib.get_close_matches(name.lower(), EXPLORATIONS, n=1, cutoff=0.5)
    guess = f" Did you mean '{close[0]}'?" if close else ""
    raise ExploreError(f"There is no exploration called '{name}'.{guess} Choose one of: "
                       f"{', '.join(EXPLORATIONS)} (`rnnprep explore` lists them).")  # fmt: skip


def explore(name: str, **options: Any) -> ExplorationResult:
    """Measure exploration `name` with the given options (the rest keep their defaults)."""
    exploration = find(name)
    foreign = sorted(set(options) - set(exploration.takes))
    if foreign:
        raise ExploreError(f"'{name}' does not take {', '.join(foreign)}; it takes "
                           f"{', '.join(exploration.takes)}.")  # fmt: skip
    return exploration.measure(**{**exploration.defaults, **options})


def matplotlib_installed() -> bool:
    """Whether the full plots can be drawn (matplotlib comes with `pip install "rnnprep[plots]"`)."""
    return importlib.util.find_spec("matplotlib") is not None
