"""Export question banks to keep: an Anki deck (.apkg) and a Markdown study sheet.

Library API (no click here):
    questions_to_export(banks, topics)  -> the questions, in bank order (BankError/RnnprepError on bad input)
    make_card(question)                 -> Card: the question asked once (or a few fixed times), answered
    write_anki(cards, path)             -> one note per card; GUID from the question id
    write_markdown(cards, path)         -> grouped by topic, the answers after each topic

Every ask is fixed: its params and choice order come from a Random seeded with the question
id, so an export is the same every time, and a re-imported deck updates its notes (Anki
matches notes by GUID) instead of adding copies.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random

import genanki

from rnnprep.bank import Question, load_questions
from rnnprep.bank.types import TYPES, Asked, Open
from rnnprep.quiz.asking import ask
from rnnprep.quiz.selection import Filters, select

INSTANCES = 3  # fixed asks of a parametrized question on its card
GUID_NAMESPACE = "rnnprep"
# Fixed for good: Anki updates notes on re-import only if the note type and deck keep their ids.
MODEL_ID = 1_738_206_401
DECK_ID = 2_059_400_113
DECK_NAME = "rnnprep: recurrent networks"
HOW_TO_ANSWER_SHOWN = ("multi", "order")  # on paper the other types' answer forms go without saying


@dataclass(frozen=True)
class Card:
    """A question as it goes on a card: its fixed asks and everything the back shows."""

    question: Question
    asks: tuple[Asked, ...]

    @property
    def answers(self) -> list[str]:
        """The right answer of each ask, as the quiz shows it."""
        return [TYPES[self.question.type].describe(asked) for asked in self.asks]

    @property
    def explanations(self) -> list[str]:
        """The explanations, once each (params can make them differ between asks)."""
        return list(dict.fromkeys(asked.explanation for asked in self.asks if asked.explanation))

    @property
    def tags(self) -> list[str]:
        """Anki tags: topic and difficulty (hierarchical, so the browser groups them)."""
        return [f"topic::{self.question.topic}", f"difficulty::{self.question.difficulty}"]


def questions_to_export(banks: Sequence[Path] = (), topics: Sequence[str] = ()) -> list[Question]:
    """The shipped banks plus `banks`, only `topics` when given (an unknown topic is an error)."""
    questions = load_questions(banks)
    if not topics:
        return questions
    wanted = {question.id for question in select(questions, Filters(topics=tuple(topics)), Random(0))}
    return [question for question in questions if question.id in wanted]


def make_card(question: Question) -> Card:
    """The question's fixed asks: one, or up to INSTANCES with different params."""
    asks: list[Asked] = []
    seen: list[dict[str, int | float]] = []
    attempts = 4 * INSTANCES if question.params else 1
    for attempt in range(attempts):
        asked = ask(question, Random(f"{GUID_NAMESPACE}:{question.id}:{attempt}"))
        if asked.params not in seen:
            seen.append(asked.params)
            asks.append(asked)
        if len(asks) == INSTANCES:
            break
    return Card(question, tuple(asks))


def note_guid(question_id: str) -> str:
    """The Anki GUID of a question's note: from its id only, so edits keep it."""
    return genanki.guid_for(GUID_NAMESPACE, question_id)


# --- Anki ---------------------------------------------------------------------------------------

CSS = """
.card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; background-color: white; }
.meta { font-size: 12px; color: #888; margin-bottom: 8px; }
.how { font-size: 13px; color: #888; }
.choices { margin-top: 8px; }
.label { font-weight: bold; margin-top: 10px; }
.refs { font-size: 13px; color: #666; }
code { background: #f2f2f2; padding: 0 3px; }
"""


def _html(text: str) -> str:
    """Escaped HTML; `code` spans as <code>, line breaks kept."""
    escaped = html.escape(text, quote=False)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped).replace("\n", "<br>")


def _prompt_html(asked: Asked) -> str:
    """One ask: the prompt, its choices or items, and how to answer."""
    kind = TYPES[asked.question.type]
    parts = [f"<div>{_html(asked.prompt)}</div>"]
    shown = kind.shown(asked)
    if shown:
        parts.append('<div class="choices">' + "<br>".join(_html(line.strip()) for line in shown) + "</div>")
    if asked.question.type in HOW_TO_ANSWER_SHOWN:
        parts.append(f'<div class="how">Answer: {_html(kind.answer_help)}</div>')
    return "".join(parts)


def _numbered(items: Sequence[str]) -> str:
    """One item as it is, several as an ordered list."""
    if len(items) == 1:
        return f"<div>{items[0]}</div>"
    return "<ol>" + "".join(f"<li>{item}</li>" for item in items) + "</ol>"


def front_html(card: Card) -> str:
    """The front: topic and difficulty, then the ask (or each fixed ask, numbered)."""
    question = card.question
    meta = f'<div class="meta">{_html(question.topic)} · {question.difficulty} · {_html(question.id)}</div>'
    lead = f"<div>{len(card.asks)} versions of this question:</div>" if len(card.asks) > 1 else ""
    return meta + lead + _numbered([_prompt_html(asked) for asked in card.asks])


