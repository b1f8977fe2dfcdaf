"""`rnnprep interview`: a timed mock interview with a report, and the history of past ones."""

from __future__ import annotations

from pathlib import Path

import click

from rnnprep.cli.app import App, pass_app
from rnnprep.cli.kata import WORKSPACE_HELP, katas_dir_option
from rnnprep.interview.levels import LEVELS


@click.command()
@click.option("--minutes", type=click.FloatRange(5, 240), default=30, show_default=True,
              help="The length of the interview; every section scales with it.")  # fmt: skip
@click.option("--level", type=click.Choice(list(LEVELS)), default="mid", show_default=True,
              help="The difficulty mix and the pool of katas.")  # fmt: skip
@click.option("--topic", "topics", multiple=True, metavar="TOPIC", help="Only questions of this topic (repeatable).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="The same questions and kata again.")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), help=WORKSPACE_HELP)
@click.option("--history", "show_history", is_flag=True, help="List past interviews with their scores.")
@click.option("--show", "show_number", type=click.IntRange(min=1), metavar="N", help="Print the report of interview N (see --history).")
@katas_dir_option
@pass_app
def interview(app: App, minutes: float, level: str, topics: tuple[str, ...], seed: int | None, workspace: Path | None,
              show_history: bool, show_number: int | None, katas_dirs: tuple[Path, ...]) -> None:  # fmt: skip
    """A mock interview: warm-up questions that adapt to you, 'explain...' questions, a kata
    against the clock, then a report of what to study next (saved under your data folder).

    At the coding step, edit the file it names (each save is checked) and type `submit` or
    `skip`. Piped input is read one line at a time: answers, key points like `1,3`, then
    `submit`, `submit PATH` or `skip`. Ctrl-C ends early with a partial report (exit 130).

    \b
    Examples:
      rnnprep interview --minutes 45 --level senior
      rnnprep interview --topic lstm --topic gru --level junior
      rnnprep interview --history
      rnnprep interview --show 3
    """
    from rnnprep import interview as library

    if show_history or show_number is not None:
        _history(app, show_history, show_number)
        return
    _check_topics(topics)
    from rnnprep.cli.console import TerminalConsole
    from rnnprep.kata.workspace import resolve_workspace

    options = library.InterviewOptions(minutes=minutes, level=level, topics=topics, seed=seed)
    record, _, _ = library.run(options, TerminalConsole(app), app.store, resolve_workspace(workspace), app.home,
                               katas_dirs=katas_dirs)  # fmt: skip
    if record.ended_early and "Ctrl-C" in record.ended_early:
        raise SystemExit(130)


def _history(app: App, show_history: bool, show_number: int | None) -> None:
    from rnnprep import interview as library

    if show_history and show_number is not None:
        raise click.UsageError("--history lists the interviews; --show N prints one. Use one of them.")
    if show_history:
        for line in library.history_lines(library.history(app.home)):
            click.echo(line)
        return
    assert show_number is not None
    click.echo(library.report_path(app.home, show_number).read_text(encoding="utf-8").rstrip())


def _check_topics(topics: tuple[str, ...]) -> None:
    """Unknown topics are a usage error naming the known ones."""
    if not topics:
        return
    from rnnprep.quiz import topic_counts

    known = topic_counts()
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise click.BadParameter(f"unknown topic {', '.join(unknown)}; known: {', '.join(sorted(known))}.",
                                 param_hint="--topic")  # fmt: skip
