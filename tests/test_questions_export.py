"""`rnnprep questions export`: the .apkg read back (a zip holding an SQLite collection) and the
Markdown study sheet."""

from __future__ import annotations

import html
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from rnnprep.bank import load_questions
from rnnprep.cli import cli
from rnnprep.quiz.export import note_guid

FIELD_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Note:
    """One note of an exported deck."""

    guid: str
    tags: tuple[str, ...]
    id: str
    front: str
    back: str


def read_deck(path: Path, tmp_path: Path) -> dict[str, Note]:
    """The notes of an .apkg, by question id."""
    with zipfile.ZipFile(path) as package:
        collection = next(name for name in package.namelist() if name.startswith("collection.anki2"))
        database = tmp_path / f"{path.stem}-{collection}"
        database.write_bytes(package.read(collection))
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT guid, tags, flds FROM notes").fetchall()
    notes = {}
    for guid, tags, fields in rows:
        question_id, front, back = fields.split(FIELD_SEPARATOR)
        notes[question_id] = Note(guid, tuple(tags.split()), question_id, front, back)
    assert len(notes) == len(rows), "two notes for one question"
    return notes


def export(runner, *args: str) -> None:
    result = runner.invoke(cli, ["questions", "export", *args])
    assert result.exit_code == 0, result.output


@pytest.fixture
def questions():
    """By id. Not module-scoped: it must load after conftest has pointed the cache into tmp."""
    return {question.id: question for question in load_questions()}


@pytest.fixture
def deck(runner, tmp_path) -> dict[str, Note]:
    path = tmp_path / "all.apkg"
    export(runner, "--anki", str(path))
    return read_deck(path, tmp_path)


def test_every_question_has_one_note_tagged_with_topic_and_difficulty(deck, questions):
    assert set(deck) == set(questions)
    for question_id, note in deck.items():
        question = questions[question_id]
        assert note.guid == note_guid(question_id)
        assert set(note.tags) == {f"topic::{question.topic}", f"difficulty::{question.difficulty}"}


def test_guids_and_contents_are_the_same_in_every_export(runner, tmp_path, deck):
    again = tmp_path / "again.apkg"
    export(runner, "--anki", str(again))
    assert read_deck(again, tmp_path) == deck


def test_a_changed_question_keeps_its_guid_with_the_new_content(runner, tmp_path, sample_bank):
    bank = tmp_path / "mine.yaml"
    bank.write_text(sample_bank.read_text())
    first = tmp_path / "first.apkg"
    export(runner, "--anki", str(first), "--bank", str(bank), "--topic", "lstm")
    bank.write_text(sample_bank.read_text().replace("What does the forget gate scale?", "Which state does f_t multiply?"))
    second = tmp_path / "second.apkg"
    export(runner, "--anki", str(second), "--bank", str(bank), "--topic", "lstm")
    before, after = read_deck(first, tmp_path)["sample.mcq"], read_deck(second, tmp_path)["sample.mcq"]
    assert before.guid == after.guid == note_guid("sample.mcq")
    assert "forget gate scale" in before.front and "Which state does f_t multiply?" in after.front
    assert "forget gate scale" not in after.front


def test_the_back_holds_answer_explanation_and_references(deck, questions):
    note, question = deck["lstm.gates.forget-role"], questions["lstm.gates.forget-role"]
    assert "Answer" in note.back and "previous cell state" in note.back
    assert question.explanation.split(".")[0].replace("*", "") in re.sub(r"<[^>]+>", "", note.back).replace("*", "")
    assert "Gers, Schmidhuber &amp; Cummins 2000" in note.back


def test_open_questions_show_the_model_answer_and_key_points(deck, questions):
    question = next(q for q in questions.values() if q.type == "open")
    back = deck[question.id].back
    assert "Model answer" in back and back.count("<li>") >= len(question.key_points)
    assert all(point.split()[0] in back for point in question.key_points)


def test_parametrized_questions_show_a_few_fixed_versions(deck, questions):
    question = questions["gradients.jacobian.scalar-power"]  # W ** T
    note = deck[question.id]
    assert "3 versions" in note.front and note.front.count("<li>") == 3
    versions = re.findall(r"w = ([\d.]+), no input.*?T = (\d+)\?", note.front)
    answers = re.findall(r"<li>([^<]+)</li>", note.back.split("Why")[0])
    assert len(set(versions)) == 3 and len(answers) == 3
    for (w, t), answer in zip(versions, answers, strict=True):
        assert float(answer) == pytest.approx(float(w) ** int(t), rel=1e-5)


def test_choices_are_shuffled_once_per_question_and_the_answer_letter_follows(deck, questions):
    shuffled = [q for q in questions.values() if q.type == "mcq" and q.shuffle and not q.params]
    moved = 0
    for question in shuffled:
        note = deck[question.id]
        lines = re.search(r'<div class="choices">(.*?)</div>', note.front).group(1).split("<br>")
        shown = {line[0]: html.unescape(re.sub(r"<[^>]+>", "", line[3:])).replace("`", "") for line in lines}  # letter -> text
        written = [choice.text.replace("`", "") for choice in question.choices]
        assert sorted(shown.values()) == sorted(written), question.id
        right = written["abcdefgh".index(question.answer)]
        letter = next(x for x, text in shown.items() if text == right)
        assert f"<div>{letter}) " in note.back, (question.id, letter)
        moved += list(shown.values()) != written
    assert moved > len(shuffled) / 2, (moved, len(shuffled))  # shuffled, not as written


def test_topic_keeps_only_that_topic(runner, tmp_path, questions):
    path = tmp_path / "gru.apkg"
    export(runner, "--anki", str(path), "--topic", "gru")
    assert set(read_deck(path, tmp_path)) == {qid for qid, q in questions.items() if q.topic == "gru"}


def test_the_markdown_sheet_groups_by_topic_with_the_answers_after_each(runner, tmp_path, questions):
    path = tmp_path / "sheet.md"
    export(runner, "--markdown", str(path))
    text = path.read_text()
    topics = list(dict.fromkeys(q.topic for q in questions.values()))
    assert re.findall(r"^## (.+)$", text, flags=re.M) == topics
    for topic in topics:
        section = text.split(f"\n## {topic}\n", 1)[1].split("\n## ", 1)[0]
        asked, answers = section.split(f"\n### Answers: {topic}\n")
        count = sum(q.topic == topic for q in questions.values())
        assert len(re.findall(r"^\d+\. ", asked, flags=re.M)) == count
        assert len(re.findall(r"^\d+\. ", answers, flags=re.M)) == count
    assert "\\*" in text and "<eos>" not in text.replace("\\<", "")  # Markdown specials are escaped


@pytest.mark.parametrize(
    ("args", "needle"),
    [([], "--anki FILE.apkg and/or --markdown FILE.md"), (["--anki", "deck.zip"], ".apkg"),
     (["--markdown", "sheet.txt"], ".md"), (["--anki", "d.apkg", "--topic", "lstn"], "Did you mean 'lstm'"),
     (["--anki", "missing/d.apkg"], "Cannot write missing/d.apkg")],
    ids=["no-output", "anki-suffix", "markdown-suffix", "unknown-topic", "missing-folder"],
)  # fmt: skip
def test_bad_input_is_one_paragraph_and_exit_2(runner, tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["questions", "export", *args])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert needle in result.output and "Traceback" not in result.output
