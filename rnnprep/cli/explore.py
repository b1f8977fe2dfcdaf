"""`rnnprep explore NAME`: measure what a quiz topic explains, then plot it (or draw it as text)."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from rnnprep.cli.app import App, pass_app
from rnnprep.errors import RnnprepError
from rnnprep.explore import (
    EXPLORATIONS,
    FIGURE_SUFFIXES,
    RECURRENT_INITS,
    Exploration,
    ExplorationResult,
    explore,
    find,
    matplotlib_installed,
)

PLOTS_EXTRA = 'pip install "rnnprep[plots]"'
OPTION_FLAGS = {"steps": "--steps", "hidden": "--hidden", "init": "--init", "seed": "--seed",
                "max_norm": "--max-norm", "p": "--p"}  # fmt: skip

EXPLORE_HELP = f"""See what a quiz topic explains: measure it with torch, then plot it.

Without --out the plot is drawn in the terminal; --out FILE.png or FILE.svg writes the
full figure (matplotlib: {PLOTS_EXTRA}). --json prints the numbers. Options apply to
the explorations that take them (`rnnprep explore` lists them).

\b
Examples:
  rnnprep explore
  rnnprep explore vanishing --out vanishing.png
  rnnprep explore vanishing --init orthogonal --steps 100 --json
  rnnprep explore clipping --max-norm 5
"""


def _default(name: str, option: str) -> object:
    """An option's default for one exploration, for the help text."""
    return EXPLORATIONS[name].defaults[option]


@click.command("explore", help=EXPLORE_HELP)
@click.argument("name", required=False)
@click.option("--out", type=click.Path(path_type=Path), help="Write the figure to FILE.png or FILE.svg.")
@click.option("--json", "as_json", is_flag=True, help='Print the numbers: {"series", "settings", "summary"}.')
@click.option("--steps", type=click.IntRange(1, 5000), help=f"vanishing: sequence length T ({_default('vanishing', 'steps')}); "
                   f"clipping: SGD steps ({_default('clipping', 'steps')}).")
@click.option("--hidden", type=click.IntRange(1, 1024), help=f"Hidden size (vanishing {_default('vanishing', 'hidden')}, clipping {_default('clipping', 'hidden')}).")
@click.option("--init", type=click.Choice(RECURRENT_INITS), help=f"vanishing: recurrent weights ({_default('vanishing', 'init')}: torch's).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help=f"Random seed of weights and data ({_default('vanishing', 'seed')}).")
@click.option("--max-norm", type=click.FloatRange(min=0, min_open=True), help=f"clipping: the clip threshold ({_default('clipping', 'max_norm'):g}).")
@click.option("--p", type=click.FloatRange(0, 1, max_open=True), help=f"dropout: the drop probability ({_default('dropout', 'p'):g}).")
@pass_app
def explore_command(app: App, name: str | None, out: Path | None, as_json: bool, **options: object) -> None:
    if name is None:
        click.echo(listing())
        return
    exploration = find(name)
    given = {key: value for key, value in options.items() if value is not None}
    check_options(exploration, given)
    if out is not None:
        check_out(out)
    result = explore(name, **given)
    if as_json:
        click.echo(result.to_json())
    if out is not None:
        write_figure(result, out)
        click.echo(f"Wrote {out}", err=as_json)
    elif not as_json:
        show_in_terminal(app, result)


def listing() -> str:
    """The explorations, their options, and how to run one."""
    lines = ["Explorations (rnnprep explore NAME):"]
    for exploration in EXPLORATIONS.values():
        flags = " ".join(f"{OPTION_FLAGS[key]} {value}" for key, value in exploration.defaults.items())
        lines += [f"  {exploration.name:<10} {exploration.summary}", f"  {'':<10} options (defaults): {flags}"]
    return "\n".join(lines)


def check_options(exploration: Exploration, given: dict[str, object]) -> None:
    """A UsageError naming any option this exploration does not take."""
    foreign = [OPTION_FLAGS[key] for key in given if key not in exploration.takes]
    if foreign:
        takes = ", ".join(OPTION_FLAGS[key] for key in exploration.takes)
        raise click.UsageError(f"{', '.join(foreign)} does not apply to `rnnprep explore {exploration.name}`, "
                               f"which takes {takes}.")  # fmt: skip


def check_out(out: Path) -> None:
    """Before any work: the suffix, the folder, and matplotlib."""
    if out.suffix.lower() not in FIGURE_SUFFIXES:
        raise click.BadParameter(f"{out} does not end in .png or .svg: name the file FILE.png or FILE.svg "
                                 f"(or leave --out out to draw in the terminal).", param_hint="--out")  # fmt: skip
    if not out.parent.is_dir():
        raise RnnprepError(f"Cannot write {out}: the folder {out.parent} does not exist. Create it or point "
                           f"--out into a folder that does.")  # fmt: skip
    if out.is_dir():
        raise RnnprepError(f"Cannot write {out}: it is a folder. Give --out a file name, e.g. {out / 'plot.png'}.")
    if not matplotlib_installed():
        raise RnnprepError(f"Writing {out} needs matplotlib, which comes with the plots extra: {PLOTS_EXTRA}. "
                           f"Without --out the plot is drawn in the terminal.")  # fmt: skip


def write_figure(result: ExplorationResult, out: Path) -> None:
    """Save the figure; an unwritable path is a one-paragraph error."""
    from rnnprep.explore.figures import save

    try:
        save(result, out)
    except OSError as error:
        raise RnnprepError(f"Cannot write {out}: {error.strerror or error}. Choose a folder you can write to "
                           f"with --out.") from None  # fmt: skip


def show_in_terminal(app: App, result: ExplorationResult) -> None:
    """The text rendering, then how to get the full figure."""
    from rnnprep.explore.terminal import TextCanvas, render

    width = max(40, shutil.get_terminal_size((100, 24)).columns - 1)
    click.echo(render(result, TextCanvas(width=width, color=app.color)))
    target = f"rnnprep explore {result.name} --out {result.name}.png"
    if matplotlib_installed():
        note = ["The full figure:", f"  {target}"]
    else:
        note = ["This is the terminal drawing. For the full figure:", f"  {PLOTS_EXTRA}", f"  {target}"]
    click.echo("\n" + "\n".join(app.style(line, dim=True) for line in note))
