"""`rnnprep quiz`."""

from __future__ import annotations

from pathlib import Path

import click

from rnnprep.bank.model import DIFFICULTIES
from rnnprep.bank.types import TYPES
from rnnprep.cli.app import App, pass_app
from rnnprep.quiz import NEW_PER_DAY


@click.command()
@click.option("--topic", "topics", multiple=True, metavar="TOPIC", help="Only this topic (repeatable).")
@click.option("--difficulty", "difficulties", multiple=True, type=click.Choice(DIFFICULTIES), help="Only this difficulty (repeatable).")
@click.option("--type", "types", multiple=True, type=click.Choice(list(TYPES)), help="Only this question type (repeatable).")
@click.option("--id", "ids", multiple=True, metavar="ID", help="Ask exactly this question (repeatable).")
@click.option("-n", "--count", type=click.IntRange(min=1), default=None, help="How many questions (default 10; all with --id).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Reproducible selection, order, choices and params.")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=Path), help="Add your own bank file or folder (repeatable).")
@click.option("--new", "new", is_flag=True, help="Only questions you have never answered.")
@click.option("--review", "review", is_flag=True, help="Only questions due for review.")
@click.option("--all", "everything", is_flag=True, help="Ignore the review schedule.")
@click.option("--new-per-day", type=click.IntRange(min=0), default=NEW_PER_DAY, show_default=True,
              help="At most this many questions you have never seen, per day.")  # fmt: skip
@click.option("--list-topics", is_flag=True, help="List the topics and their question counts, then exit.")
@pass_app
def quiz(app: App, topics: tuple[str, ...], difficulties: tuple[str, ...], types: tuple[str, ...],
         ids: tuple[str, ...], count: int | None, seed: int | None, banks: tuple[Path, ...],
         new: bool, review: bool, everything: bool, new_per_day: int, list_topics: bool) -> None:  # fmt: skip
    """Answer interview questions one at a time: marked, explained and scheduled for review.

    Due reviews come first, then new questions, easy ones first. At the prompt, `?` shows a
    hint, `s` skips and `q` stops; after a verdict, `:r` says you were right, `:h` / `:e`
    rate a right answer hard or easy. Open questions take your answer, then the key points
    you made (e.g. `1,3`). Piped input is read one answer per line; Ctrl-C stops with the
    summary (exit 130).

    \b
    Examples:
      rnnprep quiz --topic lstm --difficulty hard -n 5
      rnnprep quiz --id lstm.gates.forget-role
      printf 'a\\nt\\n' | rnnprep quiz --all --seed 1 -n 2
    """
    from rnnprep import quiz as library
    from rnnprep.cli.console import TerminalConsole

    modes = [name for name, on in (("new", new), ("review", review), ("all", everything)) if on]
    if len(modes) > 1:
        raise click.UsageError(f"--{' and --'.join(modes)} contradict each other: choose one of --new, --review, --all.")
    if list_topics:
        for topic, number in library.topic_counts(banks).items():
            click.echo(f"{topic:<18} {number}")
        return
    options = library.QuizOptions(
        filters=library.Filters(topics, difficulties, types, ids),
        count=count if count is not None else (None if ids else 10),
        seed=seed, banks=banks, mode=modes[0] if modes else "default", new_per_day=new_per_day,
    )  # fmt: skip
    summary = library.run(options, TerminalConsole(app), app.store)
    if summary is not None and summary.interrupted:
        raise SystemExit(130)
