"""Shared CLI state: one App object on the click context."""

from __future__ import annotations

import os
import shutil
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rnnprep.store import Store


class App:
    """What every command may need: where data lives, the store, whether to colour output."""

    def __init__(self, home: Path | None = None) -> None:
        self._home = home

    @cached_property
    def home(self) -> Path:
        """The data directory: RNNPREP_HOME, else the platform's user data dir."""
        from rnnprep.paths import data_home

        return self._home if self._home is not None else data_home()

    @cached_property
    def store(self) -> Store:
        """The progress store, opened (checked, migrated) on first use."""
        from rnnprep.store import STORE_FILENAME, Store

        return Store.open(self.home / STORE_FILENAME)

    @cached_property
    def reading_store(self) -> Store:
        """A read-only view of the store, for commands that only read (stats, export, status)."""
        from rnnprep.store import STORE_FILENAME, Store

        return Store.open_for_reading(self.home / STORE_FILENAME)

    @property
    def store_to_read(self) -> Store:
        """The open store when this command has written to it, else the read-only view."""
        opened = self.__dict__.get("store")  # set once `store` was used
        return opened if opened is not None else self.reading_store

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never when NO_COLOR is set."""
        return stdout_is_terminal() and not os.environ.get("NO_COLOR")

    def style(self, text: str, **styles: object) -> str:
        """click.style when colour is on, plain text otherwise."""
        return click.style(text, **styles) if self.color else text  # type: ignore[arg-type]

    @property
    def width(self) -> int | None:
        """The terminal's width to wrap to, or None when output is not a terminal."""
        if not stdout_is_terminal():
            return None
        return max(40, shutil.get_terminal_size((100, 24)).columns - 1)

    def echo(self, text: str = "", err: bool = False) -> None:
        """click.echo, wrapped to the terminal's width (a pipe gets the text as it is)."""
        from rnnprep.cli.wrapping import wrap

        click.echo(wrap(text, self.width), err=err)


def stdout_is_terminal() -> bool:
    """True when output goes to a terminal (tests patch this to exercise colour)."""
    return sys.stdout.isatty()


pass_app = click.make_pass_decorator(App)
