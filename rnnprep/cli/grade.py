"""`rnnprep grade`: grade a class's or candidates' submissions of one kata, in parallel."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

from rnnprep.cli.app import App, pass_app, stdout_is_terminal
from rnnprep.cli.kata import katas_dir_option
from rnnprep.errors import RnnprepError

REPORT_OPTIONS = ("json_path", "csv_path", "junit_path", "html_path")


class GradeGroup(click.Group):
    """`grade KATA PATH...` grades; `grade merge F...` combines shard reports."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "grade", grade_kata, args
        return super().resolve_command(ctx, args)


@click.group(cls=GradeGroup)
def grade() -> None:
    """Grade many people's submissions of one kata: the same cases for all, in parallel,
    each in its own isolated child, with a gradebook and a class report.

    \b
    Usage:
      rnnprep grade KATA PATH... [-j N] [--seed S] [--json F] [--csv F] [--junit F] [--html F]
      rnnprep grade KATA PATH... --shard I/N --json shard-I.json
      rnnprep grade merge shard-*.json --html class.html

    \b
    PATH is a submission file (alice.py), a folder of them, a folder of folders (each holding
    KATA.py or katas/KATA/KATA.py), or a .zip of any of these.

    \b
    Examples:
      rnnprep grade lstm submissions/ --csv grades.csv --html report.html
      rnnprep grade lstm export.zip -j 4 --seed 7 --junit junit.xml
      rnnprep grade lstm submissions/ --json run.json   # Ctrl-C, then: --resume run.json
    """


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not I/N (e.g. 2/4: the second of four shards)") from None
    if not 1 <= index <= count:
        raise click.BadParameter(f"{value!r}: I must lie between 1 and N (got {index} of {count})")
    return index, count


def _report_option(flag: str, what: str) -> Any:
    return click.option(flag, f"{flag.strip('-')}_path", type=click.Path(dir_okay=False, path_type=Path), help=what)


@grade.command("grade", hidden=True)
@click.argument("kata_name", metavar="KATA")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=lambda: os.cpu_count() or 1,
              show_default="the number of cores", help="Submissions graded at once.")  # fmt: skip
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="The cases' seed (default: random, printed and stored).")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=10.0, show_default=True,
              help="Seconds each submission gets.")
@_report_option("--json", "Write the full report as JSON (rewritten as each submission finishes).")
@_report_option("--csv", "Write a gradebook: one row per submission.")
@_report_option("--junit", "Write JUnit XML: a testsuite per submission, a testcase per test.")
@_report_option("--html", "Write a self-contained class report.")
@click.option("--shard", callback=_shard, metavar="I/N", help="Grade only the I-th of N deterministic slices.")
@click.option("--resume", "resume_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Continue the run whose --json report is FILE: skip what it holds, add the rest to it.")
@click.option("--unsafe-no-isolation", is_flag=True,
              help="Grade without kernel confinement (only for code you trust).")
@katas_dir_option
@pass_app
def grade_kata(app: App, kata_name: str, paths: tuple[Path, ...], jobs: int, seed: int | None, timeout: float,
               json_path: Path | None, csv_path: Path | None, junit_path: Path | None, html_path: Path | None,
               shard: tuple[int, int] | None, resume_path: Path | None, unsafe_no_isolation: bool,
               katas_dirs: tuple[Path, ...]) -> None:  # fmt: skip
    """Grade submissions of KATA found under PATH..."""
    from rnnprep import registry
    from rnnprep.grading.batch import BatchReport
    from rnnprep.grading.submissions import collect, in_shard

    kata = registry.default(katas_dirs).get(kata_name)
    if shard is not None and seed is None and resume_path is None:
        raise click.BadParameter("every shard must grade the same cases: give all of them the same --seed.",
                                 param_hint="--shard")  # fmt: skip
    isolation = _require_isolation(unsafe_no_isolation)
    previous = _read_report(resume_path) if resume_path is not None else None
    if previous is not None:
        if previous.kata != kata.name:
            raise click.BadParameter(f"{resume_path} is a report of {previous.kata}, not {kata.name}.", param_hint="--resume")
        if seed is not None and seed != previous.seed:
            raise click.BadParameter(f"{resume_path} was graded with seed {previous.seed}; a resumed run keeps "
                                     f"its seed (leave --seed out).", param_hint="--resume")  # fmt: skip
        json_path = json_path or resume_path
    outputs = {"json_path": json_path, "csv_path": csv_path, "junit_path": junit_path, "html_path": html_path}
    _check_writable(outputs)
    report = previous or BatchReport(kata.name, seed if seed is not None else secrets.randbelow(2**31))
    report.shard = f"{shard[0]}/{shard[1]}" if shard else report.shard
    submissions = collect(kata.name, paths)
    if shard is not None:
        submissions = [s for s in submissions if in_shard(s.name, *shard)]
    done = report.done()
    todo = [s for s in submissions if s.name not in done]
    skipped = len(submissions) - len(todo)
    click.echo(f"Grading {len(todo)} submission{'s' * (len(todo) != 1)} of {kata.name} with seed {report.seed} "
               f"on {min(jobs, max(1, len(todo)))} worker(s), isolation: {isolation}"
               + (f" ({skipped} already in {resume_path})" if skipped else "") + ".", err=True)  # fmt: skip
    interrupted = False
    try:
        _run(report, kata, todo, jobs, timeout, json_path, katas_dirs)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        _write_reports(report, outputs)
    from rnnprep.grading.reports import summary_lines

    for line in summary_lines(report, app.style):
        app.echo(line)
    if interrupted:
        left = len(todo) - sum(1 for r in report.rows if r.submission in {s.name for s in todo})
        where = f" `--resume {json_path}` grades the {left} left." if json_path else ""
        click.echo(f"Interrupted: what finished is saved.{where}", err=True)
        sys.exit(130)
    sys.exit(0 if all(row.graded for row in report.rows) else 1)


