"""What an exploration measured: plain data, no torch and no drawing (those import this)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExplorationResult:
    """The numbers behind one plot.

    `series` are named lists of numbers (what the plot draws; `settings["index"]` says what a
    list's position means), `settings` what was run, `summary` the few numbers the lesson
    rests on. Non-finite values (a diverged run) are kept as None so the JSON stays valid.
    """

    name: str
    title: str
    series: dict[str, list[float | None]]
    settings: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """`{"series": ..., "settings": ..., "summary": ...}`, strict JSON."""
        document = {"series": self.series, "settings": self.settings, "summary": self.summary}
        return json.dumps(document, indent=2, allow_nan=False)

    def _repr_png_(self) -> bytes | None:
        """In a notebook the result shows as its figure (text when matplotlib is missing)."""
        try:
            from rnnprep.explore.figures import png_bytes
        except ModuleNotFoundError as error:
            if (error.name or "").split(".")[0] == "matplotlib":
                return None
            raise
        return png_bytes(self)

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.settings.items() if key != "index")
        return f"<{self.name}: {self.title} ({settings})>"


def finite(values: list[float]) -> list[float | None]:
    """The values with NaN and ±inf replaced by None."""
    return [value if math.isfinite(value) else None for value in values]
