"""What a mock interview leaves behind: the record of every question and the kata, a Markdown
report that says what to study next, and the history that shows the trend.

Each interview is saved under the data folder as ``interviews/DATE-TIME.json`` (the record,
read back for the history and trends) and ``interviews/DATE-TIME.md`` (the report).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rnnprep.errors import RnnprepError

SECTIONS = ("warm-up", "concepts", "coding")
RIGHT, WRONG, SKIPPED = "right", "wrong", "skipped"


@dataclass
class QuestionRecord:
    """One question of the warm-up or the concepts section."""

    section: str
    id: str
    topic: str
    difficulty: str
    type: str
    outcome: str  # right | wrong | skipped
    seconds: float
    note: str = ""  # an open question's rating ("3 of 4 key points")


@dataclass
class CodingRecord:
    """The coding section: which kata, and how it ended."""

    kata: str
    outcome: str  # passed | failed | skipped | interrupted | not reached (in progress while it runs)
    seconds: float = 0.0
    ended_by: str = ""  # submit | time up | skip | end of input
    tests_passed: int = 0
    tests_total: int = 0
    diagnosis: list[str] = field(default_factory=list)
    checks: int = 0  # saves (or submits) that were graded
    error: str | None = None


@dataclass
class InterviewRecord:
    """A whole interview, as saved."""

    started: str  # local time, ISO 8601 with offset
    level: str
    minutes: float
    seed: int
    topics: list[str] = field(default_factory=list)
    questions: list[QuestionRecord] = field(default_factory=list)
    coding: CodingRecord | None = None
    ended_early: str | None = None  # why it stopped before the debrief
    seconds: float = 0.0

    # --- scores -------------------------------------------------------------------------------------

    def section_scores(self) -> dict[str, tuple[int, int]]:
        """section -> (right, asked); the coding section counts 1 of 1 for a pass."""
        scores: dict[str, tuple[int, int]] = {}
        for section in SECTIONS[:2]:
            asked = [q for q in self.questions if q.section == section]
            scores[section] = (sum(q.outcome == RIGHT for q in asked), len(asked))
        if self.coding is not None and self.coding.outcome != "not reached":
            scores["coding"] = (int(self.coding.outcome == "passed"), 1)
        return scores

    def topic_scores(self) -> dict[str, tuple[int, int]]:
        """topic -> (right, asked) over both question sections."""
        scores: dict[str, tuple[int, int]] = {}
        for q in self.questions:
            right, asked = scores.get(q.topic, (0, 0))
            scores[q.topic] = (right + (q.outcome == RIGHT), asked + 1)
        return dict(sorted(scores.items()))

    def missed(self) -> list[QuestionRecord]:
        """The questions answered wrong or skipped."""
        return [q for q in self.questions if q.outcome != RIGHT]

    # --- saving -------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InterviewRecord:
        questions = [QuestionRecord(**q) for q in data.get("questions", [])]
        coding = CodingRecord(**data["coding"]) if data.get("coding") else None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k not in ("questions", "coding")}
        return cls(**known, questions=questions, coding=coding)

    def stamp(self) -> str:
        """'2026-11-24-153012-042': the file name of this interview (to the millisecond)."""
        started = datetime.fromisoformat(self.started)
        return started.strftime("%Y-%m-%d-%H%M%S-") + f"{started.microsecond // 1000:03d}"


def clock_text(seconds: float) -> str:
    """'12:05' (minutes:seconds), never negative."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def percent(score: tuple[int, int]) -> str:
    right, asked = score
    return f"{right}/{asked} ({right / asked:.0%})" if asked else "-"


# --- the history ----------------------------------------------------------------------------------


def interviews_dir(home: Path) -> Path:
    return home / "interviews"


def save(record: InterviewRecord, home: Path, markdown: str) -> Path:
    """Write the record and its report; returns the report's path."""
    folder = interviews_dir(home)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = record.stamp()
        (folder / f"{stamp}.json").write_text(json.dumps(record.to_dict(), indent=1), encoding="utf-8")
        path = folder / f"{stamp}.md"
        path.write_text(markdown, encoding="utf-8")
    except OSError as error:
        raise RnnprepError(f"Cannot save the interview report in {folder} ({error.strerror}). Make it writable, "
                           f"or set RNNPREP_HOME to a folder you can write to; the report is printed above.") from None  # fmt: skip
    return path


