"""Mock interviews, scripted end to end on a fake clock: adaptivity both ways, section clocks,
the coding step (submit, time up, Ctrl-C), the saved report, and history with trends."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from rnnprep.bank import load_questions
from rnnprep.interview import InterviewOptions, history, history_lines, report_path, run
from rnnprep.interview.levels import LEVELS, easier, harder
from rnnprep.interview.session import Interview
from rnnprep.store import STORE_FILENAME, Store

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ("alpha", "beta", "gamma")


def write_bank(folder: Path) -> Path:
    """True/false questions (all true) at every difficulty in three topics, and open questions."""
    lines = ["schema: rnnprep/v1", "id: fake", "title: A bank for interviews", "version: 1", "questions:"]
    for topic in TOPICS:
        for difficulty in ("easy", "medium", "hard"):
            for n in range(4):
                lines += [f"  - id: fake.{topic}.{difficulty}.q{n}", f"    topic: {topic}", f"    difficulty: {difficulty}",
                          "    type: truefalse", f"    prompt: Statement {n} about {topic} is true.", "    answer: true",
                          "    explanation: It is true."]  # fmt: skip
        for difficulty in ("easy", "medium", "hard"):
            lines += [f"  - id: fake.{topic}.open.{difficulty}", f"    topic: {topic}", f"    difficulty: {difficulty}",
                      "    type: open", f"    prompt: Explain {topic} to me.",
                      "    model_answer: " + " ".join(["word"] * 70),
                      "    key_points: [first point, second point, third point, fourth point]"]  # fmt: skip
    path = folder / "fake.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


class FakeClock:
    """Monotonic seconds that move only when the learner reads a prompt."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ScriptedConsole:
    """A pipe: `reply(prompt, output)` gives each line; every read takes `step` seconds."""

    interactive = False

    def __init__(self, clock: FakeClock, reply: Callable[[str, str], str | None], step: float = 20.0) -> None:
        self.clock, self.reply, self.step = clock, reply, step
        self.shown: list[str] = []

    def show(self, text: str = "") -> None:
        self.shown.append(text)

    def read(self, prompt: str) -> str | None:
        self.clock.now += self.step
        return self.reply(prompt, self.output)

    def style(self, text: str, **styles: object) -> str:
        return text

    @property
    def output(self) -> str:
        return "\n".join(self.shown)


def coding_kata(output: str) -> str:
    return re.findall(r"Coding · (\w+) ·", output)[-1]


def learner(right: Callable[[int], bool], coding: Callable[[str], str | None]) -> Callable[[str, str], str | None]:
    """Answers true/false questions right or wrong by their number, rates open ones, then codes."""
    asked = {"n": 0}

    def reply(prompt: str, output: str) -> str | None:
        if prompt.startswith("coding"):
            return coding(coding_kata(output))
        if prompt.startswith("Key points"):
            return "1,2,3" if right(asked["n"]) else "0"
        asked["n"] += 1
        if "Explain" in output.rsplit("\n\n", 1)[-1]:
            return "my spoken answer"
        return "t" if right(asked["n"]) else "f"

    return reply


def solution(kata: str) -> str:
    return f"submit {ROOT / 'solutions' / f'{kata}.py'}"


def interview(tmp_path: Path, reply: Callable[[str, str], str | None], *, level: str = "mid", minutes: float = 30,
              seed: int = 1, step: float = 20.0, grade: object = None) -> tuple[object, ScriptedConsole, Store]:  # fmt: skip
    clock = FakeClock()
    console = ScriptedConsole(clock, reply, step)
    store = Store.open(tmp_path / "home" / STORE_FILENAME)
    options = InterviewOptions(minutes=minutes, level=level, seed=seed)
    record, _, _ = run(options, console, store, tmp_path / "ws", tmp_path / "home", clock=clock, grade=grade,  # type: ignore[arg-type]
                       questions=load_questions([write_bank(tmp_path)], shipped=False))  # fmt: skip
    return record, console, store


