"""Question banks: find, load and validate the YAML files.

Library API (no click here):
    load_questions(extra=[...])  -> every valid question, or BankError listing all problems
    lint([...])                  -> the problems of the given files (all shipped banks by default)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rnnprep.bank.cache import BankCache
from rnnprep.bank.model import Bank, Choice, ParamSpec, Problem, Question, Tolerance
from rnnprep.errors import BankError

__all__ = [
    "Bank",
    "Choice",
    "ParamSpec",
    "Problem",
    "Question",
    "Tolerance",
    "bank_files",
    "lint",
    "load_questions",
    "shipped_bank_files",
]


def shipped_bank_files() -> list[Path]:
    """The banks that ship with rnnprep, sorted by name."""
    from rnnprep.content import questions_dir

    return sorted(questions_dir().glob("*.yaml"))


def bank_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their *.yaml/*.yml files; files are kept as given.

    A folder without any bank is an error: silently ignoring it hides a typo in --bank.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not inside:
                raise BankError(f"{path} holds no bank (*.yaml or *.yml files). Point --bank at a "
                                f"bank file or at a folder of them.")
            found.extend(inside)
        else:
            found.append(path)
    return found


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the cwd when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_bank(path: Path, cache: BankCache | None = None) -> tuple[Bank | None, list[Problem]]:
    """Load and validate one bank file (through `cache` when given)."""
    shown = _display(path)
    if cache is not None and path.is_file():
        return cache.get_or_compute(path, shown, lambda: read_bank(path))
    if not path.is_file():
        return None, [Problem(shown, 0, None, "no such file")]
    # Imported here: with a warm cache the quiz never needs the YAML parser or the validator.
    from rnnprep.bank.validate import validate_bank
    from rnnprep.bank.yamlines import YamlSyntaxError, load

    try:
        raw = load(path)
    except YamlSyntaxError as error:
        return None, [Problem(shown, error.line, None, str(error))]
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(shown, 0, None, f"cannot read the file: {error}")]
    return validate_bank(raw, shown)


def _read_all(paths: Sequence[Path]) -> tuple[list[Bank], list[Problem]]:
    """Read several banks and add cross-bank problems (duplicate ids, duplicate bank ids)."""
    banks: list[Bank] = []
    problems: list[Problem] = []
    cache = BankCache()
    for path in paths:
        bank, found = read_bank(path, cache)
        problems.extend(found)
        if bank is not None:
            banks.append(bank)
    cache.save()
    first_seen: dict[str, Question] = {}
    for bank in banks:
        for question in bank.questions:
            first = first_seen.setdefault(question.id, question)
            if first is not question and first.source != question.source:
                problems.append(Problem(question.source, question.line, question.id,
                                        f"duplicate id: also defined at {first.where}"))
    return banks, problems


def lint(paths: Sequence[Path] | None = None) -> list[Problem]:
    """Every problem in the given bank files (default: the shipped banks).

    Your banks are checked as the quiz loads them, next to the shipped ones: an id that a
    shipped bank already uses is a problem here too.
    """
    if not paths:
        return _read_all(shipped_bank_files())[1]
    try:
        files = bank_files(paths)
    except BankError as error:
        return [Problem(", ".join(map(str, paths)), 0, None, str(error))]
    shipped = [p for p in shipped_bank_files() if p.resolve() not in {f.resolve() for f in files if f.exists()}]
    mine = {_display(f) for f in files}
    return [p for p in _read_all(shipped + files)[1] if p.path in mine]


def load_questions(extra: Sequence[Path] = (), *, shipped: bool = True) -> list[Question]:
    """All questions of the shipped banks plus `extra` files; BankError if any bank is broken."""
    files = (shipped_bank_files() if shipped else []) + bank_files(extra)
    banks, problems = _read_all(files)
    if problems:
        raise BankError(format_problems(problems))
    return [question for bank in banks for question in bank.questions]


def format_problems(problems: Sequence[Problem]) -> str:
    """One paragraph: how many problems, each on its own line, and what to do."""
    count = len(problems)
    lines = [f"the question banks have {count} problem{'s' if count != 1 else ''}:"]
    lines += [f"  {problem}" for problem in problems]
    lines.append("Fix the lines above (`rnnprep questions lint PATH` re-checks them).")
    return "\n".join(lines)
