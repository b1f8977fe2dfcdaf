"""`rnnprep stats`: text and JSON views over a store in RNNPREP_HOME."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from rnnprep.cli import cli, main
from rnnprep.store import STORE_FILENAME, Store

TOPICS = {"lstm.q1": "lstm", "lstm.q2": "lstm", "gru.q1": "gru"}


@pytest.fixture
def fixed_content(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixed banks and kata registry, whatever content ships today."""
    monkeypatch.setattr("rnnprep.stats.shipped_questions", lambda: {q: (t, 1) for q, t in TOPICS.items()})
    monkeypatch.setattr("rnnprep.stats.kata_names", lambda: ["rnn_cell", "lstm"])


@pytest.fixture
def answered(isolated_home: Path) -> None:
    """Three answers today and a passed lstm kata."""
    now = datetime.now(timezone.utc)
    with Store.open(isolated_home / STORE_FILENAME) as store:
        for minutes, (qid, correct) in enumerate([("lstm.q1", True), ("lstm.q2", False),
                                                  ("gru.q1", True)]):
            store.record_review(qid, topic=qid.split(".")[0], rev=1, answer="a", correct=correct,
                                response_time=2.0, now=now - timedelta(minutes=minutes))
        store.record_kata_attempt(kata="lstm", passed=True, seed=5, failing_tests=[], diagnosis=[])


@pytest.mark.usefixtures("fixed_content", "answered")
def test_stats_json_has_answered_and_by_topic(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["answered"] == 3
    assert data["by_topic"]["lstm"]["answered"] == 2
    assert data["by_topic"]["lstm"]["accuracy"] == 0.5
    assert data["streak_days"] >= 1
    assert data["katas"]["lstm"]["status"] == "passed"
    assert data["katas"]["rnn_cell"]["status"] == "not started"


@pytest.mark.usefixtures("fixed_content", "answered")
def test_stats_text_is_plain_without_a_terminal_or_with_no_color(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = runner.invoke(cli, ["stats"])
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("3 answered, 67% correct")
    assert any(line.startswith("lstm ") and "50%" in line for line in lines)
    assert any(line.split()[:2] == ["lstm", "passed"] for line in lines)


@pytest.mark.usefixtures("fixed_content")
def test_stats_on_a_fresh_home_creates_nothing(runner: CliRunner, isolated_home: Path) -> None:
    result = runner.invoke(cli, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["answered"] == 0
    assert not (isolated_home / STORE_FILENAME).exists()


def test_stats_reads_the_shipped_banks_and_registry(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) >= {"answered", "by_topic", "katas", "weakest_topics"}


def test_stats_on_a_corrupt_store_is_one_paragraph_and_exit_2(
        isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / STORE_FILENAME).write_bytes(b"garbage" * 1000)
    with pytest.raises(SystemExit) as exited:
        main(["stats"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: The progress store ") and "rnnprep progress reset" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_stats_help_names_the_mastery_threshold_and_an_example(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["stats", "--help"])
    assert result.exit_code == 0
    assert "21 days" in result.output and "rnnprep stats --json" in result.output
