"""The quiz's Console on a real terminal or a pipe."""

from __future__ import annotations

import click

from rnnprep.cli.app import App


class TerminalConsole:
    """Prints with click; reads a line at a time (a pipe works too, one answer per line)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.stdin = click.get_text_stream("stdin")

    def show(self, text: str = "") -> None:
        click.echo(text)

    def read(self, prompt: str) -> str | None:
        click.echo(prompt, nl=False)
        try:
            line = self.stdin.readline()
        except KeyboardInterrupt:
            click.echo()
            return None
        if not line:  # end of input
            click.echo()
            return None
        if not self.stdin.isatty():
            click.echo(line.rstrip("\n"))  # echo piped answers so transcripts read naturally
        return line.rstrip("\r\n")

    def style(self, text: str, **styles: object) -> str:
        return self.app.style(text, **styles)
