"""`rnnprep quiz` driven through stdin, as a script or a test would."""

import json
import sqlite3

import pytest

from rnnprep.cli import cli

ALL_CORRECT = {  # sample question id -> an answer that is right whatever params were drawn
    "sample.mcq": "a",
    "sample.multi": "a,c",
    "sample.tf": "t",
    "sample.numeric-tolerance": "1.25",
    "sample.short": "bptt",
}


@pytest.fixture(autouse=True)
def only_the_sample_bank(monkeypatch):
    """These tests drive the engine with the sample bank alone, whatever the shipped banks hold."""
    monkeypatch.setattr("rnnprep.bank.shipped_bank_files", lambda: [])


def quiz(runner, sample_bank, *args, input="", color=False):
    return runner.invoke(cli, ["quiz", "--bank", str(sample_bank), *args], input=input, color=color)


def ids_args(*ids):
    return [arg for qid in ids for arg in ("--id", qid)]


def test_scripted_quiz_prints_summary_and_score_last(runner, sample_bank):
    result = quiz(runner, sample_bank, *ids_args(*ALL_CORRECT), input="\n".join(ALL_CORRECT.values()) + "\n")
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").splitlines()
    assert lines[-1] == "Score: 5/5"
    assert "  lstm               2/2" in lines
    assert result.output.count("✓ Correct.") == 5


def test_wrong_answer_shows_feedback_answer_and_explanation(runner, sample_bank):
    result = quiz(runner, sample_bank, "--id", "sample.mcq", input="b\n")
    assert "✗ Not quite. Answer: a) The previous cell state c_{t-1}" in result.output
    assert "h_{t-1} enters every gate unscaled through W_hh." in result.output
    assert "c_t = f * c_{t-1} + i * g" in result.output
    assert result.output.splitlines()[-1] == "Score: 0/1"


def test_invalid_input_reasks_without_counting(runner, sample_bank):
    result = quiz(runner, sample_bank, "--id", "sample.mcq", "--id", "sample.tf", input="z\nmaybe?\na\nmaybe\nt\n")
    assert result.exit_code == 0
    assert "Answer with letters a-c." in result.output
    assert "Answer t (true) or f (false)." in result.output
    assert result.output.splitlines()[-1] == "Score: 2/2"


def test_hint_and_skip(runner, sample_bank):
    result = quiz(runner, sample_bank, "--id", "sample.mcq", "--id", "sample.tf", input="?\n?\ns\nt\n")
    assert "Hint: Look at the cell update." in result.output
    assert "No more hints for this question." in result.output
    assert "Skipped." in result.output
    assert "skipped            1" in result.output
    assert result.output.splitlines()[-1] == "Score: 1/1"


def test_end_of_input_mid_quiz_still_summarises(runner, sample_bank):
    result = quiz(runner, sample_bank, *ids_args(*ALL_CORRECT), input="a\na,c\n")
    assert result.exit_code == 0
    assert "  not answered       3 (stopped early)" in result.output
    assert result.output.splitlines()[-1] == "Score: 2/2"


def test_q_stops_the_quiz(runner, sample_bank):
    result = quiz(runner, sample_bank, *ids_args(*ALL_CORRECT), input="a\nq\n")
    assert result.output.splitlines()[-1] == "Score: 1/1"


def test_seed_makes_selection_and_params_reproducible(runner, sample_bank):
    first = quiz(runner, sample_bank, "--all", "--seed", "7", "-n", "4", input="")
    second = quiz(runner, sample_bank, "--all", "--seed", "7", "-n", "4", input="")
    assert first.output == second.output
    assert "[1/4]" in first.output


def test_filters_by_topic_type_and_difficulty(runner, sample_bank):
    result = quiz(runner, sample_bank, "--all", "--topic", "bptt", "--type", "order", input="")
    assert "sample.order" in result.output and "sample.short" not in result.output
    result = quiz(runner, sample_bank, "--all", "--topic", "lstm", "--difficulty", "easy", "-n", "9", input="")
    assert "[1/2]" in result.output


