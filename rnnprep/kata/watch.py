"""Re-check a file whenever it is saved: file-system events (watchfiles), not polling.

`changes(path)` yields the path at once, then after every save that changed it (editors that
save by writing a temporary file and renaming it included). `WarmGrader` keeps the grader warm
between saves: torch and pytest stay imported in this process, and the next sandboxed child
is started as soon as a check ends, so it has numpy loaded and waits for the next save. It is
still a fresh child per check, confined exactly as a cold check's.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rnnprep.sandbox import Sandbox

STEP_MS = 10  # how long watchfiles waits for more events before it yields a batch


def fingerprint(path: Path) -> tuple[int, str] | None:
    """(size, hash of the content), or None while the file is missing (mid-rename)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return len(data), hashlib.blake2b(data, digest_size=16).hexdigest()


def changes(path: Path, stop: threading.Event | None = None) -> Iterator[Path]:
    """Yield `path` at once, then after every save that changed its content, until `stop`."""
    import watchfiles

    path = Path(path).resolve()
    last = fingerprint(path)
    yield path
    folder = path.parent

    def ours(change: object, name: str) -> bool:
        return Path(name).name == path.name

    for _ in watchfiles.watch(folder, watch_filter=ours, step=STEP_MS, debounce=400, recursive=False,
                              stop_event=stop, raise_interrupt=True):  # fmt: skip
        current = fingerprint(path)
        if current is not None and current != last:
            last = current
            yield path


class WarmGrader:
    """Keeps torch and pytest imported in this process and one sandboxed child waiting."""

    def __init__(self) -> None:
        self.waiting: Sandbox | None = None

    def warm_up(self) -> None:
        """Start the first child, then import the grader's heavy parts meanwhile."""
        from rnnprep.grading.check import warm_imports

        self.prepare_next()
        warm_imports()

    def take(self) -> Sandbox | None:
        """The waiting child, for one check (the check closes it)."""
        child, self.waiting = self.waiting, None
        return child

    def prepare_next(self) -> None:
        """Start the child that waits for the next save (after a check, not during it)."""
        from rnnprep.sandbox import Sandbox

        if self.waiting is None:
            self.waiting = Sandbox.start()

    def close(self) -> None:
        """End the waiting child."""
        if self.waiting is not None:
            self.waiting.close()
            self.waiting = None
