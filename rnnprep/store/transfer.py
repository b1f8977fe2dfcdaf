"""Moving progress between machines (JSON export/import) and starting over (reset).

An export lists every answer and kata attempt with its uid; importing inserts the ones
the store lacks (so importing twice changes nothing) and rebuilds the FSRS card of
every question that gained answers by replaying all its answers in time order.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rnnprep.errors import RnnprepError
from rnnprep.store.core import Store
from rnnprep.store.scheduling import from_text, rating_of, to_text, utc

EXPORT_FORMAT = "rnnprep-progress"
EXPORT_VERSION = 2  # 2: reviews carry their rating and override flag

# field -> accepted types, for validating an export before touching the store
REVIEW_FIELDS: dict[str, tuple[type, ...]] = {
    "uid": (str,), "question_id": (str,), "topic": (str,), "rev": (int,),
    "reviewed_at": (str,), "answer": (str,), "correct": (bool,), "response_time": (int, float),
}
KATA_FIELDS: dict[str, tuple[type, ...]] = {
    "uid": (str,), "kata": (str,), "attempted_at": (str,), "passed": (bool,),
    "seed": (int, type(None)), "failing_tests": (list,), "diagnosis": (list,),
}


@dataclass(frozen=True)
class ImportSummary:
    """How many answers and kata attempts an import added, and how many it already had."""

    reviews_added: int
    reviews_known: int
    attempts_added: int
    attempts_known: int


def export_progress(store: Store, now: datetime | None = None) -> dict[str, Any]:
    """Every answer and kata attempt as JSON-ready data (scheduling is rebuilt on import)."""
    reviews = [{**review, "reviewed_at": to_text(review["reviewed_at"])}  # type: ignore[arg-type]
               for review in store.reviews()]
    attempts = [{**attempt, "attempted_at": to_text(attempt["attempted_at"])}  # type: ignore[arg-type]
                for attempt in store.kata_attempts()]
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": to_text(utc(now)),
            "reviews": reviews, "kata_attempts": attempts}


def write_export(data: dict[str, Any], output: Path) -> None:
    """Write an export atomically: a crash never leaves a half-written file behind."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, output)


def read_export(source: Path) -> dict[str, Any]:
    """Load and validate an export file; RnnprepError naming the file and entry at fault."""
    advice = "Create one with `rnnprep progress export --json -o FILE`."
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RnnprepError(f"Cannot read {source} as an rnnprep progress export: {error}. {advice}") from error
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise RnnprepError(f"{source} is not an rnnprep progress export (no \"format\": "
                           f"\"{EXPORT_FORMAT}\"). {advice}")
    version = data.get("version")
    if not isinstance(version, int) or version > EXPORT_VERSION:
        raise RnnprepError(f"{source} is an export of version {version!r}; this rnnprep reads up "
                           f"to version {EXPORT_VERSION}. Upgrade rnnprep to import it.")
    for key, fields, time_key in (("reviews", REVIEW_FIELDS, "reviewed_at"),
                                  ("kata_attempts", KATA_FIELDS, "attempted_at")):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise RnnprepError(f"{source}: \"{key}\" must be a list. {advice}")
        for index, entry in enumerate(entries):
            _check_entry(source, f"{key}[{index}]", entry, fields, time_key)
    for index, review in enumerate(data.get("reviews", [])):  # optional since version 2
        rating, overridden = review.get("rating"), review.get("overridden", False)
        if (rating is not None and (not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 4)) \
                or not isinstance(overridden, bool):  # fmt: skip
            raise RnnprepError(f"{source}: reviews[{index}] has a rating outside 1-4 or a non-boolean "
                               f"\"overridden\" (found {rating!r}, {overridden!r}).")
    return data


