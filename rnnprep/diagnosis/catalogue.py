"""Every mistake the grader can name, by id: the forward-pass ones (the advanced katas' follow)."""

from __future__ import annotations

from rnnprep.diagnosis import forward
from rnnprep.diagnosis.mistake import Mistake

CATALOGUE: dict[str, Mistake] = {m.id: m for m in forward.MISTAKES}
