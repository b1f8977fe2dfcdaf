"""Every mistake the grader can name, by id: the forward-pass ones and the advanced katas' ones."""

from __future__ import annotations

from rnnprep.diagnosis import advanced, forward
from rnnprep.diagnosis.mistake import Mistake

CATALOGUE: dict[str, Mistake] = {m.id: m for m in (*forward.MISTAKES, *advanced.MISTAKES)}