def test_unknown_topic_suggests_the_closest(runner, sample_bank):
    result = quiz(runner, sample_bank, "--topic", "lstn")
    assert result.exit_code == 2
    assert "--topic 'lstn': no such topic. Did you mean 'lstm'?" in result.output
    assert "Traceback" not in result.output


def test_list_topics(runner, sample_bank):
    result = quiz(runner, sample_bank, "--list-topics")
    assert "pytorch-api        2" in result.output


def test_broken_bank_refuses_to_start_with_file_line_and_id(runner, tmp_path):
    bank = tmp_path / "broken.yaml"
    bank.write_text("schema: rnnprep/v1\nid: b\ntitle: B\nversion: 1\nquestions:\n"
                    "  - {id: b.q, topic: t, difficulty: easy, type: mcq, prompt: P, explanation: E, choices: [x, y], answer: c}\n")
    result = runner.invoke(cli, ["quiz", "--bank", str(bank)])
    assert result.exit_code == 2
    assert f"{bank}:6 [b.q]: mcq answer 'c' is not among the choices a-b" in result.output
    assert "Traceback" not in result.output


def test_every_graded_answer_is_recorded(runner, sample_bank, isolated_home):
    quiz(runner, sample_bank, "--id", "sample.mcq", "--id", "sample.tf", input="b\nt\n")
    with sqlite3.connect(isolated_home / "progress.sqlite3") as db:
        rows = db.execute("SELECT question_id, correct FROM reviews ORDER BY id").fetchall()
    assert rows == [("sample.mcq", 0), ("sample.tf", 1)]


def test_schedule_serves_new_then_says_when_next_review_is(runner, sample_bank):
    first = quiz(runner, sample_bank, "--topic", "lstm", "--new", "--seed", "1", input="t\na\nthe cell\na\n")
    assert first.output.splitlines()[-1] == "Score: 3/3", first.output
    again = quiz(runner, sample_bank, "--topic", "lstm", input="")
    assert "Nothing is due for review. The next review is due" in again.output
    only_new = quiz(runner, sample_bank, "--topic", "lstm", "--new")
    assert "You have seen every question that matches" in only_new.output


def test_no_color_env_and_terminal_detection(runner, sample_bank, monkeypatch):
    monkeypatch.setattr("rnnprep.cli.app.stdout_is_terminal", lambda: True)
    coloured = quiz(runner, sample_bank, "--id", "sample.tf", input="t\n", color=True)
    assert "\x1b[" in coloured.output
    monkeypatch.setenv("NO_COLOR", "1")
    plain = quiz(runner, sample_bank, "--id", "sample.tf", input="t\n", color=True)
    assert "\x1b[" not in plain.output


def test_not_a_terminal_means_no_colour(runner, sample_bank):
    assert "\x1b[" not in quiz(runner, sample_bank, "--id", "sample.tf", input="t\n", color=True).output


@pytest.mark.parametrize("args", [["--count", "0"], ["--difficulty", "insane"], ["--type", "essay"]])
def test_bad_options_exit_2(runner, sample_bank, args):
    assert quiz(runner, sample_bank, *args).exit_code == 2


def test_questions_stats_json(runner, sample_bank):
    result = runner.invoke(cli, ["questions", "stats", "--json", "--bank", str(sample_bank)])
    data = json.loads(result.output)
    assert data["total"] == 9 and data["verified"] == 3
    assert data["by_type"]["mcq"] == 1 and data["by_difficulty"] == {"easy": 4, "medium": 5, "hard": 0}


# --- the quiz issue ----------------------------------------------------------------------------


def test_contradictory_modes_are_a_usage_error(runner, sample_bank):
    result = quiz(runner, sample_bank, "--new", "--review")
    assert result.exit_code == 2 and "--new and --review contradict each other" in result.output


