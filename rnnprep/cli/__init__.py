"""The `rnnprep` command line: a thin layer that turns options into library calls.

Sub-commands are imported only when invoked, so `rnnprep --version` and the quiz
start without loading numpy or torch.
"""

from __future__ import annotations

import importlib
import sys

import click

from rnnprep import __version__
from rnnprep.cli.app import App
from rnnprep.errors import RnnprepError

# name -> "module:attribute"; each module holds one command or command group.
COMMANDS: dict[str, str] = {
    "quiz": "rnnprep.cli.quiz:quiz",
    "questions": "rnnprep.cli.questions:questions",
    "kata": "rnnprep.cli.kata:kata",
    "stats": "rnnprep.cli.stats:stats",
    "progress": "rnnprep.cli.progress:progress",
    "grade": "rnnprep.cli.grade:grade",
    "explore": "rnnprep.cli.explore:explore_command",
    "interview": "rnnprep.cli.interview:interview",
}

SHORT_HELP: dict[str, str] = {
    "quiz": "Answer interview questions; graded, explained and scheduled.",
    "questions": "Lint, count or export the question banks (Anki, Markdown).",
    "kata": "Implement RNN/LSTM/GRU in NumPy, graded against torch.",
    "stats": "Where you stand: accuracy, due reviews, kata status.",
    "progress": "Export, import or reset your saved progress.",
    "grade": "Grade a class's submissions of a kata: gradebook and class report.",
    "explore": "Plot what the questions explain: vanishing gradients, gates, clipping, dropout.",
    "interview": "A timed mock interview: questions, a kata, a report of what to study.",
}


class UserError(click.ClickException):
    """A RnnprepError on its way out through click."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def invoke(self, ctx: click.Context) -> object:
        """Show RnnprepError as a one-paragraph message with its exit code, never a traceback."""
        try:
            return super().invoke(ctx)
        except RnnprepError as error:
            raise UserError(str(error), error.exit_code) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing help must not import every command (and with it numpy/torch).
        with formatter.section("Commands"):
            formatter.write_dl([(name, SHORT_HELP[name]) for name in COMMANDS])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="rnnprep")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Prepare for machine-learning interviews on recurrent networks.

    \b
    Examples:
      rnnprep quiz --topic lstm -n 10
      rnnprep kata list
      rnnprep kata lstm --check
    """
    ctx.obj = App()


def main(argv: list[str] | None = None) -> None:
    """Entry point for the `rnnprep` script and `python -m rnnprep`."""
    try:
        cli.main(args=argv, prog_name="rnnprep")
    except BrokenPipeError:  # `rnnprep ... | head` closed the pipe: not an error worth a traceback
        sys.exit(1)
    except SystemExit as done:
        if argv is None and "torch" in sys.modules:
            _exit_now(done.code)
        raise


def _exit_now(code: object) -> None:
    """End the process without tearing torch down (~0.4 s of a check's 1 s).

    Only for a real command-line run (not a test calling main(argv)): every answer and attempt
    is already committed to the store, so flushing the streams is all that is left to do.
    """
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
