"""Load and validate katas/katas.yaml, the one declarative list of katas."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rnnprep.content import katas_dir, solutions_dir
from rnnprep.errors import RnnprepError

FORMAT = 1
DIFFICULTIES = ("easy", "medium", "hard")
MIN_HINTS = 3
REQUIRED = ("name", "title", "level", "difficulty", "topics", "prerequisites", "entry", "hints")


class RegistryError(RnnprepError):
    """katas.yaml is malformed."""


class UnknownKataError(RnnprepError):
    """The user named a kata that does not exist."""


@dataclass(frozen=True)
class Kata:
    """One kata's metadata and where its files live."""

    name: str
    title: str
    level: int
    difficulty: str
    topics: tuple[str, ...]
    prerequisites: tuple[str, ...]
    entry: tuple[str, ...]
    hints: tuple[str, ...]
    katas_root: Path
    solutions_root: Path

    @property
    def folder(self) -> Path:
        """The shipped folder katas/<name>/."""
        return self.katas_root / self.name

    @property
    def starter(self) -> Path:
        """The shipped starter katas/<name>/<name>.py."""
        return self.folder / f"{self.name}.py"

    @property
    def readme(self) -> Path:
        """The shipped instructions katas/<name>/README.md."""
        return self.folder / "README.md"

    @property
    def solution(self) -> Path:
        """The reference solution solutions/<name>.py."""
        return self.solutions_root / f"{self.name}.py"


@dataclass(frozen=True)
class Registry:
    """All katas, in learning-path order (by level)."""

    katas: tuple[Kata, ...]
    path: Path

    def __iter__(self) -> Iterator[Kata]:
        return iter(self.katas)

    def __len__(self) -> int:
        return len(self.katas)

    def names(self) -> list[str]:
        """Kata names in learning-path order."""
        return [kata.name for kata in self.katas]

    def get(self, name: str) -> Kata:
        """The kata called `name`; UnknownKataError with a did-you-mean suggestion otherwise."""
        for kata in self.katas:
            if kata.name == name:
                return kata
        raise UnknownKataError(_unknown_message(name, self.names()))


def _unknown_message(name: str, names: list[str]) -> str:
    """'Unknown kata X. Did you mean Y?' plus where to see the list."""
    close = difflib.get_close_matches(name.lower().replace("-", "_"), names, n=1, cutoff=0.5)
    suggestion = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown kata '{name}'.{suggestion} Run `rnnprep kata list` to see all katas."


def _fail(path: Path, where: str, problem: str) -> RegistryError:
    """A RegistryError naming the file, the entry and the problem."""
    return RegistryError(f"{path}: {where}: {problem}")


def _str_list(path: Path, where: str, entry: dict[str, Any], key: str) -> tuple[str, ...]:
    """entry[key] as a tuple of non-empty strings."""
    value = entry[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, where, f"'{key}' must be a list of non-empty strings, got {value!r}.")
    return tuple(value)


def _parse_entry(
    path: Path, index: int, entry: object, katas_root: Path, solutions_root: Path
) -> Kata:
    """One validated registry entry."""
    where = f"katas[{index}]"
    if not isinstance(entry, dict):
        raise _fail(path, where, "each kata must be a mapping with keys " + ", ".join(REQUIRED) + ".")
    where = f"kata '{entry.get('name', index)}'"
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise _fail(path, where, "missing key(s) " + ", ".join(missing) + ".")
    unknown = sorted(set(entry) - set(REQUIRED))
    if unknown:
        raise _fail(path, where, "unknown key(s) " + ", ".join(unknown) + " (a typo?).")
    name, title, level = entry["name"], entry["title"], entry["level"]
    if not isinstance(name, str) or not name.isidentifier():
        raise _fail(path, where, f"'name' must be a Python identifier (it names a module), got {name!r}.")
    if not isinstance(title, str) or not title.strip():
        raise _fail(path, where, "'title' must be a non-empty string.")
    if not isinstance(level, int) or isinstance(level, bool) or level < 1:
        raise _fail(path, where, f"'level' must be a positive integer, got {level!r}.")
    if entry["difficulty"] not in DIFFICULTIES:
        raise _fail(path, where, f"'difficulty' must be one of {', '.join(DIFFICULTIES)}, got {entry['difficulty']!r}.")
    hints = _str_list(path, where, entry, "hints")
    if len(hints) < MIN_HINTS:
        raise _fail(path, where, f"needs at least {MIN_HINTS} hints, has {len(hints)}.")
    entry_names = _str_list(path, where, entry, "entry")
    if not entry_names:
        raise _fail(path, where, "'entry' must name at least one function or class.")
    return Kata(
        name=name, title=title.strip(), level=level, difficulty=entry["difficulty"],
        topics=_str_list(path, where, entry, "topics"),
        prerequisites=_str_list(path, where, entry, "prerequisites"),
        entry=entry_names, hints=hints, katas_root=katas_root, solutions_root=solutions_root,
    )


def _check_links(path: Path, katas: list[Kata]) -> None:
    """Names and levels unique; prerequisites exist and come earlier on the path."""
    by_name: dict[str, Kata] = {}
    levels: dict[int, str] = {}
    for kata in katas:
        if kata.name in by_name:
            raise _fail(path, f"kata '{kata.name}'", "the name is used twice.")
        if kata.level in levels:
            raise _fail(path, f"kata '{kata.name}'", f"level {kata.level} is already used by '{levels[kata.level]}'.")
        by_name[kata.name] = kata
        levels[kata.level] = kata.name
    for kata in katas:
        for prerequisite in kata.prerequisites:
            other = by_name.get(prerequisite)
            if other is None:
                raise _fail(path, f"kata '{kata.name}'", f"unknown prerequisite '{prerequisite}'.")
            if other.level >= kata.level:
                raise _fail(path, f"kata '{kata.name}'", f"prerequisite '{prerequisite}' must have a lower level.")


def load(path: Path | None = None, solutions_root: Path | None = None) -> Registry:
    """Read and validate a registry (default: the shipped katas/katas.yaml)."""
    import yaml

    path = Path(path) if path is not None else katas_dir() / "katas.yaml"
    solutions_root = solutions_root if solutions_root is not None else solutions_dir()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RegistryError(f"Cannot read the kata registry {path}: {error.strerror}.") from None
    except yaml.YAMLError as error:
        raise RegistryError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("katas"), list):
        raise _fail(path, "top level", f"expected 'format: {FORMAT}' and a 'katas:' list.")
    katas = [_parse_entry(path, i, entry, path.parent, solutions_root) for i, entry in enumerate(data["katas"])]
    _check_links(path, katas)
    return Registry(katas=tuple(sorted(katas, key=lambda kata: kata.level)), path=path)


@cache
def default() -> Registry:
    """The shipped registry, loaded once per process."""
    return load()


def get(name: str) -> Kata:
    """A shipped kata by name; UnknownKataError with a suggestion when there is none."""
    return default().get(name)
