"""Where the user's kata files live, and copying or restoring starters without losing work.

The user's file for kata NAME is ``<workspace>/katas/NAME/NAME.py``; the workspace is
``--workspace``, else ``$RNNPREP_WORKSPACE``, else the current directory. In a clone of the
repository that file is the shipped starter itself, edited in place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rnnprep.errors import RnnprepError
from rnnprep.registry import Kata

WORKSPACE_ENV = "RNNPREP_WORKSPACE"


def resolve_workspace(workspace: Path | None = None) -> Path:
    """The workspace folder: the argument, else $RNNPREP_WORKSPACE, else the current directory."""
    if workspace is not None:
        folder, source = Path(workspace).expanduser(), "--workspace"
    else:
        env = os.environ.get(WORKSPACE_ENV)
        folder, source = (Path(env).expanduser(), WORKSPACE_ENV) if env else (Path.cwd(), "")
    if folder.exists() and not folder.is_dir():
        raise RnnprepError(
            f"{source} points at {folder}, which is a file, not a folder. The workspace is the "
            f"folder that holds katas/NAME/NAME.py: point {source} at a folder."
        )
    return folder


def kata_folder(kata: Kata, workspace: Path | None = None) -> Path:
    """<workspace>/katas/<name>/."""
    return resolve_workspace(workspace) / "katas" / kata.name


def user_file(kata: Kata, workspace: Path | None = None, file: Path | None = None) -> Path:
    """The file to grade: `file` when given, else <workspace>/katas/<name>/<name>.py."""
    if file is not None:
        return Path(file).expanduser()
    return kata_folder(kata, workspace) / f"{kata.name}.py"


def existing_user_file(kata: Kata, workspace: Path | None = None, file: Path | None = None) -> Path:
    """user_file(), or a RnnprepError saying how to get one when it does not exist."""
    path = user_file(kata, workspace, file)
    if path.is_file():
        return path
    if file is not None:
        raise RnnprepError(f"--file {path}: no such file.")
    raise RnnprepError(
        f"No file for kata '{kata.name}' at {path}. Run `rnnprep kata start {kata.name}` to copy "
        f"the starter there, or pass --workspace DIR (or set {WORKSPACE_ENV}) to point at your "
        "workspace, or --file PATH to grade another file."
    )


@dataclass
class StartReport:
    """What `start` did: files copied, and files left alone because they already existed."""

    folder: Path
    copied: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def start(kata: Kata, workspace: Path | None = None) -> StartReport:
    """Copy the starter and README into the workspace, never overwriting an existing file."""
    folder = kata_folder(kata, workspace)
    report = StartReport(folder=folder)
    for source in (kata.starter, kata.readme):
        target = folder / source.name
        if _same_file(source, target) or target.exists():
            report.kept.append(target)
            continue
        with _writing(folder):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        report.copied.append(target)
    return report


@contextmanager
def _writing(folder: Path) -> Iterator[None]:
    """File operations in `folder`; a RnnprepError naming it when it cannot be written."""
    try:
        yield
    except OSError as error:
        raise RnnprepError(
            f"Cannot write to {folder} ({error.strerror}). Choose a folder you can write to with "
            f"--workspace DIR (or RNNPREP_WORKSPACE), or make this one writable."
        ) from None


def backup(path: Path, now: datetime | None = None) -> Path:
    """Copy `path` to <path>.bak-<timestamp> (a fresh name, never overwriting) and return it."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.bak-{stamp}-{counter}")
        counter += 1
    shutil.copy2(path, target)
    return target


def reset(kata: Kata, path: Path, now: datetime | None = None, *, create_folder: bool = True) -> Path | None:
    """Restore the starter at `path`, first backing the user's file up; returns the backup.

    The README comes along when it is missing beside the file. With ``create_folder=False``
    (an explicit --file) a missing folder is an error rather than created.
    """
    if not path.parent.is_dir() and not create_folder:
        raise RnnprepError(
            f"--file {path}: the folder {path.parent} does not exist, so there is nothing to reset. "
            f"Check the path, or use `rnnprep kata start {kata.name}` to make the usual one."
        )
    pristine = pristine_starter(kata)

    def write() -> Path | None:
        saved = backup(path, now) if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pristine, encoding="utf-8")
        readme = path.parent / kata.readme.name
        if path.name == kata.starter.name and kata.readme.is_file() and not readme.exists() and not _same_file(kata.readme, readme):
            shutil.copyfile(kata.readme, readme)
        return saved

    try:
        return write()
    except OSError as error:
        raise RnnprepError(
            f"Cannot write the starter to {path} ({error.strerror}); your file is untouched. "
            f"Make {path.parent} writable, or reset a copy elsewhere with --file."
        ) from None


def pristine_starter(kata: Kata) -> str:
    """The starter's original text; in a checkout the shipped file may be the user's own work."""
    if not _is_git_checkout(kata.starter):
        return kata.starter.read_text(encoding="utf-8")
    try:  # read-only: the committed version of the starter
        text = subprocess.run(
            ["git", "show", f"HEAD:./{kata.starter.name}"], cwd=kata.starter.parent,
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        text = ""
    if not text:
        # Not committed yet (or git unavailable): the file on disk is the only starter there is.
        return kata.starter.read_text(encoding="utf-8")
    return text


def _is_git_checkout(path: Path) -> bool:
    """True when `path` sits in a git work tree (a clone of rnnprep, editing starters in place)."""
    return any((parent / ".git").exists() for parent in path.resolve().parents)


def _same_file(a: Path, b: Path) -> bool:
    """True when both paths exist and are the same file."""
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False
