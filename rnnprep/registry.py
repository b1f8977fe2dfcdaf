"""The kata registry: katas/katas.yaml for the shipped katas, plus local kata folders.

Everything rnnprep knows about a kata comes from its entry: the learning path (level,
prerequisites), the contract (entry names, the return signature, the network family and
the kind of contract), the hints, and where its files are. The grader, the diagnosis,
`kata list`, `stats`, notebooks and batch grading all read it from here.

Local katas (written with `rnnprep kata new`) live in their own folders,
``DIR/NAME/{kata.yaml, README.md, NAME.py, solution.py, test_NAME.py, wrong/}``, and are
added with ``RNNPREP_KATAS=DIR1:DIR2`` (or ``--katas-dir``): a DIR may hold kata folders or
be one.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rnnprep.content import katas_dir, solutions_dir
from rnnprep.errors import RnnprepError
from rnnprep.grading.spec import Returns, SignatureError, parse_returns

FORMAT = 1
DIFFICULTIES = ("easy", "medium", "hard")
FAMILIES = ("rnn", "lstm", "gru")  # the recurrent networks the forward-pass diagnosis knows
KINDS = ("cell", "sequence", "class", "dropout", "clipping", "stacked", "packed",
         "classifier", "backward", "truncated", "custom")  # fmt: skip
MIN_HINTS = 3
REQUIRED = ("name", "title", "level", "difficulty", "topics", "prerequisites", "entry", "hints", "returns")
OPTIONAL = ("family", "kind", "equations")  # equations: LaTeX lines, for notebooks
LOCAL_REQUIRED = tuple(k for k in REQUIRED if k != "level")  # a local kata's place: after ours
KATAS_ENV = "RNNPREP_KATAS"
LOCAL_FILE = "kata.yaml"
HIDDEN_PACKAGE = "rnnprep.hidden"


class RegistryError(RnnprepError):
    """katas.yaml (or a local kata.yaml) is malformed."""


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
    returns_text: str
    returns: Returns = field(compare=False)
    family: str | None = None
    kind: str = "custom"
    equations: tuple[str, ...] = ()  # the README's equations in LaTeX (one aligned line each)
    folder: Path = Path()  # katas/<name>/ (shipped) or DIR/<name>/ (local)
    solution: Path = Path()  # solutions/<name>.py (shipped) or DIR/<name>/solution.py
    suite: Path = Path()  # rnnprep/hidden/test_<name>.py (shipped) or DIR/<name>/test_<name>.py
    local: bool = False

    @property
    def starter(self) -> Path:
        """The starter <folder>/<name>.py."""
        return self.folder / f"{self.name}.py"

    @property
    def readme(self) -> Path:
        """The instructions <folder>/README.md."""
        return self.folder / "README.md"

    def instructions(self) -> str:
        """The README without its closing "Check: `rnnprep kata NAME --check`. Next: ..."
        paragraph, for places that check another way (a notebook, an interview)."""
        import re

        text = self.readme.read_text(encoding="utf-8")
        return re.sub(r"\n+Check: `rnnprep kata [^`]+`.*?(?=\n\s*\n|\Z)", "", text, flags=re.S).rstrip() + "\n"

    @property
    def outputs(self) -> tuple[str, ...]:
        """The names of the returned values, in order ('output', 'h_n', 'c_n')."""
        from rnnprep.grading.spec import leaves

        return tuple(leaf.name for leaf in leaves(self.returns))

    @property
    def wrong_fixtures(self) -> Path:
        """A local kata's known-wrong implementations (DIR/<name>/wrong/)."""
        return self.folder / "wrong"


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

    def after(self, name: str) -> Kata | None:
        """The kata that follows `name` on the learning path (None after the last)."""
        names = self.names()
        index = names.index(name)
        return self.katas[index + 1] if index + 1 < len(names) else None


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


