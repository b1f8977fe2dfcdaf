"""`rnnprep quiz`."""

from __future__ import annotations

from pathlib import Path

import click

from rnnprep.bank.model import DIFFICULTIES, TYPES
from rnnprep.cli.app import App, pass_app


@click.command()
@click.option("--topic", "topics", multiple=True, metavar="TOPIC", help="Only this topic (repeatable).")
@click.option("--difficulty", "difficulties", multiple=True, type=click.Choice(DIFFICULTIES), help="Only this difficulty (repeatable).")
@click.option("--type", "types", multiple=True, type=click.Choice(TYPES), help="Only this question type (repeatable).")
@click.option("--id", "ids", multiple=True, metavar="ID", help="Ask exactly this question (repeatable).")
@click.option("-n", "--count", type=click.IntRange(min=1), default=None, help="How many questions (default 10; all with --id).")
@click.option("--seed", type=int, default=None, help="Reproducible selection, order and params.")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=Path), help="Add your own bank file or folder (repeatable).")
@click.option("--new", "mode", flag_value="new", help="Only questions you have never answered.")
@click.option("--review", "mode", flag_value="review", help="Only questions due for review.")
@click.option("--all", "mode", flag_value="all", help="Ignore the review schedule.")
@click.option("--list-topics", is_flag=True, help="List the topics and their question counts, then exit.")
@pass_app
def quiz(app: App, topics: tuple[str, ...], difficulties: tuple[str, ...], types: tuple[str, ...],
         ids: tuple[str, ...], count: int | None, seed: int | None, banks: tuple[Path, ...],
         mode: str | None, list_topics: bool) -> None:
    """Answer interview questions one at a time: graded, explained and scheduled for review.

    Due reviews come first, then new questions. At the prompt, `?` shows a hint,
    `s` skips and `q` stops. Piped input is read one answer per line.

    \b
    Examples:
      rnnprep quiz --topic lstm --difficulty hard -n 5
      rnnprep quiz --id lstm.gates.forget-role
      printf 'a\\nt\\n' | rnnprep quiz --all --seed 1 -n 2
    """
    from rnnprep import quiz as library
    from rnnprep.cli.console import TerminalConsole

    if list_topics:
        for topic, number in library.topic_counts(banks).items():
            click.echo(f"{topic:<16} {number}")
        return
    options = library.QuizOptions(
        filters=library.Filters(topics, difficulties, types, ids),
        count=count if count is not None else (None if ids else 10),
        seed=seed, banks=banks, mode=mode or "default",
    )
    library.run(options, TerminalConsole(app), app.store)
