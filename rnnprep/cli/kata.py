"""`rnnprep kata`: list, start, read, check, hint, solve and reset the NumPy katas.

`kata list` and `kata start NAME` are sub-commands; any other word is a kata name handled by
one command (`rnnprep kata lstm --check`). The logic lives in rnnprep.kata.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from rnnprep import registry
from rnnprep.cli.app import App, pass_app, stdout_is_terminal
from rnnprep.errors import RnnprepError
from rnnprep.kata import checking, progress
from rnnprep.kata import workspace as kata_workspace
from rnnprep.status import STATUS_COLOURS

WORKSPACE_HELP = "Folder holding katas/NAME/NAME.py (default: $RNNPREP_WORKSPACE, else the current folder)."
KATAS_DIR_HELP = "A folder of your own katas (repeatable; adds to $RNNPREP_KATAS)."
katas_dir_option = click.option(
    "--katas-dir", "katas_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path), help=KATAS_DIR_HELP
)


class KataGroup(click.Group):
    """A group where any word that is not a sub-command names a kata."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return args[0], run_kata, args[1:]  # the kata name becomes the command's info_name
        return super().resolve_command(ctx, args)


@click.group(cls=KataGroup, invoke_without_command=True)
@click.option("--notebook", "notebooks", is_flag=True, help="With --all DIR: write every kata as a Jupyter notebook.")
@click.option("--all", "all_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="With --notebook: the folder for the notebooks of the whole learning path.")
@katas_dir_option
@click.pass_context
def kata(ctx: click.Context, notebooks: bool, all_dir: Path | None, katas_dirs: tuple[Path, ...]) -> None:
    """Implement RNN, LSTM and GRU in NumPy, graded against torch.

    \b
    Usage:
      rnnprep kata list                  the katas, in learning-path order
      rnnprep kata start NAME            copy a starter into your workspace
      rnnprep kata next                  start the first kata you have not passed
      rnnprep kata NAME                  read the instructions
      rnnprep kata NAME --check          grade your file (exit 0 pass, 1 fail)
      rnnprep kata NAME --hint | --solution | --reset | --watch
      rnnprep kata new NAME --dir DIR    write your own kata (then: kata lint DIR/NAME)
      rnnprep kata NAME --notebook       the kata as a Jupyter notebook
      rnnprep kata --notebook --all DIR  every kata as a notebook, in learning-path order

    \b
    Example:
      rnnprep kata start lstm && rnnprep kata lstm --check
    """
    if notebooks or all_dir is not None:
        if ctx.invoked_subcommand is not None or not (notebooks and all_dir is not None):
            raise click.UsageError("Write the whole path with `rnnprep kata --notebook --all DIR`; one kata with "
                                   "`rnnprep kata NAME --notebook [PATH]`.")  # fmt: skip
        _write_all_notebooks(all_dir, katas_dirs)
        return
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_katas)


@kata.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@katas_dir_option
@pass_app
def list_katas(app: App, as_json: bool, katas_dirs: tuple[Path, ...] = ()) -> None:
    """List the katas with difficulty and your status.

    Example: rnnprep kata list --katas-dir ~/my-katas
    """
    rows = progress.overview(registry.default(katas_dirs).katas, _statuses(app))
    if as_json:
        click.echo(json.dumps([row.to_dict() for row in rows], indent=2))
        return
    width = max(len(row.name) for row in rows)
    for row in rows:
        status = app.style(f"{row.status:<11}", fg=STATUS_COLOURS[row.status])
        click.echo(f"{row.level:>2}. {row.name:<{width}}  {row.difficulty:<6}  {status}  {row.title}")


@kata.command("start")
@click.argument("name")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), help=WORKSPACE_HELP)
@katas_dir_option
def start(name: str, workspace: Path | None, katas_dirs: tuple[Path, ...]) -> None:
    """Copy a kata's starter and instructions into your workspace (never overwriting).

    Example: rnnprep kata start lstm --workspace ~/rnn-practice
    """
    _start(registry.get(name, katas_dirs), workspace)