def _parse_entry(path: Path, index: int, entry: object, local: bool) -> dict[str, Any]:
    """One validated entry as the keyword arguments of Kata (without the paths)."""
    where = f"katas[{index}]" if not local else "the kata"
    required = LOCAL_REQUIRED if local else REQUIRED
    if not isinstance(entry, dict):
        raise _fail(path, where, "each kata must be a mapping with keys " + ", ".join(REQUIRED) + ".")
    where = f"kata '{entry.get('name', index)}'"
    missing = [key for key in required if key not in entry]
    if missing:
        raise _fail(path, where, "missing key(s) " + ", ".join(missing) + ".")
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _fail(path, where, "unknown key(s) " + ", ".join(unknown) + " (a typo?).")
    name, title, level = entry["name"], entry["title"], entry.get("level", 0)
    if not isinstance(name, str) or not name.isidentifier():
        raise _fail(path, where, f"'name' must be a Python identifier (it names a module), got {name!r}.")
    if not isinstance(title, str) or not title.strip():
        raise _fail(path, where, "'title' must be a non-empty string.")
    if not isinstance(level, int) or isinstance(level, bool) or level < (0 if local else 1):
        raise _fail(path, where, f"'level' must be a positive integer, got {level!r}.")
    if entry["difficulty"] not in DIFFICULTIES:
        raise _fail(path, where, f"'difficulty' must be one of {', '.join(DIFFICULTIES)}, got {entry['difficulty']!r}.")
    hints = _str_list(path, where, entry, "hints")
    if len(hints) < MIN_HINTS:
        raise _fail(path, where, f"needs at least {MIN_HINTS} hints, has {len(hints)}.")
    entry_names = _str_list(path, where, entry, "entry")
    if not entry_names:
        raise _fail(path, where, "'entry' must name at least one function or class.")
    family, kind = entry.get("family"), entry.get("kind", "custom")
    if family is not None and family not in FAMILIES:
        raise _fail(path, where, f"'family' must be one of {', '.join(FAMILIES)} (or left out), got {family!r}.")
    if kind not in KINDS:
        raise _fail(path, where, f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}.")
    if not isinstance(entry["returns"], str):
        raise _fail(path, where, "'returns' must be a return signature such as '(output[B,T,H], h_n[B,H])'.")
    try:
        returns = parse_returns(entry["returns"])
    except SignatureError as error:
        raise _fail(path, where, f"'returns': {error}.") from None
    return dict(
        name=name, title=title.strip(), level=level, difficulty=entry["difficulty"],
        topics=_str_list(path, where, entry, "topics"),
        prerequisites=_str_list(path, where, entry, "prerequisites"),
        entry=entry_names, hints=hints, returns_text=entry["returns"], returns=returns,
        family=family, kind=kind, equations=_str_list(path, where, entry, "equations") if "equations" in entry else (),
    )  # fmt: skip


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


def _read_yaml(path: Path) -> Any:
    """The parsed file, or a RegistryError naming it."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RegistryError(f"Cannot read the kata registry {path}: {error.strerror}.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise RegistryError(f"{path} is not valid YAML: {error}") from None


def hidden_suites_dir() -> Path:
    """rnnprep/hidden/: the shipped hidden pytest suites (never copied to a workspace)."""
    return Path(__file__).with_name("hidden")


def load(path: Path | None = None, solutions_root: Path | None = None,
         local_dirs: Sequence[Path] = ()) -> Registry:  # fmt: skip
    """Read and validate a registry (default: the shipped katas/katas.yaml) plus local katas."""
    path = Path(path) if path is not None else katas_dir() / "katas.yaml"
    solutions_root = solutions_root if solutions_root is not None else solutions_dir()
    data = _read_yaml(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("katas"), list):
        raise _fail(path, "top level", f"expected 'format: {FORMAT}' and a 'katas:' list.")
    katas = []
    for index, raw in enumerate(data["katas"]):
        fields = _parse_entry(path, index, raw, local=False)
        name = fields["name"]
        katas.append(Kata(**fields, folder=path.parent / name, solution=solutions_root / f"{name}.py",
                          suite=hidden_suites_dir() / f"test_{name}.py"))  # fmt: skip
    last = max((k.level for k in katas), default=0)
    for index, folder in enumerate(local_kata_folders(local_dirs)):
        katas.append(_local_kata(folder, last + 1 + index))
    _check_links(path, katas)
    return Registry(katas=tuple(sorted(katas, key=lambda kata: kata.level)), path=path)


def local_kata_folders(dirs: Sequence[Path]) -> list[Path]:
    """Every folder holding a kata.yaml: each DIR itself, or its direct subfolders."""
    found: list[Path] = []
    for directory in dirs:
        directory = Path(directory).expanduser()
        if not directory.is_dir():
            raise RegistryError(
                f"{KATAS_ENV} / --katas-dir names {directory}, which is not a folder. Point it at "
                f"a folder made by `rnnprep kata new NAME --dir DIR` (or at DIR itself)."
            )
        if (directory / LOCAL_FILE).is_file():
            found.append(directory)
            continue
        found += sorted(p for p in directory.iterdir() if (p / LOCAL_FILE).is_file())
    return found


def _local_kata(folder: Path, default_level: int) -> Kata:
    """A local kata from DIR/NAME/kata.yaml; its files sit beside it."""
    path = folder / LOCAL_FILE
    fields = _parse_entry(path, 0, _read_yaml(path), local=True)
    if fields["name"] != folder.name:
        raise _fail(path, f"kata '{fields['name']}'", f"the name must match its folder '{folder.name}'.")
    fields["level"] = fields["level"] or default_level
    return Kata(**fields, folder=folder, solution=folder / "solution.py",
                suite=folder / f"test_{fields['name']}.py", local=True)  # fmt: skip


def local_dirs_from_env() -> list[Path]:
    """The folders named by RNNPREP_KATAS (os.pathsep-separated)."""
    value = os.environ.get(KATAS_ENV, "")
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]


@cache
def _default(local: tuple[Path, ...]) -> Registry:
    """The shipped registry plus these local folders, loaded once per process."""
    return load(local_dirs=local)


def default(extra_dirs: Sequence[Path] = ()) -> Registry:
    """The shipped katas plus RNNPREP_KATAS and `extra_dirs` (e.g. --katas-dir)."""
    return _default(tuple([*local_dirs_from_env(), *map(Path, extra_dirs)]))


def get(name: str, extra_dirs: Sequence[Path] = ()) -> Kata:
    """A kata by name; UnknownKataError with a suggestion when there is none."""
    return default(extra_dirs).get(name)