def test_a_bank_folder_without_banks_is_an_error(runner, tmp_path):
    result = runner.invoke(cli, ["quiz", "--bank", str(tmp_path)])
    assert result.exit_code == 2 and "holds no bank" in result.output and "Traceback" not in result.output


def test_a_scripted_open_question_shows_the_model_answer_and_records_the_rating(runner, sample_bank, isolated_home):
    result = quiz(runner, sample_bank, "--id", "sample.open", input="additive updates\n1,3\n")
    assert result.exit_code == 0, result.output
    assert "Model answer:" in result.output and "  2. The gradient along c is scaled by f" in result.output
    assert "2 of 3 key points: rated Hard." in result.output
    assert "Study: The gradient along c is scaled by f, not by W_hh and tanh'" in result.output
    assert result.output.rstrip().endswith("Score: 1/1")
    rows = sqlite3.connect(isolated_home / "progress.sqlite3").execute("SELECT answer, correct, rating FROM reviews").fetchall()
    assert rows == [("additive updates", 1, 2)]


def test_i_was_right_is_recorded_as_an_override(runner, sample_bank, isolated_home):
    result = quiz(runner, sample_bank, *ids_args("sample.tf", "sample.mcq"), input="f\n:r\na\n")
    assert result.exit_code == 0, result.output
    assert "Counted as right (recorded as your override)." in result.output
    assert "overridden         1" in result.output and result.output.rstrip().endswith("Score: 2/2")
    rows = sqlite3.connect(isolated_home / "progress.sqlite3").execute(
        "SELECT question_id, correct, rating, overridden FROM reviews ORDER BY id").fetchall()
    assert rows[0] == ("sample.tf", 1, 3, 1)


def test_a_right_answer_can_be_rated_hard_or_easy(runner, sample_bank, isolated_home):
    result = quiz(runner, sample_bank, *ids_args("sample.tf", "sample.mcq", "sample.short"), input="t\n:e\nb\n:h\nq\n")
    assert "Rated Easy" in result.output
    assert "Only a right answer can be rated hard or easy" in result.output
    ratings = sqlite3.connect(isolated_home / "progress.sqlite3").execute("SELECT rating FROM reviews ORDER BY id").fetchall()
    assert ratings == [(4,), (1,)]


def test_skip_shows_the_explanation(runner, sample_bank):
    result = quiz(runner, sample_bank, "--id", "sample.tf", input="s\n")
    assert "Skipped. Answer: true" in result.output
    assert "shared" in result.output.split("Skipped.")[1] or len(result.output.split("Skipped.")[1].strip()) > 30


def test_hint_is_offered_only_when_there_is_one(runner, sample_bank):
    result = quiz(runner, sample_bank, "--id", "sample.order", input="?\nq\n")
    assert "? hint" not in result.output.split("\n> ")[0]
    assert "This question has no hints." in result.output


def test_ctrl_c_prints_the_summary_and_exits_130(runner, sample_bank, monkeypatch):
    from rnnprep.cli import console

    answers = iter(["t"])

    def read(self, prompt):
        try:
            return next(answers)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(console.TerminalConsole, "read", read)
    result = quiz(runner, sample_bank, *ids_args("sample.tf", "sample.mcq", "sample.short"))
    assert result.exit_code == 130
    assert "not answered       2 (interrupted)" in result.output and result.output.rstrip().endswith("Score: 1/1")


def test_new_questions_come_easy_first_and_within_the_daily_limit(runner, sample_bank):
    result = quiz(runner, sample_bank, "-n", "3", "--new-per-day", "2", input="q\n")
    assert "limited to 2 a day (--new-per-day): 0 started today, so 2 more today" in result.output
    assert "[1/2]" in result.output and "· easy ·" in result.output.split("\n")[1]


def test_a_first_quiz_within_the_daily_limit_says_nothing_about_the_limit(runner, sample_bank):
    result = quiz(runner, sample_bank, "-n", "2", "--new-per-day", "3", input="q\n")
    assert "new-per-day" not in result.output and "[1/2]" in result.output
