"""`rnnprep progress export/import/reset` against a store in RNNPREP_HOME."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from rnnprep.cli import cli, main
from rnnprep.store import STORE_FILENAME, Store

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def fill(path: Path) -> None:
    """Four answers and one kata attempt."""
    with Store.open(path) as store:
        for day in range(4):
            store.record_review("rnn.q1", topic="rnn", rev=1, answer=str(day), correct=day != 1,
                                response_time=1.0, now=T0 + timedelta(days=day))
        store.record_kata_attempt(kata="rnn", passed=False, seed=1, failing_tests=["t"],
                                  diagnosis=[], now=T0)


def test_export_prints_json_to_stdout(runner: CliRunner, isolated_home: Path) -> None:
    fill(isolated_home / STORE_FILENAME)
    result = runner.invoke(cli, ["progress", "export", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "rnnprep-progress"
    assert [review["answer"] for review in data["reviews"]] == ["0", "1", "2", "3"]
    assert data["kata_attempts"][0]["kata"] == "rnn"


def test_export_to_a_file_then_import_elsewhere_twice(
        runner: CliRunner, isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(isolated_home / STORE_FILENAME)
    out = tmp_path / "moved" / "progress.json"
    exported = runner.invoke(cli, ["progress", "export", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert "Exported 4 answers and 1 kata attempts" in exported.output

    other_home = tmp_path / "other-machine"
    monkeypatch.setenv("RNNPREP_HOME", str(other_home))
    first = runner.invoke(cli, ["progress", "import", str(out)])
    assert first.exit_code == 0, first.output
    assert "Imported 4 answers (0 already here) and 1 kata attempts (0 already here)" in first.output
    second = runner.invoke(cli, ["progress", "import", str(out)])
    assert "Imported 0 answers (4 already here) and 0 kata attempts (1 already here)" in second.output
    with Store.open(isolated_home / STORE_FILENAME) as source, \
            Store.open(other_home / STORE_FILENAME) as target:
        assert target.reviews() == source.reviews()
        assert target.cards() == source.cards()


def test_import_of_a_bad_file_names_it_and_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"reviews": []}')
    with pytest.raises(SystemExit) as exited:
        main(["progress", "import", str(bad)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "not an rnnprep progress export" in err and "Traceback" not in err


def test_import_of_a_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["progress", "import", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_reset_asks_first_and_keeps_the_store_when_refused(runner: CliRunner, isolated_home: Path) -> None:
    fill(isolated_home / STORE_FILENAME)
    result = runner.invoke(cli, ["progress", "reset"], input="n\n")
    assert result.exit_code != 0
    assert (isolated_home / STORE_FILENAME).is_file()
    assert list(isolated_home.glob("*.bak-*")) == []


def test_reset_confirmed_moves_the_store_aside(runner: CliRunner, isolated_home: Path) -> None:
    fill(isolated_home / STORE_FILENAME)
    result = runner.invoke(cli, ["progress", "reset"], input="y\n")
    assert result.exit_code == 0, result.output
    backups = list(isolated_home.glob(f"{STORE_FILENAME}.bak-*"))
    assert len(backups) == 1 and str(backups[0]) in result.output
    with Store.open(backups[0]) as old:
        assert len(old.reviews()) == 4
    stats = runner.invoke(cli, ["stats", "--json"])
    assert json.loads(stats.stdout)["answered"] == 0


def test_reset_yes_rescues_a_corrupt_store(runner: CliRunner, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / STORE_FILENAME).write_bytes(b"garbage" * 1000)
    result = runner.invoke(cli, ["progress", "reset", "--yes"])
    assert result.exit_code == 0, result.output
    (backup,) = isolated_home.glob(f"{STORE_FILENAME}.bak-*")
    assert backup.read_bytes() == b"garbage" * 1000
    assert runner.invoke(cli, ["progress", "export"]).exit_code == 0


def test_reset_with_nothing_to_reset(runner: CliRunner, isolated_home: Path) -> None:
    result = runner.invoke(cli, ["progress", "reset", "--yes"])
    assert result.exit_code == 0
    assert "Nothing to reset" in result.output


@pytest.mark.parametrize("command", [[], ["export"], ["import"], ["reset"]])
def test_every_progress_command_has_help_with_an_example(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(cli, ["progress", *command, "--help"])
    assert result.exit_code == 0
    assert "rnnprep progress" in result.output.split("Example", 1)[1]
