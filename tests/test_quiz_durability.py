"""A quiz killed with SIGKILL loses at most the question on screen."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

ANSWERS = {"sample.mcq": "b", "sample.tf": "t", "sample.multi": "a,c", "sample.short": "bptt"}


def test_sigkill_mid_quiz_keeps_every_graded_answer(tmp_path: Path, sample_bank: Path):
    home = tmp_path / "home"
    env = {**os.environ, "RNNPREP_HOME": str(home), "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    ids = [arg for qid in ANSWERS for arg in ("--id", qid)]
    quiz = subprocess.Popen([sys.executable, "-m", "rnnprep", "quiz", "--bank", str(sample_bank), *ids],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert quiz.stdin and quiz.stdout
    graded = 0
    for answer in list(ANSWERS.values())[:3]:
        quiz.stdin.write(answer + "\n")
        quiz.stdin.flush()
        for line in quiz.stdout:  # wait until the answer has been graded
            if line.startswith(("✓ Correct.", "✗ Not quite.")):
                graded += 1
                break
    quiz.send_signal(signal.SIGKILL)  # the fourth question is on screen, unanswered
    quiz.wait(timeout=30)
    assert graded == 3
    with sqlite3.connect(home / "progress.sqlite3") as db:
        rows = db.execute("SELECT question_id, answer, correct FROM reviews ORDER BY id").fetchall()
    assert rows == [("sample.mcq", "b", 0), ("sample.tf", "t", 1), ("sample.multi", "a,c", 1)]
