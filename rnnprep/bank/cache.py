"""A cache of validated banks, so the quiz and lint start fast.

Parsing and validating ~270 questions of YAML costs a few hundred milliseconds;
the result depends only on the file's bytes, the path it is shown as and the
validation code, so it is cached under that key. A missing, stale or unreadable
cache is simply rebuilt: it never changes what a bank means.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from rnnprep import __version__
from rnnprep.paths import cache_dir

_FILE = "banks.pickle"
_MAX_ENTRIES = 64  # one per bank file and the path it was shown as


@cache
def _code_fingerprint() -> str:
    """Changes whenever the validation code changes, so old results are not reused."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _key(path: Path, shown: str) -> str:
    """What a validation result depends on: the bytes, the displayed path, the code."""
    digest = hashlib.blake2b(path.read_bytes(), digest_size=16)
    digest.update(shown.encode())
    digest.update(_code_fingerprint().encode())
    return digest.hexdigest()


class BankCache:
    """Validation results by file; load once, save once if anything new was computed."""

    def __init__(self, directory: Path | None = None) -> None:
        self.path = (directory or cache_dir()) / _FILE
        self.entries: dict[str, tuple[str, Any]] = self._load()
        self.dirty = False

    def _load(self) -> dict[str, tuple[str, Any]]:
        try:
            with self.path.open("rb") as stream:
                entries = pickle.load(stream)  # our own cache file, written below
            return entries if isinstance(entries, dict) else {}
        except Exception:  # any unreadable cache (truncated, other version) is just a miss
            return {}

    def get_or_compute(self, path: Path, shown: str, compute: Callable[[], Any]) -> Any:
        """The cached result for this file, or `compute()` (then remembered)."""
        try:
            key = _key(path, shown)
        except OSError:
            return compute()
        hit = self.entries.get(shown)
        if hit is not None and hit[0] == key:
            return hit[1]
        result = compute()
        self.entries.pop(shown, None)
        self.entries[shown] = (key, result)  # newest last, so trimming drops the oldest
        while len(self.entries) > _MAX_ENTRIES:
            del self.entries[next(iter(self.entries))]
        self.dirty = True
        return result

    def save(self) -> None:
        """Write the cache atomically; failure to write is not an error."""
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(f".{os.getpid()}.tmp")
            with partial.open("wb") as stream:
                pickle.dump(self.entries, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, self.path)
        except OSError:
            pass
