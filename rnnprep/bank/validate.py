"""Turn a parsed YAML bank into `Bank`/`Question` objects, collecting every problem found."""

from __future__ import annotations

import re
from typing import Any

from rnnprep.bank.model import DIFFICULTIES, SCHEMA, Bank, Problem, Question
from rnnprep.bank.types import TYPES
from rnnprep.bank.yamlines import LINE, key_line, strip

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
HEADER_KEYS = {"schema", "id", "title", "version", "questions", "description"}
COMMON_KEYS = {"id", "topic", "difficulty", "type", "prompt", "explanation"}
OPTIONAL_KEYS = {"tags", "hints", "references", "rev"}


class _Collector:
    """Gathers problems for one file so validation can go on after the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int, qid: str | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, qid, message))


def validate_bank(raw: Any, path: str) -> tuple[Bank | None, list[Problem]]:
    """Validate a whole parsed bank; returns the bank (None if unusable) and its problems."""
    out = _Collector(path)
    if not isinstance(raw, dict):
        out.add(1, None, "a bank must be a mapping with schema, id, title, version and questions")
        return None, out.problems
    for key in sorted(set(strip(raw)) - HEADER_KEYS):
        out.add(key_line(raw, key), None, f"unknown bank key {key!r} (allowed: {', '.join(sorted(HEADER_KEYS))})")
    if raw.get("schema") != SCHEMA:
        out.add(key_line(raw, "schema"), None, f"schema must be {SCHEMA!r}, got {raw.get('schema')!r}")
    bank_id = raw.get("id")
    if not isinstance(bank_id, str) or not ID_PATTERN.match(bank_id):
        out.add(key_line(raw, "id"), None, f"bank id must be a lowercase slug, got {bank_id!r}")
    if not isinstance(raw.get("title"), str) or not raw.get("title"):
        out.add(key_line(raw, "title"), None, "bank title is missing")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        out.add(key_line(raw, "version"), None, f"bank version must be a positive integer, got {version!r}")
        version = 0
    items = raw.get("questions")
    if not isinstance(items, list) or not items:
        out.add(key_line(raw, "questions"), None, "questions must be a non-empty list")
        items = []
    questions = []
    for item in items:
        question = _question(item, out, path, str(bank_id))
        if question is not None:
            questions.append(question)
    seen: dict[str, Question] = {}
    for question in questions:
        if question.id in seen:
            out.add(question.line, question.id, f"duplicate id (first at line {seen[question.id].line})")
        seen.setdefault(question.id, question)
    bank = Bank(str(bank_id), str(raw.get("title", "")), version, path, tuple(questions))
    return bank, out.problems


def _question(raw: Any, out: _Collector, path: str, bank_id: str) -> Question | None:
    """Validate one question mapping; None when it cannot be used at all."""
    if not isinstance(raw, dict):
        out.add(0, None, f"each question must be a mapping, got {type(raw).__name__}")
        return None
    line = int(raw.get(LINE, 0))
    qid = raw.get("id")
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        out.add(key_line(raw, "id"), None, f"question id must be a lowercase dotted slug, got {qid!r}")
        qid = None
    before = len(out.problems)
    qtype = raw.get("type")
    if qtype not in TYPES:
        out.add(key_line(raw, "type"), qid, f"type must be one of {', '.join(TYPES)}, got {qtype!r}")
        return None
    kind = TYPES[qtype]
    fields = strip(raw)
    allowed = COMMON_KEYS | OPTIONAL_KEYS | kind.keys
    for key in sorted(set(fields) - allowed):
        out.add(key_line(raw, key), qid, f"unknown key {key!r} for a {qtype} question (allowed: {', '.join(sorted(allowed))})")
    required = COMMON_KEYS if kind.explanation_required else COMMON_KEYS - {"explanation"}
    for key in sorted(required - set(fields)):
        out.add(line, qid, f"missing required field {key!r}")
    for key in ("topic", "prompt", "explanation"):
        if key in fields and (not isinstance(fields[key], str) or not fields[key].strip()):
            out.add(key_line(raw, key), qid, f"{key} must be non-empty text")
    if "difficulty" in fields and fields["difficulty"] not in DIFFICULTIES:
        out.add(key_line(raw, "difficulty"), qid, f"difficulty must be easy, medium or hard, got {fields['difficulty']!r}")
    lists = {key: _strings(raw, key, out, qid) for key in ("tags", "hints", "references")}
    rev = fields.get("rev", 1)
    if not isinstance(rev, int) or isinstance(rev, bool) or rev < 1:
        out.add(key_line(raw, "rev"), qid, f"rev must be a positive integer, got {rev!r}")
        rev = 1
    specific = kind.validate(raw, out, qid)
    if len(out.problems) > before or qid is None:
        return None
    question = Question(
        id=qid,
        topic=fields["topic"],
        difficulty=fields["difficulty"],
        type=qtype,
        prompt=fields["prompt"].strip(),
        explanation=str(fields.get("explanation", "")).strip(),
        source=path,
        line=line,
        bank=bank_id,
        rev=rev,
        tags=lists["tags"],
        hints=lists["hints"],
        references=lists["references"],
        check=_check_source(raw, out, qid),
        **specific,
    )
    _check_placeholders(question, raw, out)
    return None if len(out.problems) > before else question


def _strings(raw: dict[str, Any], key: str, out: _Collector, qid: str | None) -> tuple[str, ...]:
    """An optional list of non-empty strings."""
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        out.add(key_line(raw, key), qid, f"{key} must be a list of non-empty strings")
        return ()
    return tuple(v.strip() for v in value)


def _check_source(raw: dict[str, Any], out: _Collector, qid: str | None) -> str | None:
    """`check` is Python for the test suite only; lint makes sure it at least compiles."""
    source = raw.get("check")
    if source is None:
        return None
    if not isinstance(source, str):
        out.add(key_line(raw, "check"), qid, "check must be a Python expression (text)")
        return None
    try:
        compile(source.strip(), "<check>", "eval")
    except SyntaxError as error:
        out.add(key_line(raw, "check"), qid, f"check does not compile: {error.msg}")
    return source.strip()


def _check_placeholders(question: Question, raw: dict[str, Any], out: _Collector) -> None:
    """In a parametrized question, `{NAME}` must name a param or `answer` (a typo shows as-is)."""
    if not question.params:
        return
    allowed = set(question.params) | {"answer"}
    for key in ("prompt", "explanation", "hints"):
        texts = raw.get(key) if key == "hints" else [raw.get(key)]
        unknown = sorted({name for text in texts or [] for name in PLACEHOLDER.findall(text)} - allowed)
        if unknown:
            listed = ", ".join("{" + name + "}" for name in unknown)
            out.add(key_line(raw, key), question.id, f"{key} uses {listed}, which is not a param (params: {', '.join(question.params)})")