@kata.command("next")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), help=WORKSPACE_HELP)
@katas_dir_option
@pass_app
def next_kata(app: App, workspace: Path | None, katas_dirs: tuple[Path, ...]) -> None:
    """Start the next kata on the learning path: the first one you have not passed.

    Example: rnnprep kata next
    """
    following = checking.next_kata(registry.default(katas_dirs).katas, _statuses(app))
    if following is None:
        click.echo("Every kata is passed. Write your own: `rnnprep kata new NAME --dir DIR`.")
        return
    click.echo(f"Next on the path: {following.name} ({following.title}, {following.difficulty}).")
    _start(following, workspace)


def _start(chosen: registry.Kata, workspace: Path | None) -> None:
    """Copy the starter and README; say what was done and what to run next."""
    report = kata_workspace.start(chosen, workspace)
    for path in report.copied:
        click.echo(f"Created {path}")
    for path in report.kept:
        click.echo(f"Kept {path} (already there; left untouched)")
    where = f" --workspace {workspace}" if workspace is not None else ""
    click.echo(f"Read `rnnprep kata {chosen.name}`, edit {report.folder / (chosen.name + '.py')}, "
               f"then run `rnnprep kata {chosen.name} --check{where}` (or --watch).")  # fmt: skip


@kata.command("new")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where to create NAME/.")  # fmt: skip
def new_kata(name: str, directory: Path) -> None:
    """Write your own kata: registry entry, README, starter, solution, hidden suite, a wrong file.

    The scaffold is a small working kata (a dense tanh layer) to replace with yours;
    docs/writing-katas.md walks through a real one.

    Example: rnnprep kata new peephole_lstm --dir ~/my-katas
    """
    from rnnprep.kata import authoring

    scaffold = authoring.new(name, directory)
    for path in scaffold.files:
        click.echo(f"Created {path}")
    parent = scaffold.folder.parent
    click.echo(f"Next: `rnnprep kata lint {scaffold.folder}`, then `RNNPREP_KATAS={parent} rnnprep kata list`.")


@kata.command("lint")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@pass_app
def lint_kata(app: App, folder: Path) -> None:
    """Prove a kata of your own: the starter fails, the solution passes, every wrong file fails.

    Exit 0 when every expectation holds, 1 otherwise.

    Example: rnnprep kata lint ~/my-katas/peephole_lstm
    """
    from rnnprep.kata import authoring

    def show(item: authoring.LintItem) -> None:
        mark = app.style("ok  ", fg="green") if item.ok else app.style("FAIL", fg="red", bold=True)
        click.echo(f"{mark} {item.what}")
        if item.detail and not item.ok:
            click.echo("\n".join(f"       {line}" for line in item.detail.splitlines()[:12]))

    items = authoring.lint(folder, show)
    failed = sum(not item.ok for item in items)
    click.echo(f"{folder.name}: {'all ' + str(len(items)) + ' checks hold' if not failed else f'{failed} of {len(items)} checks fail'}.")
    raise SystemExit(1 if failed else 0)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--check", is_flag=True, help="Grade your file against torch on fresh random cases.")