def _check_entry(source: Path, where: str, entry: Any, fields: dict[str, tuple[type, ...]],
                 time_key: str) -> None:
    """Raise RnnprepError unless `entry` has every field with the right type and an aware time."""
    if not isinstance(entry, dict):
        raise RnnprepError(f"{source}: {where} must be an object.")
    for name, types in fields.items():
        value = entry.get(name)
        # bool is an int in Python; a count or a rev must not be a bool
        if name not in entry or not isinstance(value, types) or (
                bool not in types and isinstance(value, bool)):
            kinds = " or ".join(t.__name__ for t in types)
            raise RnnprepError(f"{source}: {where}.{name} is missing or not {kinds} "
                               f"(found {value!r}).")
    try:
        moment = datetime.fromisoformat(entry[time_key])
    except ValueError as error:
        raise RnnprepError(f"{source}: {where}.{time_key} is not an ISO 8601 time ({error}).") from error
    if moment.tzinfo is None:
        raise RnnprepError(f"{source}: {where}.{time_key} has no timezone; times are UTC "
                           "like 2025-01-31T08:00:00+00:00.")


def import_progress(store: Store, data: dict[str, Any]) -> ImportSummary:
    """Merge a validated export into the store in one transaction; idempotent."""
    with store.transaction() as conn:
        touched: set[str] = set()
        added_reviews = 0
        for review in data.get("reviews", []):
            cursor = conn.execute(
                "INSERT OR IGNORE INTO reviews (uid, question_id, topic, rev, reviewed_at, answer,"
                " correct, response_time, rating, overridden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (review["uid"], review["question_id"], review["topic"], review["rev"],
                 to_text(from_text(review["reviewed_at"])), review["answer"],
                 int(review["correct"]), float(review["response_time"]),
                 rating_of(review["correct"], review.get("rating")), int(review.get("overridden", False))),
            )
            if cursor.rowcount:
                added_reviews += 1
                touched.add(review["question_id"])
        added_attempts = 0
        for attempt in data.get("kata_attempts", []):
            cursor = conn.execute(
                "INSERT OR IGNORE INTO kata_attempts (uid, kata, attempted_at, passed, seed,"
                " failing_tests, diagnosis) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (attempt["uid"], attempt["kata"], to_text(from_text(attempt["attempted_at"])),
                 int(attempt["passed"]), attempt["seed"], json.dumps(attempt["failing_tests"]),
                 json.dumps(attempt["diagnosis"])),
            )
            added_attempts += cursor.rowcount
        for question_id in sorted(touched):
            store.rebuild_card(question_id)
    return ImportSummary(
        reviews_added=added_reviews,
        reviews_known=len(data.get("reviews", [])) - added_reviews,
        attempts_added=added_attempts,
        attempts_known=len(data.get("kata_attempts", [])) - added_attempts,
    )


def reset_store(path: Path, now: datetime | None = None) -> Path | None:
    """Move the store (and its -wal/-shm companions) aside as `<name>.bak-<UTC time>`; never delete.

    Returns the backup path, or None when there was no store to move.
    """
    companions = ("", "-wal", "-shm")
    if not any(Path(f"{path}{suffix}").exists() for suffix in companions):
        return None
    stamp = utc(now).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    counter = 1
    while any(Path(f"{backup}{suffix}").exists() for suffix in companions):
        backup = path.with_name(f"{path.name}.bak-{stamp}-{counter}")
        counter += 1
    # SQLite finds a WAL by name, so the backup keeps its companions' suffixes and stays openable.
    try:
        for suffix in companions:
            source = Path(f"{path}{suffix}")
            if source.exists():
                source.rename(Path(f"{backup}{suffix}"))
    except OSError as error:
        raise RnnprepError(
            f"Cannot move {path} aside ({error.strerror}): nothing was changed. Make {path.parent} "
            f"writable and try again."
        ) from None
    return backup


def backups(path: Path) -> list[Path]:
    """The store's backups (from `progress reset`), oldest first."""
    return sorted(p for p in path.parent.glob(f"{path.name}.bak-*") if not p.name.endswith(("-wal", "-shm")))


def restore_store(path: Path, backup: Path, now: datetime | None = None) -> Path | None:
    """Put `backup` back as the store; the current store (if any) is moved aside first.

    Returns where the replaced store went (None when there was none).
    """
    if not backup.is_file():
        raise RnnprepError(f"{backup} is not a backup of the progress store. See `rnnprep progress restore --list`.")
    moved = reset_store(path, now)
    try:
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{backup}{suffix}")
            if source.exists():
                source.rename(Path(f"{path}{suffix}"))
    except OSError as error:
        raise RnnprepError(f"Cannot restore {backup} ({error.strerror}). Make {path.parent} writable and try again.") from None
    return moved
