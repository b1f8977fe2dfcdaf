"""`rnnprep progress`: export, import or reset the progress store."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rnnprep.cli.app import App, pass_app
from rnnprep.store import STORE_FILENAME


@click.group()
def progress() -> None:
    """Export, import or reset your saved progress (answers, schedule, kata attempts).

    \b
    Examples:
      rnnprep progress export --json -o progress.json
      rnnprep progress import progress.json
      rnnprep progress reset
    """


@progress.command("export")
@click.option("--json", "as_json", is_flag=True, help="Export as JSON (the only format, the default).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
@pass_app
def export(app: App, as_json: bool, output: Path | None) -> None:
    """Print (or write) every answer and kata attempt as JSON, for `progress import`.

    \b
    Example:
      rnnprep progress export --json -o ~/rnnprep-progress.json
    """
    from rnnprep.store.transfer import export_progress, write_export

    data = export_progress(app.store)
    if output is None:
        click.echo(json.dumps(data, indent=2))
        return
    write_export(data, output)
    click.echo(f"Exported {len(data['reviews'])} answers and {len(data['kata_attempts'])} "
               f"kata attempts to {output}.", err=True)


@progress.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_(app: App, file: Path) -> None:
    """Merge an export into your progress; importing the same file twice changes nothing.

    \b
    Example:
      rnnprep progress import ~/rnnprep-progress.json
    """
    from rnnprep.store.transfer import import_progress, read_export

    summary = import_progress(app.store, read_export(file))
    click.echo(f"Imported {summary.reviews_added} answers ({summary.reviews_known} already here) "
               f"and {summary.attempts_added} kata attempts ({summary.attempts_known} already here) "
               f"from {file}.")


@progress.command()
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def reset(app: App, yes: bool) -> None:
    """Start with empty progress: the old store is moved aside as a .bak file, never deleted.

    \b
    Example:
      rnnprep progress reset --yes
    """
    from rnnprep.store.transfer import reset_store

    path = app.home / STORE_FILENAME
    if not path.exists():
        click.echo(f"Nothing to reset: there is no progress store at {path}.")
        return
    if not yes:
        click.confirm(f"Move {path} aside and start with empty progress?", abort=True)
    backup = reset_store(path)
    click.echo(f"Moved your progress to {backup}; a fresh store starts with your next answer.")