def fake_grade(passed: bool) -> Callable[..., object]:
    """A grader stand-in for tests about the flow, not the grading."""
    from rnnprep.grading.types import CheckResult, TestOutcome

    def grade(kata, path, sandbox):
        tests = [TestOutcome("t1", passed, "fine" if passed else "Called f()\nwrong", [] if passed else ["gate-order"])]
        return CheckResult(kata.name, 1, Path(path), tests, expected_tests=1)

    return grade


# --- adaptivity ---------------------------------------------------------------------------------------


def warmup_difficulties(record: object) -> list[str]:
    return [q.difficulty for q in record.questions if q.section == "warm-up"]  # type: ignore[attr-defined]


def test_right_answers_raise_the_difficulty_and_wrong_ones_lower_it(tmp_path: Path) -> None:
    always, never = lambda n: True, lambda n: False
    up, _, _ = interview(tmp_path / "up", learner(always, lambda k: "skip"), grade=fake_grade(True))
    assert warmup_difficulties(up)[:3] == ["medium", "hard", "hard"]
    down, _, _ = interview(tmp_path / "down", learner(never, lambda k: "skip"), grade=fake_grade(True))
    assert warmup_difficulties(down)[:3] == ["medium", "easy", "easy"]
    zigzag, _, _ = interview(tmp_path / "zig", learner(lambda n: n % 2 == 1, lambda k: "skip"), grade=fake_grade(True))
    assert warmup_difficulties(zigzag)[:4] == ["medium", "hard", "medium", "hard"]


def test_levels_bound_the_difficulty() -> None:
    junior, senior = LEVELS["junior"], LEVELS["senior"]
    assert harder("medium", junior) == "medium" and easier("medium", senior) == "medium"
    assert harder("easy", junior) == "medium" and easier("hard", senior) == "medium"


def test_the_warm_up_jumps_between_topics_and_concepts_are_open_questions(tmp_path: Path) -> None:
    record, _, store = interview(tmp_path, learner(lambda n: True, lambda k: "skip"), grade=fake_grade(True))
    warmup = [q for q in record.questions if q.section == "warm-up"]
    assert len(warmup) == 8 and all(a.topic != b.topic for a, b in itertools.pairwise(warmup))
    concepts = [q for q in record.questions if q.section == "concepts"]
    assert len(concepts) == 3 and {q.type for q in concepts} == {"open"} and len({q.topic for q in concepts}) == 3
    assert all(q.note.startswith("3 of 4 key points") for q in concepts)
    assert len(store.connection.execute("SELECT * FROM reviews").fetchall()) == 11  # every answer is in the store


def test_a_section_ends_when_its_clock_runs_out(tmp_path: Path) -> None:
    # 30 minutes at level mid: 9 minutes of warm-up; each answer takes 4 minutes here.
    record, console, _ = interview(tmp_path, learner(lambda n: True, lambda k: "skip"), step=240, grade=fake_grade(True))
    assert len([q for q in record.questions if q.section == "warm-up"]) == 3
    assert "Time is up for the warm-up." in console.output
    assert all(q.seconds == 240 for q in record.questions[:3])


# --- coding -------------------------------------------------------------------------------------


def test_a_scripted_interview_end_to_end_with_the_real_grader(tmp_path: Path) -> None:
    record, console, _store = interview(tmp_path, learner(lambda n: True, solution), level="junior", seed=4)
    assert record.coding.outcome == "passed" and record.coding.ended_by == "submit"  # type: ignore[union-attr]
    assert record.coding.tests_passed == record.coding.tests_total > 0  # type: ignore[union-attr]
    kata = record.coding.kata  # type: ignore[union-attr]
    assert kata in LEVELS["junior"].katas and (tmp_path / "ws" / "interview" / f"{kata}.py").is_file()
    text = console.output
    assert "# Mock interview" in text and "| warm-up | 8/8 (100%) |" in text and "| coding | 1/1 (100%) |" in text
    saved = list((tmp_path / "home" / "interviews").glob("*.md"))
    assert len(saved) == 1 and saved[0].read_text() in text


