"""rnnprep.kata.progress: hint progression in the data dir, solution gating, the list overview."""

from __future__ import annotations

import pytest

from rnnprep import registry
from rnnprep.errors import RnnprepError
from rnnprep.kata import progress


def test_hints_progress_and_stop_at_the_last(tmp_path):
    kata = registry.get("gru_cell")
    shown = [progress.next_hint(tmp_path, kata) for _ in range(len(kata.hints) + 2)]
    assert [h.number for h in shown] == [*range(1, len(kata.hints) + 1), len(kata.hints), len(kata.hints)]
    assert shown[0].text == kata.hints[0] and shown[-1].text == kata.hints[-1]
    assert not shown[0].is_last and shown[-1].is_last
    assert progress.state_path(tmp_path, kata).is_file()


def test_hint_state_is_per_kata_and_survives_corruption(tmp_path):
    gru, lstm = registry.get("gru"), registry.get("lstm")
    progress.next_hint(tmp_path, gru)
    assert progress.next_hint(tmp_path, lstm).number == 1
    progress.state_path(tmp_path, gru).write_text("{not json")
    assert progress.next_hint(tmp_path, gru).number == 1


def test_solution_is_gated_on_a_pass():
    kata = registry.get("rnn")
    with pytest.raises(RnnprepError, match="--force"):
        progress.solution_text(kata, passed=False)
    assert "def rnn_forward" in progress.solution_text(kata, passed=True)
    assert "def rnn_forward" in progress.solution_text(kata, passed=False, force=True)


def test_overview_orders_by_level_and_marks_status():
    rows = progress.overview(tuple(reversed(registry.default().katas)), {"rnn": "passed", "lstm": "failing"})
    assert rows[0].name == "rnn_cell" and rows[0].status == "not started"
    by_name = {row.name: row for row in rows}
    assert by_name["rnn"].status == "passed" and by_name["lstm"].status == "failing"
    assert set(rows[0].to_dict()) == {"level", "name", "title", "difficulty", "status"}
