"""The progress store's SQLite schema, its version history and the checks made on opening.

The schema version lives in ``PRAGMA user_version`` and the file is stamped with
``PRAGMA application_id`` so a foreign SQLite file is recognised as such. Migrations
are append-only: ``MIGRATIONS[i]`` takes a file from version ``i`` to ``i + 1``;
never edit a released one, add the next.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rnnprep.errors import StoreError

# "RNNP" in ASCII: identifies an rnnprep progress file among SQLite files.
APPLICATION_ID = 0x524E4E50

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: answers and per-question FSRS state.
    f"""
    PRAGMA application_id = {APPLICATION_ID};
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        question_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        rev INTEGER NOT NULL,
        reviewed_at TEXT NOT NULL,
        answer TEXT NOT NULL,
        correct INTEGER NOT NULL,
        response_time REAL NOT NULL
    );
    CREATE INDEX reviews_by_question ON reviews (question_id, reviewed_at);
    CREATE TABLE cards (
        question_id TEXT PRIMARY KEY,
        topic TEXT NOT NULL,
        rev INTEGER NOT NULL,
        state INTEGER NOT NULL,
        step INTEGER,
        stability REAL,
        difficulty REAL,
        due TEXT NOT NULL,
        last_review TEXT
    );
    """,
    # 1 -> 2: a stable uid per review (idempotent import) and kata attempts.
    """
    ALTER TABLE reviews ADD COLUMN uid TEXT;
    UPDATE reviews SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL;
    CREATE UNIQUE INDEX reviews_by_uid ON reviews (uid);
    CREATE INDEX cards_by_due ON cards (due);
    CREATE TABLE kata_attempts (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        kata TEXT NOT NULL,
        attempted_at TEXT NOT NULL,
        passed INTEGER NOT NULL,
        seed INTEGER,
        failing_tests TEXT NOT NULL,
        diagnosis TEXT NOT NULL
    );
    CREATE INDEX kata_attempts_by_kata ON kata_attempts (kata, attempted_at);
    """,
    # 2 -> 3: the FSRS rating of each answer (Again 1 .. Easy 4) and "I was right" overrides.
    """
    ALTER TABLE reviews ADD COLUMN rating INTEGER;
    UPDATE reviews SET rating = CASE correct WHEN 1 THEN 3 ELSE 1 END WHERE rating IS NULL;
    ALTER TABLE reviews ADD COLUMN overridden INTEGER NOT NULL DEFAULT 0;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

BUSY_TIMEOUT_SECONDS = 10.0


RESET_ADVICE = (
    "Run `rnnprep progress reset` to move it aside (it is kept as a .bak file, "
    "never deleted) and start a fresh one; `rnnprep progress restore` brings back an "
    "earlier backup."
)


def _unusable(path: Path, why: str, advice: str = RESET_ADVICE) -> StoreError:
    """The one-paragraph error shown when the progress file cannot be used."""
    return StoreError(f"The progress store {path} {why}, so rnnprep cannot use it. {advice}")


def access_advice(path: Path) -> str:
    """What to check when the file is fine but cannot be written now."""
    return (f"Check that you can write to {path.parent} and that no other program keeps the "
            "file locked, or set RNNPREP_HOME to another data directory.")


def _folder_problem(path: Path) -> StoreError | None:
    """A clear error when the data folder is a file or cannot be created, or the store a folder."""
    if path.is_dir():
        return _unusable(path, "is a folder, not a file")
    folder = path.parent
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            return StoreError(
                f"The progress store belongs in {folder}, but {parent} is a file, not a folder. "
                f"Point RNNPREP_HOME at a folder (or unset it to use the default place)."
            )
        if parent.exists():
            break
    return None


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed), check and migrate the store at `path`; StoreError if unusable."""
    problem = _folder_problem(path)
    if problem is not None:
        raise problem
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so each write is one
        # short transaction that waits for the lock instead of failing on a stale snapshot.
        # check_same_thread=False: a watch or an interview records a check from its watching
        # thread; those callers take turns (one check at a time), and SQLite itself is built
        # serialized (sqlite3.threadsafety == 3).
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as error:
        raise _unusable(path, f"cannot be opened ({getattr(error, 'strerror', None) or error})",
                        access_advice(path)) from error  # fmt: skip
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # an answer, once committed, survives a crash
        check_integrity(conn, path)
        _migrate(conn, path)
    except StoreError:
        conn.close()
        raise
    except sqlite3.OperationalError as error:  # locked, read-only, disk full: the file may be fine
        conn.close()
        raise _unusable(path, f"cannot be opened for writing ({error})", access_advice(path)) from error
    except sqlite3.DatabaseError as error:
        conn.close()
        raise _unusable(path, f"is not a valid rnnprep database ({error})") from error
    return conn


def connect_for_reading(path: Path) -> sqlite3.Connection:
    """A private in-memory copy of the store, checked and migrated: `stats` and `export` work
    on a read-only file or folder, and on a store written by an older rnnprep, without
    changing it. A missing store reads as an empty one."""
    problem = _folder_problem(path)
    if problem is not None:
        raise problem
    memory = sqlite3.connect(":memory:", isolation_level=None)
    if path.exists():
        try:
            _copy_into(path, memory)
        except StoreError:
            memory.close()
            raise
        except sqlite3.DatabaseError as error:
            memory.close()
            raise _unusable(path, f"cannot be read ({error})", access_advice(path)) from error
    try:
        _migrate(memory, path)
    except BaseException:
        memory.close()
        raise
    return memory


def _copy_into(path: Path, memory: sqlite3.Connection) -> None:
    """Copy the file into `memory`. A reader of a WAL database normally writes a -shm file
    beside it; in a read-only folder that is impossible, so the file is then read as
    immutable (answers still in an un-checkpointed WAL would not show, which only happens
    while another rnnprep is writing)."""
    uri = path.resolve().as_uri()
    for options in ("mode=ro", "mode=ro&immutable=1"):
        source = sqlite3.connect(f"{uri}?{options}", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            source.close()
            continue
        except sqlite3.DatabaseError as error:  # not an SQLite file at all
            source.close()
            raise _unusable(path, f"is not a valid rnnprep database ({error})") from error
        try:
            check_integrity(source, path)
            source.backup(memory)
            return
        finally:
            source.close()
    raise _unusable(path, "cannot be read (not even read-only)", access_advice(path))


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """A damaged file (a disk error, a partial copy) is found now, before anything is asked."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as error:
        raise _unusable(path, f"is damaged ({error})") from error
    if rows != [("ok",)]:
        detail = "; ".join(str(row[0]) for row in rows[:3])
        raise _unusable(path, f"is damaged ({detail})")


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the file to SCHEMA_VERSION in one transaction, refusing foreign or newer files."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and (app_id != 0 or tables):
            raise _unusable(path, "is an SQLite file but not an rnnprep progress store")
        if version > SCHEMA_VERSION:
            raise _unusable(
                path,
                f"was written by a newer rnnprep (schema {version}; this one reads up to "
                f"{SCHEMA_VERSION})",
                "Upgrade rnnprep (pip install -U rnnprep) to keep using it, or run "
                "`rnnprep progress reset` to move it aside (kept as a .bak file) and start afresh.",
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _statements(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit our transaction)."""
    return [part.strip() for part in script.split(";") if part.strip()]
