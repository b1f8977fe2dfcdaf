"""Find the submissions a batch grades, in every layout a course or a platform exports.

Each PATH given to ``rnnprep grade KATA PATH...`` is one of:

- a submission file ``alice.py``: the submission is named after the file (``alice``);
- a folder of submissions, one ``.py`` per person (``alice.py``, ``bob.py``);
- a folder of folders, one per person, each holding ``KATA.py`` or ``katas/KATA/KATA.py``
  (a person's whole rnnprep workspace); the submission is named after the folder;
- a ``.zip`` of any of these, read in memory (never extracted), with or without one
  top-level folder around everything.

Nothing here raises for a bad submission: a file that cannot be read, a folder without the
kata's file, a path that does not exist, a zip that is not one, each becomes a Submission
with a ``problem`` and is reported as ungraded.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_SOURCE_BYTES = 1 << 20  # a kata is a page of code; anything larger is not a submission


@dataclass(frozen=True)
class Submission:
    """One person's file: its name, where it came from, and its text or why it has none."""

    name: str
    origin: str  # a path, or "archive.zip:folder/alice.py"
    source: str | None = None
    problem: str | None = None


def collect(kata: str, paths: Iterable[Path]) -> list[Submission]:
    """Every submission under `paths`, named uniquely, in a stable order (by name)."""
    found: list[Submission] = []
    for path in paths:
        found += _from_path(kata, Path(path))
    return sorted(_unique(found), key=lambda s: (s.name, s.origin))


def in_shard(name: str, index: int, count: int) -> bool:
    """Whether a submission belongs to shard `index` (1-based) of `count`.

    A hash of the name decides, so every machine agrees without coordination and a
    submission stays in its shard when others are added or removed.
    """
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


# --- files and folders ----------------------------------------------------------------------------


def _from_path(kata: str, path: Path) -> list[Submission]:
    if path.is_dir():
        return _from_folder(kata, path)
    if path.suffix == ".zip":
        return _from_zip(kata, path)
    if path.suffix == ".py" or path.is_file():
        return [_read(path.stem, path)]
    return [Submission(path.stem or str(path), str(path), problem=f"{path} does not exist.")]


def _from_folder(kata: str, folder: Path) -> list[Submission]:
    """A folder of .py files and/or of per-person folders."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        return [Submission(folder.name, str(folder), problem=f"cannot list {folder}: {error.strerror or error}")]
    found = [_read(entry.stem, entry) for entry in entries if entry.suffix == ".py" and not entry.is_dir()]
    for person in entries:
        if person.is_dir() and not person.name.startswith((".", "__")):
            found.append(_from_person(kata, person))
    if not found:
        found.append(Submission(folder.name, str(folder), problem=_nothing_found(kata, str(folder))))
    return found


def _from_person(kata: str, folder: Path) -> Submission:
    """One person's folder: KATA.py, else katas/KATA/KATA.py."""
    for candidate in (folder / f"{kata}.py", folder / "katas" / kata / f"{kata}.py"):
        if candidate.is_file():
            return _read(folder.name, candidate)
    return Submission(folder.name, str(folder), problem=f"no {kata}.py or katas/{kata}/{kata}.py in {folder}.")


def _read(name: str, path: Path) -> Submission:
    """A submission file's text, or the reason it cannot be graded."""
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return Submission(name, str(path), problem=f"{path} is larger than {MAX_SOURCE_BYTES // 1024} KiB.")
        data = path.read_bytes()
    except OSError as error:
        return Submission(name, str(path), problem=f"cannot read {path}: {error.strerror or error}.")
    return _decoded(name, str(path), data)


def _decoded(name: str, origin: str, data: bytes) -> Submission:
    try:
        return Submission(name, origin, source=data.decode("utf-8"))
    except UnicodeDecodeError:
        return Submission(name, origin, problem=f"{origin} is not UTF-8 text.")


def _nothing_found(kata: str, where: str) -> str:
    return f"no submission in {where}: expected NAME.py files, or folders holding {kata}.py or katas/{kata}/{kata}.py."


