"""`rnnprep questions`: lint and count banks."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def questions() -> None:
    """Check and describe question banks.

    \b
    Examples:
      rnnprep questions lint
      rnnprep questions stats --json
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