def history(home: Path) -> list[InterviewRecord]:
    """Every saved interview, oldest first (unreadable files are skipped)."""
    folder = interviews_dir(home)
    records = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            records.append(InterviewRecord.from_dict(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return records


def history_lines(records: Sequence[InterviewRecord]) -> list[str]:
    """`--history`: one line per interview, numbered for --show."""
    if not records:
        return ["No interviews yet. Start one with `rnnprep interview`."]
    lines = [f"{'#':>3}  {'date':<16}  {'level':<6}  {'min':>4}  {'warm-up':<11}  {'concepts':<11}  coding"]
    for number, record in enumerate(records, 1):
        scores = record.section_scores()
        coding = f"{record.coding.kata} {record.coding.outcome}" if record.coding else "-"
        when = datetime.fromisoformat(record.started).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{number:>3}  {when:<16}  {record.level:<6}  {record.minutes:>4g}  "
                     f"{percent(scores.get('warm-up', (0, 0))):<11}  {percent(scores.get('concepts', (0, 0))):<11}  {coding}"
                     + (f"  ({record.ended_early})" if record.ended_early else ""))  # fmt: skip
    return lines


def report_path(home: Path, number: int) -> Path:
    """The Markdown report of interview `number` (1 = the oldest, as --history lists them)."""
    records = history(home)
    if not 1 <= number <= len(records):
        raise RnnprepError(f"--show {number}: there {'is' if len(records) == 1 else 'are'} {len(records)} saved "
                           f"interview{'s' * (len(records) != 1)}; `rnnprep interview --history` lists them.")  # fmt: skip
    return interviews_dir(home) / f"{records[number - 1].stamp()}.md"


# --- the Markdown report --------------------------------------------------------------------------


def markdown(record: InterviewRecord, earlier: Sequence[InterviewRecord], teaching: dict[str, list[str]]) -> str:
    """The report: scores, times, the kata, what to study next, and the trend.

    `teaching` maps a topic to the katas that practise it (from the registry).
    """
    when = datetime.fromisoformat(record.started).strftime("%Y-%m-%d %H:%M")
    lines = [f"# Mock interview, {when}", "",
             f"Level **{record.level}**, {record.minutes:g} minutes planned, {record.seconds / 60:.1f} taken"
             + (f"; topics: {', '.join(record.topics)}" if record.topics else "") + f"; seed {record.seed}."]  # fmt: skip
    if record.ended_early:
        lines += ["", f"**Ended early ({record.ended_early}):** this report covers what was answered."]
    lines += ["", "## Scores", "", "| section | score |", "|---|---|"]
    lines += [f"| {section} | {percent(score)} |" for section, score in record.section_scores().items()]
    topics = record.topic_scores()
    if topics:
        lines += ["", "| topic | score | trend |", "|---|---|---|"]
        lines += [f"| {topic} | {percent(score)} | {trend(topic, score, earlier)} |" for topic, score in topics.items()]
    lines += ["", "## Questions", "", "| # | section | question | topic | difficulty | result | time |", "|---|---|---|---|---|---|---|"]
    for number, q in enumerate(record.questions, 1):
        result = q.outcome + (f" ({q.note})" if q.note else "")
        lines.append(f"| {number} | {q.section} | `{q.id}` | {q.topic} | {q.difficulty} | {result} | {q.seconds:.0f} s |")
    lines += ["", "## Coding", "", *_coding_lines(record.coding)]
    lines += ["", "## What to study next", "", *_study_lines(record, teaching)]
    return "\n".join(lines) + "\n"


def _coding_lines(coding: CodingRecord | None) -> list[str]:
    if coding is None:
        return ["Not reached."]
    from rnnprep.diagnosis import CATALOGUE

    how = f" ({coding.ended_by})" if coding.ended_by and coding.ended_by != "submit" else ""
    lines = [f"Kata `{coding.kata}`: **{coding.outcome}**{how}"
             + (f", {coding.tests_passed} of {coding.tests_total} tests passed" if coding.tests_total else "")
             + f", {coding.seconds / 60:.1f} minutes, {coding.checks} check{'s' * (coding.checks != 1)}."]  # fmt: skip
    if coding.error:
        lines += ["", "```", coding.error.strip()[:1500], "```"]
    for mistake in coding.diagnosis:
        known = CATALOGUE.get(mistake)
        if known is not None:
            lines += ["", f"- Likely mistake `{mistake}`: {known.title}. {known.fix}"]
    return lines


def _study_lines(record: InterviewRecord, teaching: dict[str, list[str]]) -> list[str]:
    """Each missed concept with the quiz questions and katas that teach it."""
    from rnnprep.diagnosis import CATALOGUE

    lines = []
    for q in record.missed():
        katas = ", ".join(f"`rnnprep kata {k}`" for k in teaching.get(q.topic, [])[:2])
        lines.append(f"- `{q.id}` ({q.topic}, {q.outcome}): `rnnprep quiz --id {q.id}`" + (f"; practise {katas}" if katas else ""))
    if record.coding is not None:
        for mistake in record.coding.diagnosis:
            known = CATALOGUE.get(mistake)
            if known is not None and known.quiz_ids:
                ids = " ".join(f"--id {i}" for i in known.quiz_ids[:3])
                lines.append(f"- {known.title} (in `{record.coding.kata}`): `rnnprep quiz {ids}`; redo "
                             f"`rnnprep kata {record.coding.kata}`")  # fmt: skip
        if record.coding.outcome in ("failed", "skipped", "interrupted"):
            lines.append(f"- Finish the kata: `rnnprep kata start {record.coding.kata}`, then `rnnprep kata "
                         f"{record.coding.kata} --watch`.")  # fmt: skip
    return lines or ["Nothing missed. Try the next level (`--level`), or fewer minutes."]


def trend(topic: str, score: tuple[int, int], earlier: Sequence[InterviewRecord]) -> str:
    """'up from 40% (2 earlier)' against the topic's mean accuracy in earlier interviews."""
    past = [r.topic_scores()[topic] for r in earlier if topic in r.topic_scores()]
    if not past or not score[1]:
        return "first time"
    before = sum(right for right, _ in past) / sum(asked for _, asked in past)
    now = score[0] / score[1]
    word = "up" if now > before + 1e-9 else "down" if now < before - 1e-9 else "same as"
    return f"{word} {'from ' if word != 'same as' else ''}{before:.0%} ({len(past)} earlier)"