def back_html(card: Card) -> str:
    """The back: the answer(s), an open question's model answer and key points, the explanation, references."""
    question = card.question
    parts: list[str] = []
    if question.type == Open.name:
        parts.append(f'<div class="label">Model answer</div><div>{_html(question.model_answer or "")}</div>')
        points = "".join(f"<li>{_html(point)}</li>" for point in question.key_points)
        parts.append(f'<div class="label">Key points</div><ol>{points}</ol>')
    else:
        parts.append('<div class="label">Answer</div>' + _numbered([_html(a) for a in card.answers]))
    if card.explanations:
        parts.append('<div class="label">Why</div>' + _numbered([_html(e) for e in card.explanations]))
    if question.references:
        parts.append('<div class="refs">See: ' + "; ".join(_html(r) for r in question.references) + "</div>")
    return "".join(parts)


def anki_model() -> genanki.Model:
    """The note type: Id (sort field), Front, Back."""
    return genanki.Model(
        MODEL_ID,
        "rnnprep question",
        fields=[{"name": "Id"}, {"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}],
        css=CSS,
    )


def write_anki(cards: Sequence[Card], path: Path) -> None:
    """An .apkg with one note per card (GUID from the question id, tags topic and difficulty)."""
    model = anki_model()
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    for card in cards:
        fields = [html.escape(card.question.id), front_html(card), back_html(card)]
        deck.add_note(genanki.Note(model=model, fields=fields, tags=card.tags, guid=note_guid(card.question.id)))
    genanki.Package(deck).write_to_file(str(path))


# --- Markdown -----------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\*<>\[\]|])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def _markdown(text: str) -> str:
    """Text safe in Markdown: `code` spans kept, *, <, [, |, and word-edge _ escaped."""
    pieces = re.split(r"(`[^`]+`)", text)
    return "".join(p if p.startswith("`") else _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), p) for p in pieces)


def _indented(text: str, indent: str = "    ") -> str:
    """Continuation lines indented to stay inside a list item."""
    return text.replace("\n", "\n" + indent)


def _question_markdown(number: int, card: Card) -> list[str]:
    """The question's list item: the ask (or each fixed ask) with choices or items."""
    question = card.question
    lines = [f"{number}. *({question.difficulty})* " + ("" if len(card.asks) == 1 else f"{len(card.asks)} versions:")]
    for index, asked in enumerate(card.asks, start=1):
        prefix = "" if len(card.asks) == 1 else f"({index}) "
        text = prefix + _indented(_markdown(asked.prompt))
        if question.type in HOW_TO_ANSWER_SHOWN:
            text += f" *({_markdown(TYPES[question.type].answer_help)})*"
        if len(card.asks) == 1:
            lines[0] += text
        else:
            lines.append(f"    - {text}")
        for line in TYPES[question.type].shown(asked):
            lines.append(f"    {'    ' if len(card.asks) > 1 else ''}- {_markdown(line.strip())}")
    return lines


def _answer_markdown(number: int, card: Card) -> list[str]:
    """The answer's list item: answer(s) or model answer and key points, the explanation, references."""
    question = card.question
    if question.type == Open.name:
        lines = [f"{number}. **Model answer:** {_indented(_markdown(question.model_answer or ''))}"]
        lines += [f"    - {_markdown(point)}" for point in question.key_points]
    else:
        answers = card.answers
        shown = _markdown(answers[0]) if len(answers) == 1 else "; ".join(f"({i}) {_markdown(a)}" for i, a in enumerate(answers, 1))
        lines = [f"{number}. **{shown}**"]
    for explanation in card.explanations:  # a paragraph of the item each: a blank line before
        lines += ["", f"    {_indented(_markdown(explanation))}"]
    if question.references:
        lines += ["", f"    *See: {'; '.join(_markdown(r) for r in question.references)}*"]
    return lines


def markdown_sheet(cards: Sequence[Card]) -> str:
    """The study sheet: per topic, the numbered questions, then their answers."""
    by_topic: dict[str, list[Card]] = {}
    for card in cards:
        by_topic.setdefault(card.question.topic, []).append(card)
    lines = ["# rnnprep study sheet", "",
             f"{len(cards)} questions in {len(by_topic)} topics; the answers follow each topic.", ""]  # fmt: skip
    for topic, topic_cards in by_topic.items():
        lines += [f"## {topic}", ""]
        for number, card in enumerate(topic_cards, start=1):
            lines += [*_question_markdown(number, card), ""]
        lines += [f"### Answers: {topic}", ""]
        for number, card in enumerate(topic_cards, start=1):
            lines += [*_answer_markdown(number, card), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(cards: Sequence[Card], path: Path) -> None:
    """Write the study sheet."""
    path.write_text(markdown_sheet(cards), encoding="utf-8")
