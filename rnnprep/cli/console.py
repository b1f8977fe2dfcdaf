"""The quiz's Console on a real terminal or a pipe."""

from __future__ import annotations

import contextlib
import sys

import click

from rnnprep.cli.app import App
from rnnprep.cli.wrapping import wrap


class TerminalConsole:
    """Prints with click; reads a line at a time (a pipe works too, one answer per line).

    On a terminal the prompt has line editing and history (readline), and text is wrapped to
    the terminal's width; a pipe gets neither, so transcripts stay stable.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self.stdin = sys.stdin  # CliRunner swaps sys.stdin too
        self.interactive = bool(self.stdin.isatty() and sys.stdout.isatty())
        if self.interactive:
            with contextlib.suppress(ImportError):  # Windows: plain input() still works
                import readline  # noqa: F401  (input() gains line editing and history)

    def width(self) -> int | None:
        """The terminal's width, or None when output is not a terminal."""
        return self.app.width if self.interactive else None

    def show(self, text: str = "") -> None:
        click.echo(wrap(text, self.width()))

    def read(self, prompt: str) -> str | None:
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                click.echo()
                return None
        click.echo(prompt, nl=False)
        line = self.stdin.readline()
        if not line:  # end of input
            click.echo()
            return None
        click.echo(line.rstrip("\n"))  # echo piped answers so transcripts read naturally
        return line.rstrip("\r\n")

    def style(self, text: str, **styles: object) -> str:
        return self.app.style(text, **styles)
