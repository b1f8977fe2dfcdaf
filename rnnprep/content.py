"""Locate the content that ships with rnnprep: question banks, katas and reference solutions.

In an installed wheel the trees live under ``rnnprep/_content`` (hatch force-include);
in a checkout (editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def content_root() -> Path:
    """The folder holding questions/, katas/ and solutions/."""
    package_dir = Path(str(files("rnnprep")))
    packaged = package_dir / "_content"
    if (packaged / "questions").is_dir():
        return packaged
    return package_dir.parent


def questions_dir() -> Path:
    """The shipped question banks."""
    return content_root() / "questions"


def katas_dir() -> Path:
    """The shipped kata starters, instructions and the katas.yaml registry."""
    return content_root() / "katas"


def solutions_dir() -> Path:
    """The shipped reference solutions."""
    return content_root() / "solutions"