@click.option("--watch", is_flag=True, help="Check now and again on every save, until Ctrl-C.")
@click.option("--hint", is_flag=True, help="Show the next hint (one more each time).")
@click.option("--all", "all_hints", is_flag=True, help="With --hint: show again every hint seen so far.")
@click.option("--solution", is_flag=True, help="Show the reference solution (after a pass).")
@click.option("--force", is_flag=True, help="With --solution: show it even before a pass.")
@click.option("--reset", is_flag=True, help="Restore the starter, backing up your file first.")
@click.option("--yes", "-y", is_flag=True, help="With --reset: do not ask for confirmation.")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path), help="Grade (or reset) this file instead.")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), help=WORKSPACE_HELP)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Replay the cases of an earlier check.")
@click.option("--json", "as_json", is_flag=True, help="Print the check result as JSON.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help=f"Seconds before your code is stopped (default {checking.DEFAULT_TIMEOUT:g}).")
@click.option("--capsule-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to save a replay capsule of a failing case.")
@click.option("--notebook", is_flag=False, flag_value="", default=None, metavar="[PATH]",
              help="Write the kata as a Jupyter notebook (default: katas/NAME/NAME.ipynb in your workspace).")
@katas_dir_option
@pass_app
@click.pass_context
def run_kata(ctx: click.Context, app: App, **options: Any) -> None:
    """Show a kata's instructions, or check, hint, solve, reset or watch it.

    \b
    Examples:
      rnnprep kata lstm                  the instructions
      rnnprep kata lstm --check          grade katas/lstm/lstm.py
      rnnprep kata lstm --check --seed 1234 --json
      rnnprep kata lstm --watch --file my_lstm.py
      rnnprep kata lstm --notebook       write katas/lstm/lstm.ipynb
    """
    chosen = registry.get(str(ctx.info_name), options["katas_dirs"])
    action = _action(options)
    if action in ("check", "watch"):
        path = kata_workspace.existing_user_file(chosen, options["workspace"], options["file"])
        ctx.exit(_check(app, chosen, path, options) if action == "check" else _watch(app, chosen, path, options))
    elif action == "hint":
        _show_hint(app, chosen, options["all_hints"])
    elif action == "solution":
        _show_solution(app, chosen, options["force"])
    elif action == "notebook":
        default = kata_workspace.user_file(chosen, options["workspace"], None).with_suffix(".ipynb")
        _write_notebook(chosen, Path(options["notebook"]) if options["notebook"] else default)
    elif action == "reset":
        _reset(chosen, kata_workspace.user_file(chosen, options["workspace"], options["file"]), options["yes"],
               explicit=options["file"] is not None)  # fmt: skip
    else:
        click.echo(chosen.readme.read_text(encoding="utf-8").rstrip())


def _action(options: dict[str, Any]) -> str:
    """The one action asked for ("show" when none); UsageError on a contradictory mix."""
    chosen = [name for name in ("check", "watch", "hint", "solution", "reset") if options[name]]
    chosen += ["notebook"] if options["notebook"] is not None else []
    if chosen == ["check", "watch"]:
        chosen = ["watch"]  # --watch checks anyway
    if len(chosen) > 1:
        raise click.UsageError("Choose one of --check, --watch, --hint, --solution, --reset, --notebook.")
    action = chosen[0] if chosen else "show"
    misplaced = [name for name in ("seed", "as_json", "timeout", "capsule_dir") if options[name] not in (None, False)]
    if misplaced and action not in ("check", "watch"):
        flag = "--" + misplaced[0].replace("as_json", "json").replace("_", "-")
        raise click.UsageError(f"{flag} only applies with --check or --watch.")
    if options["force"] and action != "solution":
        raise click.UsageError("--force only applies with --solution.")
    if options["yes"] and action != "reset":
        raise click.UsageError("--yes only applies with --reset.")
    if options["all_hints"] and action != "hint":
        raise click.UsageError("--all only applies with --hint.")
    return action


def _notebook_module() -> Any:
    """rnnprep.notebook.generate, or a clear error without the [notebook] extra."""
    import importlib.util

    if importlib.util.find_spec("nbformat") is None:
        raise RnnprepError('Writing notebooks needs nbformat, which comes with the notebook extra: '
                           'pip install "rnnprep[notebook]" (it adds Jupyter\'s kernel too).')  # fmt: skip
    from rnnprep.notebook import generate

    return generate


def _write_notebook(chosen: registry.Kata, path: Path) -> None:
    generate = _notebook_module()
    if path.suffix != ".ipynb":
        raise click.BadParameter(f"{path} does not end in .ipynb.", param_hint="--notebook")
    try:
        written = generate.write(chosen, path)
    except OSError as error:
        raise RnnprepError(f"Cannot write {path}: {error.strerror or error}. Choose a folder you can write to.") from None
    if written:
        click.echo(f"Wrote {path}. Open it in Jupyter, VS Code or Colab (pip install \"rnnprep[notebook]\" for the kernel).")
    else:
        click.echo(f"Kept {path} (already there; left untouched). Pass another PATH to write a fresh one.")


def _write_all_notebooks(folder: Path, katas_dirs: tuple[Path, ...]) -> None:
    generate = _notebook_module()
    katas = registry.default(katas_dirs).katas
    written = kept = 0
    for chosen in katas:
        try:
            if generate.write(chosen, folder / generate.path_name(chosen)):
                written += 1
            else:
                kept += 1
        except OSError as error:
            raise RnnprepError(f"Cannot write into {folder}: {error.strerror or error}. Choose a folder you can write to.") from None
    click.echo(f"Wrote {written} notebooks to {folder}" + (f" ({kept} already there, left untouched)" if kept else "")
               + f": {generate.path_name(katas[0])} is the first.")  # fmt: skip


def _statuses(app: App) -> dict[str, str]:
    """name -> "passed"/"failing" from the store; empty (with a warning) if it cannot be read."""
    try:
        return {name: status.status for name, status in app.store_to_read.kata_status().items()}
    except RnnprepError as error:
        click.echo(f"Warning: kata status unavailable: {error}", err=True)
        return {}


def _check(app: App, chosen: registry.Kata, path: Path, options: dict[str, Any], sandbox: Any = None) -> int:
    """Grade once, print, record; the exit code (0 passed, 1 failed)."""
    result = checking.check(
        chosen, path, seed=options["seed"], timeout=options["timeout"] or checking.DEFAULT_TIMEOUT,
        capsule_dir=options["capsule_dir"], sandbox=sandbox,
    )  # fmt: skip
    after: list[str] = []
    if checking.counts_as_attempt(chosen, path):
        try:
            checking.record(chosen, result, app.store)
        except RnnprepError as error:  # the grade stands even if it cannot be saved
            click.echo(f"Warning: attempt not saved: {error}", err=True)
    else:
        after.append(app.style(f"(Not counted as an attempt: {path.name} is not your {chosen.name}.py.)", dim=True))
    if options["as_json"]:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        if result.passed:
            katas = registry.default(options["katas_dirs"]).katas
            after.insert(0, app.style(checking.progress_line(chosen, katas, _statuses(app)), bold=True))
        app.echo(checking.render(result, app.style, after))
    return 0 if result.passed else 1


def _watch(app: App, chosen: registry.Kata, path: Path, options: dict[str, Any]) -> int:
    """Check on every save until Ctrl-C, screen cleared each time; the last check's exit code."""
    from rnnprep.kata.watch import WarmGrader, changes

    code = 1
    grader = WarmGrader()
    terminal = stdout_is_terminal()
    try:
        grader.warm_up()
        for _ in changes(path):
            if terminal:
                click.clear()
            try:
                code = _check(app, chosen, path, options, sandbox=grader.take())
            except RnnprepError as error:  # the file vanished or became unreadable: keep watching
                click.echo(f"Error: {error}", err=True)
            grader.prepare_next()
            app.echo(app.style(f"Watching {path}: save to check again, Ctrl-C to stop.", dim=True), err=True)
    except KeyboardInterrupt:
        click.echo("Stopped watching.", err=True)
    finally:
        grader.close()
    return code


def _show_hint(app: App, chosen: registry.Kata, all_so_far: bool) -> None:
    """Print the next hint (or every hint seen so far)."""
    if all_so_far:
        for hint in progress.hints_so_far(app.home, chosen):
            app.echo(f"{app.style(f'Hint {hint.number}/{hint.total}', bold=True)}: {hint.text}")
        return
    try:
        hint = progress.next_hint(app.home, chosen)
    except RnnprepError as error:  # the hint is shown anyway; only the count is not kept
        hint = progress.peek_hint(app.home, chosen)
        click.echo(f"Warning: {error}", err=True)
    app.echo(f"{app.style(f'Hint {hint.number}/{hint.total}', bold=True)}: {hint.text}")
    if hint.is_last:
        passed = _statuses(app).get(chosen.name) == "passed"
        unlock = (f"You passed it: `rnnprep kata {chosen.name} --solution` shows the reference."
                  if passed else f"The solution unlocks after a pass (`rnnprep kata {chosen.name} --solution`), or now with --force.")  # fmt: skip
        app.echo(f"That was the last hint. {unlock}")


def _show_solution(app: App, chosen: registry.Kata, force: bool) -> None:
    """Print the reference solution if unlocked."""
    status = _statuses(app).get(chosen.name)
    click.echo(progress.solution_text(chosen, passed=status == "passed", force=force).rstrip())


def _reset(chosen: registry.Kata, path: Path, yes: bool, explicit: bool) -> None:
    """Restore the starter at `path` after confirmation, keeping a backup."""
    if not yes and path.exists():
        click.confirm(f"Replace {path} with the starter of '{chosen.name}'? Your file is backed up first.", abort=True)
    saved = kata_workspace.reset(chosen, path, create_folder=not explicit)
    if saved is not None:
        click.echo(f"Backed up your file to {saved}")
    click.echo(f"Restored the starter at {path}")
