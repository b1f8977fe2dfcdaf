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
      rnnprep progress restore
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

    data = export_progress(app.reading_store)
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
    click.echo("`rnnprep progress restore` brings it back.")


@progress.command()
@click.argument("backup", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--list", "listing", is_flag=True, help="List the backups, newest last.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def restore(app: App, backup: Path | None, listing: bool, yes: bool) -> None:
    """Bring back a backup made by `progress reset` (default: the newest).

    The current store, if any, is moved aside first, so nothing is lost either way.

    \b
    Example:
      rnnprep progress restore --list
      rnnprep progress restore --yes
    """
    from rnnprep.errors import RnnprepError
    from rnnprep.store.transfer import backups, restore_store

    path = app.home / STORE_FILENAME
    found = backups(path)
    if listing:
        for item in found:
            click.echo(str(item))
        if not found:
            click.echo(f"No backups of {path} yet.")
        return
    chosen = backup or (found[-1] if found else None)
    if chosen is None:
        raise RnnprepError(f"There is no backup of {path} to restore (`rnnprep progress reset` makes one).")
    if not yes:
        click.confirm(f"Restore {chosen} as your progress (the current store is moved aside first)?", abort=True)
    moved = restore_store(path, chosen)
    aside = f"; the store it replaced is kept as {moved}" if moved else ""
    click.echo(f"Restored {chosen}{aside}.")
