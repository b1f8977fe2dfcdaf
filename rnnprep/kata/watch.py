"""Re-check a file whenever it is saved: poll its modification time (no extra dependency)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

POLL_SECONDS = 0.5


def _signature(path: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of the file, or None while it is missing (editors save by rename)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def changes(
    path: Path, interval: float = POLL_SECONDS, sleep: Callable[[float], None] = time.sleep
) -> Iterator[Path]:
    """Yield `path` at once, then again after every change; runs until the caller stops."""
    last = _signature(path)
    yield path
    while True:
        sleep(interval)
        current = _signature(path)
        if current is not None and current != last:
            last = current
            yield path