# --- zip archives --------------------------------------------------------------------------------


def _from_zip(kata: str, archive: Path) -> list[Submission]:
    """The same layouts inside a zip, read member by member in memory."""
    try:
        with zipfile.ZipFile(archive) as opened:
            members = {PurePosixPath(info.filename): info for info in opened.infolist() if not info.is_dir()}
            members = {path: info for path, info in members.items() if _usable(path)}
            root = _common_folder(list(members))
            found = _zip_layout(kata, archive, opened, members, root)
    except (OSError, zipfile.BadZipFile) as error:
        return [Submission(archive.stem, str(archive), problem=f"cannot open {archive} as a zip: {error}.")]
    return found or [Submission(archive.stem, str(archive), problem=_nothing_found(kata, str(archive)))]


def _usable(path: PurePosixPath) -> bool:
    """A member worth looking at: no absolute paths, '..', macOS resource forks or hidden files."""
    return not path.is_absolute() and ".." not in path.parts and not any(
        part.startswith((".", "__MACOSX")) for part in path.parts)  # fmt: skip


def _common_folder(paths: list[PurePosixPath]) -> PurePosixPath:
    """The one folder every member sits in (an export's wrapper), or the archive's root."""
    tops = {path.parts[0] for path in paths if len(path.parts) > 1}
    if len(tops) == 1 and all(len(path.parts) > 1 for path in paths):
        return PurePosixPath(tops.pop())
    return PurePosixPath()


def _zip_layout(kata: str, archive: Path, opened: zipfile.ZipFile,
                members: dict[PurePosixPath, zipfile.ZipInfo], root: PurePosixPath) -> list[Submission]:  # fmt: skip
    """Loose .py files at the root are submissions; each folder at the root is a person."""
    found: list[Submission] = []
    people: set[str] = set()
    for path in members:
        inner = path.relative_to(root)
        if len(inner.parts) == 1 and inner.suffix == ".py":
            found.append(_read_member(inner.stem, archive, opened, members[path]))
        elif len(inner.parts) > 1:
            people.add(inner.parts[0])
    for person in sorted(people):
        wanted = [root / person / f"{kata}.py", root / person / "katas" / kata / f"{kata}.py"]
        chosen = next((p for p in wanted if p in members), None)
        if chosen is None:
            where = f"{archive}:{root / person}"
            found.append(Submission(person, where, problem=f"no {kata}.py or katas/{kata}/{kata}.py in {where}."))
        else:
            found.append(_read_member(person, archive, opened, members[chosen]))
    return found


def _read_member(name: str, archive: Path, opened: zipfile.ZipFile, info: zipfile.ZipInfo) -> Submission:
    origin = f"{archive}:{info.filename}"
    if info.file_size > MAX_SOURCE_BYTES:
        return Submission(name, origin, problem=f"{origin} is larger than {MAX_SOURCE_BYTES // 1024} KiB.")
    try:
        with opened.open(info) as member:
            data = member.read(MAX_SOURCE_BYTES + 1)  # a forged size cannot make us read more
    except (OSError, zipfile.BadZipFile, RuntimeError) as error:  # RuntimeError: encrypted
        return Submission(name, origin, problem=f"cannot read {origin}: {error}.")
    if len(data) > MAX_SOURCE_BYTES:
        return Submission(name, origin, problem=f"{origin} is larger than {MAX_SOURCE_BYTES // 1024} KiB.")
    return _decoded(name, origin, data)


def _unique(found: list[Submission]) -> list[Submission]:
    """Names made unique: a second 'alice' becomes 'alice (2)', and so on."""
    seen: dict[str, int] = {}
    unique = []
    for submission in sorted(found, key=lambda s: (s.name, s.origin)):
        count = seen[submission.name] = seen.get(submission.name, 0) + 1
        if count > 1:
            submission = Submission(f"{submission.name} ({count})", submission.origin, submission.source, submission.problem)
        unique.append(submission)
    return unique
