"""One status vocabulary for a kata, shared by `kata list`, `stats` and their JSON."""

from __future__ import annotations

PASSED, FAILING, NOT_STARTED = "passed", "failing", "not started"  # NOT_STARTED: never checked
STATUS_COLOURS: dict[str, str | None] = {PASSED: "green", FAILING: "red", NOT_STARTED: None}