def test_time_up_grades_the_file_as_it_stands(tmp_path: Path) -> None:
    def slow_coder(kata: str) -> str | None:
        return "time"

    record, console, _ = interview(tmp_path, learner(lambda n: True, slow_coder), step=400, grade=fake_grade(False))
    assert record.coding.ended_by == "time up" and record.coding.outcome == "failed"  # type: ignore[union-attr]
    assert record.coding.diagnosis == ["gate-order"]  # type: ignore[union-attr]
    assert "Time is up: your file is graded as it stands." in console.output
    assert "Likely mistake `gate-order`" in console.output


def test_ctrl_c_mid_kata_gives_a_partial_report(tmp_path: Path) -> None:
    def interrupted(kata: str) -> str | None:
        raise KeyboardInterrupt

    record, console, _ = interview(tmp_path, learner(lambda n: n < 5, interrupted), grade=fake_grade(True))
    assert record.ended_early == "interrupted with Ctrl-C"
    assert record.coding.outcome == "interrupted" and len(record.questions) == 11  # type: ignore[union-attr]
    assert "**Ended early (interrupted with Ctrl-C):**" in console.output
    assert history(tmp_path / "home")[0].coding.outcome == "interrupted"  # type: ignore[union-attr]


def test_the_end_of_input_at_the_prompt_is_a_skip_and_q_stops(tmp_path: Path) -> None:
    record, _, _ = interview(tmp_path / "eof", learner(lambda n: True, lambda k: None), grade=fake_grade(True))
    assert record.coding.outcome == "skipped" and record.coding.ended_by == "end of input"  # type: ignore[union-attr]
    stop, _, _ = interview(tmp_path / "q", lambda prompt, output: "q", grade=fake_grade(True))
    assert stop.ended_early == "stopped with q or at the end of input" and stop.coding.outcome == "not reached"  # type: ignore[union-attr]


# --- history and trend --------------------------------------------------------------------------


def test_history_and_trend_across_three_interviews(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for number, share in enumerate((lambda n: False, lambda n: n % 2 == 0, lambda n: True)):
        clock = FakeClock()
        console = ScriptedConsole(clock, learner(share, lambda k: "skip"))
        store = Store.open(home / STORE_FILENAME)
        options = InterviewOptions(level="mid", seed=number)
        run(options, console, store, tmp_path / "ws", home, clock=clock, grade=fake_grade(True),  # type: ignore[arg-type]
            questions=load_questions([write_bank(tmp_path)], shipped=False))  # fmt: skip
        last = console.output
    records = history(home)
    assert len(records) == 3
    lines = history_lines(records)
    assert len(lines) == 4 and lines[1].split()[0] == "1" and "0/8 (0%)" in lines[1] and "8/8 (100%)" in lines[3]
    assert re.search(r"\| \w+ \| \d/\d \(100%\) \| up from \d+% \(2 earlier\) \|", last)
    assert report_path(home, 3).read_text() in last
    from rnnprep.errors import RnnprepError

    with pytest.raises(RnnprepError, match="there are 3 saved interviews"):
        report_path(home, 4)


def test_cli_history_and_show(tmp_path: Path, runner, isolated_home: Path) -> None:
    from rnnprep.cli import cli

    assert "No interviews yet" in runner.invoke(cli, ["interview", "--history"]).output
    missing = runner.invoke(cli, ["interview", "--show", "1"])
    assert missing.exit_code == 2 and "there are 0 saved interviews" in missing.output
    both = runner.invoke(cli, ["interview", "--history", "--show", "1"])
    assert both.exit_code == 2
    unknown = runner.invoke(cli, ["interview", "--topic", "nope"])
    assert unknown.exit_code == 2 and "unknown topic nope" in unknown.output


def test_interview_questions_come_from_the_bank_api() -> None:
    interview_ = Interview(InterviewOptions(topics=("lstm",)), load_questions(), ["lstm"], None, None)  # type: ignore[arg-type]
    assert interview_.closed and all(q.topic == "lstm" for q in interview_.closed + interview_.open)