def _run(report: Any, kata: Any, todo: list[Any], jobs: int, timeout: float, json_path: Path | None,
         katas_dirs: tuple[Path, ...]) -> None:  # fmt: skip
    """Grade `todo`, adding each row to the report (and the JSON file) as it finishes."""
    from rnnprep.grading.batch import grade_all

    rows = grade_all(kata.name, katas_dirs, todo, seed=report.seed, jobs=jobs, timeout=timeout)
    if not stdout_is_terminal() or not todo:
        for row in rows:
            _keep(report, row, json_path)
        return
    with click.progressbar(length=len(todo), label="grading", file=sys.stderr, show_pos=True,
                           item_show_func=lambda name: name) as bar:  # fmt: skip
        for row in rows:
            _keep(report, row, json_path)
            bar.update(1, row.submission)


def _keep(report: Any, row: Any, json_path: Path | None) -> None:
    report.add(row)
    if json_path is not None:
        report.write_json(json_path)


def _require_isolation(unsafe: bool) -> str:
    """The isolation level the run will have; refuse to grade others' code without the kernel's."""
    from rnnprep.grading.check import kernel_confinement_expected

    if kernel_confinement_expected():
        return "seccomp"
    if unsafe:
        click.echo("Warning: grading WITHOUT kernel isolation (--unsafe-no-isolation): a submission could "
                   "read or change your files and use the network.", err=True)  # fmt: skip
        return "basic (unsafe)"
    from rnnprep.sandbox.confine import landlock_abi

    missing = []
    if landlock_abi() < 1:
        missing.append("Landlock (Linux 5.13 or newer, enabled in the kernel)")
    try:
        import pyseccomp  # noqa: F401
    except Exception:
        missing.append("libseccomp with its Python binding (pip install pyseccomp)")
    raise RnnprepError(
        "rnnprep grade runs other people's code, so it only runs where the kernel confines each submission "
        f"(the `isolation: seccomp` of `kata --check`). This machine lacks {' and '.join(missing)}. Grade on "
        "a Linux machine that has them, or pass --unsafe-no-isolation if you trust every submission."
    )


def _read_report(path: Path) -> Any:
    from rnnprep.grading.batch import BatchReport

    try:
        return BatchReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise RnnprepError(f"{path} does not exist: --resume takes the --json report of an earlier run.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, KeyError, TypeError) as error:
        raise RnnprepError(f"{path} is not a report of `rnnprep grade --json` ({error}). Pass the JSON file an "
                           f"earlier run wrote.") from None  # fmt: skip


def _check_writable(outputs: dict[str, Path | None]) -> None:
    """Every report file can be written, found out before any grading."""
    for option, path in outputs.items():
        if path is None:
            continue
        flag = "--" + option.removesuffix("_path")
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise RnnprepError(f"{flag} {path}: the folder {folder} does not exist. Create it or write elsewhere.")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise RnnprepError(f"{flag} {path}: cannot write there (permission denied). Choose a writable place.")


def _write_reports(report: Any, outputs: dict[str, Path | None]) -> None:
    from rnnprep.grading import reports
    from rnnprep.grading.batch import write_atomically

    views = {"csv_path": reports.to_csv, "junit_path": reports.to_junit, "html_path": reports.to_html}
    if outputs["json_path"] is not None:
        report.write_json(outputs["json_path"])
    for option, render in views.items():
        path = outputs[option]
        if path is not None:
            write_atomically(path, render(report))


@grade.command("merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_report_option("--json", "Write the merged report as JSON.")
@_report_option("--csv", "Write the merged gradebook.")
@_report_option("--junit", "Write merged JUnit XML.")
@_report_option("--html", "Write the merged class report.")
@pass_app
def merge_reports(app: App, files: tuple[Path, ...], json_path: Path | None, csv_path: Path | None,
                  junit_path: Path | None, html_path: Path | None) -> None:  # fmt: skip
    """Combine the --json reports of the shards of one run (same kata and seed) into one.

    \b
    Example:
      rnnprep grade merge shard-1.json shard-2.json --json class.json --html class.html
    """
    from rnnprep.grading.batch import merge
    from rnnprep.grading.reports import summary_lines

    try:
        merged = merge([_read_report(path) for path in files])
    except ValueError as error:
        raise RnnprepError(f"Cannot merge {', '.join(map(str, files))}: {error}.") from None
    outputs = {"json_path": json_path, "csv_path": csv_path, "junit_path": junit_path, "html_path": html_path}
    _check_writable(outputs)
    _write_reports(merged, outputs)
    for line in summary_lines(merged, app.style):
        app.echo(line)
