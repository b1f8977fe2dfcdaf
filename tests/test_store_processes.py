"""The store across processes: SIGKILL mid-session and two concurrent writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import rnnprep
from rnnprep.store import Store
from rnnprep.store.scheduling import replay

# A scripted "quiz": grade an answer, commit it, then tell the parent (one line per answer).
ANSWER_LOOP = """
import sys, time
from pathlib import Path
from rnnprep.store import Store

store = Store.open(Path(sys.argv[1]))
writer, count, go = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
i = 0
while count < 0 or i < count:
    store.record_review(f"q{i % 7}", topic="rnn", rev=1, answer=f"{writer}-{i}",
                        correct=i % 3 != 0, response_time=0.1)
    print(f"{writer}-{i}", flush=True)
    i += 1
"""

# Children import this very rnnprep, installed or not.
CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    filter(None, [str(Path(rnnprep.__file__).parent.parent), os.environ.get("PYTHONPATH")]))}

needs_sigkill = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def start_writer(path: Path, writer: str, count: int, go: Path) -> subprocess.Popen[str]:
    """A child process running ANSWER_LOOP, stopped after its "ready" line."""
    child = subprocess.Popen([sys.executable, "-c", ANSWER_LOOP, str(path), writer, str(count), str(go)],
                             stdout=subprocess.PIPE, text=True, env=CHILD_ENV)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def assert_consistent(store: Store) -> None:
    """The file is intact and every card is exactly what its answers imply."""
    assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    by_question: dict[str, list] = {}
    for review in store.reviews():
        by_question.setdefault(review["question_id"], []).append(
            (review["topic"], review["rev"], review["rating"], review["reviewed_at"]))
    for qid, history in by_question.items():
        assert store.card(qid) == replay(qid, history)


@needs_sigkill
def test_sigkill_mid_session_keeps_every_answer_already_reported(tmp_path: Path) -> None:
    path, go = tmp_path / "progress.sqlite3", tmp_path / "go"
    go.touch()
    child = start_writer(path, "kill", -1, go)
    assert child.stdout is not None
    reported = [child.stdout.readline().strip() for _ in range(40)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    with Store.open(path) as store:
        stored = {review["answer"] for review in store.reviews()}
        assert set(reported) <= stored
        assert_consistent(store)


def test_two_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path, go, count = tmp_path / "progress.sqlite3", tmp_path / "go", 150
    Store.open(path).close()
    writers = [start_writer(path, name, count, go) for name in ("left", "right")]
    go.touch()  # both are connected: release them together
    outputs = [child.communicate(timeout=60)[0].split() for child in writers]
    assert [child.returncode for child in writers] == [0, 0]
    assert [len(lines) for lines in outputs] == [count, count]
    with Store.open(path) as store:
        answers = [review["answer"] for review in store.reviews()]
        assert sorted(answers) == sorted(outputs[0] + outputs[1])
        assert_consistent(store)
