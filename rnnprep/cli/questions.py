"""`rnnprep questions`: lint, count and export banks."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def questions() -> None:
    """Check, describe and export question banks.

    \b
    Examples:
      rnnprep questions lint
      rnnprep questions stats --json
      rnnprep questions export --anki rnnprep.apkg --topic lstm
    """


@questions.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Validate banks (default: the shipped ones); exit 2 on any problem.

    Each problem names file, line and question id.

    \b
    Example:
      rnnprep questions lint my-bank.yaml
    """
    from rnnprep.bank import lint as lint_banks

    problems = lint_banks(list(paths) or None)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.", err=True)
        raise SystemExit(2)
    click.echo("All banks are valid.")


@questions.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=Path), help="Count these banks instead of the shipped ones.")
def stats(as_json: bool, banks: tuple[Path, ...]) -> None:
    """Count questions by topic, type and difficulty, and how many are verified against torch.

    \b
    Example:
      rnnprep questions stats --json
    """
    from rnnprep.bank.stats import bank_stats

    counts = bank_stats(banks)
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    click.echo(f"{counts['total']} questions, {counts['verified']} verified against torch")
    for key in ("by_topic", "by_type", "by_difficulty"):
        click.echo(f"\n{key.removeprefix('by_')}:")
        for name, number in counts[key].items():
            click.echo(f"  {name:<16} {number:>4}")


@questions.command()
@click.option("--anki", type=click.Path(path_type=Path, dir_okay=False), help="Write an Anki deck (FILE.apkg).")
@click.option("--markdown", type=click.Path(path_type=Path, dir_okay=False), help="Write a study sheet (FILE.md).")
@click.option("--topic", "topics", multiple=True, help="Only this topic (repeatable).")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=Path), help="Add these banks to the shipped ones.")
def export(anki: Path | None, markdown: Path | None, topics: tuple[str, ...], banks: tuple[Path, ...]) -> None:
    """Export the banks to keep: an Anki deck and/or a printable Markdown study sheet.

    One note per question (a parametrized one shows a few fixed versions), choices in a
    fixed shuffled order, the answer, explanation and references on the back, topic and
    difficulty as tags. Notes keep their id when a question changes, so importing a new
    export into Anki updates your cards instead of adding copies.

    \b
    Examples:
      rnnprep questions export --anki rnnprep.apkg
      rnnprep questions export --markdown lstm.md --topic lstm
    """
    from rnnprep.errors import RnnprepError
    from rnnprep.quiz.export import make_card, questions_to_export, write_anki, write_markdown

    if anki is None and markdown is None:
        raise click.UsageError("Name what to write: --anki FILE.apkg and/or --markdown FILE.md.")
    for option, path, suffixes in (("--anki", anki, (".apkg",)), ("--markdown", markdown, (".md", ".markdown"))):
        if path is not None and path.suffix.lower() not in suffixes:
            raise click.BadParameter(f"{path} does not end in {' or '.join(suffixes)}.", param_hint=option)
    cards = [make_card(question) for question in questions_to_export(banks, topics)]
    for path, write in ((anki, write_anki), (markdown, write_markdown)):
        if path is None:
            continue
        try:
            write(cards, path)
        except OSError as error:
            raise RnnprepError(f"Cannot write {path}: {error.strerror or error}. Choose a folder you can write to.") from None
        click.echo(f"Wrote {path}: {len(cards)} questions.")
