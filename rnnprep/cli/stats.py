"""`rnnprep stats`: accuracy, due reviews, mastery, streak and kata status."""

from __future__ import annotations

import json
import sys

import click

from rnnprep.cli.app import App, pass_app
from rnnprep.store import MASTERED_STABILITY_DAYS

STATS_HELP = f"""Show where you stand: per topic answered, accuracy, due now and mastered
(FSRS stability of at least {MASTERED_STABILITY_DAYS:g} days), your streak of days
with answers, your weakest topics and each kata's status.

\b
Examples:
  rnnprep stats
  rnnprep stats --json | python -m json.tool
"""


@click.command(help=STATS_HELP)
@click.option("--json", "as_json", is_flag=True,
              help='Print the same data as JSON (top-level "answered" and "by_topic").')
@pass_app
def stats(app: App, as_json: bool) -> None:
    from rnnprep.stats import gather, render_stats

    data, warnings = gather(app.reading_store)
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(render_stats(data, app.style, unicode=_stdout_takes("█▏≥")))


def _stdout_takes(text: str) -> bool:
    """Whether standard output can encode `text` (bars fall back to ASCII otherwise)."""
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
