"""Turn a parsed YAML bank into `Bank`/`Question` objects, collecting every problem found."""

from __future__ import annotations

import re
import string
from typing import Any

from rnnprep.bank import expr as expressions
from rnnprep.bank.model import (
    DIFFICULTIES,
    SCHEMA,
    TYPES,
    Bank,
    Choice,
    ParamSpec,
    Problem,
    Question,
    Tolerance,
)
from rnnprep.bank.yamlines import LINE, key_line, strip

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
PARAM_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
HEADER_KEYS = {"schema", "id", "title", "version", "questions", "description"}
COMMON_KEYS = {"id", "topic", "difficulty", "type", "prompt", "explanation"}
OPTIONAL_KEYS = {"tags", "hints", "references", "rev"}
TYPE_KEYS: dict[str, set[str]] = {
    "mcq": {"choices", "answer", "check", "shuffle"},
    "multi": {"choices", "answer", "check", "shuffle"},
    "truefalse": {"answer", "check"},
    "numeric": {"answer", "params", "expr", "tolerance", "check"},
    "shape": {"answer", "params", "expr", "check"},
    "short": {"accept", "regex", "fuzzy", "phrasings"},
    "order": {"items"},
    "open": {"model_answer", "key_points"},
}
OPTIONAL_BY_TYPE: dict[str, set[str]] = {"open": {"explanation"}}  # required elsewhere
KEY_POINTS = (3, 6)
LETTERS = string.ascii_lowercase


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
    fields = strip(raw)
    allowed = COMMON_KEYS | OPTIONAL_KEYS | TYPE_KEYS[qtype]
    for key in sorted(set(fields) - allowed):
        out.add(key_line(raw, key), qid, f"unknown key {key!r} for a {qtype} question (allowed: {', '.join(sorted(allowed))})")
    for key in sorted(COMMON_KEYS - OPTIONAL_BY_TYPE.get(qtype, set()) - set(fields)):
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
    specific = _TYPE_CHECKS[qtype](raw, out, qid)
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


def _choices(raw: dict[str, Any], out: _Collector, qid: str | None) -> tuple[Choice, ...]:
    """The `choices` list of an mcq/multi question."""
    value = raw.get("choices")
    if not isinstance(value, list) or not 2 <= len(value) <= 8:
        out.add(key_line(raw, "choices"), qid, "choices must be a list of 2 to 8 options")
        return ()
    choices = []
    for item in value:
        if isinstance(item, str):
            choices.append(Choice(item.strip()))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            out.add(key_line(raw, "choices"), qid, "each choice must be text or a mapping with 'text' (and optional 'feedback')")
            continue
        extra = set(strip(item)) - {"text", "feedback"}
        if extra:
            out.add(item[LINE], qid, f"unknown choice key(s) {', '.join(sorted(extra))} (allowed: text, feedback)")
        feedback = item.get("feedback")
        if feedback is not None and not isinstance(feedback, str):
            out.add(item[LINE], qid, "choice feedback must be text")
            feedback = None
        choices.append(Choice(item["text"].strip(), feedback.strip() if feedback else None))
    return tuple(choices)


def _letter(value: Any, choices: tuple[Choice, ...]) -> str | None:
    """The answer letter if it names one of the choices."""
    if isinstance(value, str) and len(value.strip()) == 1:
        letter = value.strip().lower()
        if letter in LETTERS[: len(choices)]:
            return letter
    return None


def _shuffle(raw: dict[str, Any], out: _Collector, qid: str | None) -> bool:
    """`shuffle: false` pins the written order of the choices."""
    value = raw.get("shuffle", True)
    if not isinstance(value, bool):
        out.add(key_line(raw, "shuffle"), qid, f"shuffle must be true or false, got {value!r}")
        return True
    return value


def _mcq(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, Any]:
    choices = _choices(raw, out, qid)
    letter = _letter(raw.get("answer"), choices)
    if choices and letter is None:
        span = f"a-{LETTERS[len(choices) - 1]}"
        out.add(key_line(raw, "answer"), qid, f"mcq answer {raw.get('answer')!r} is not among the choices {span}")
    return {"choices": choices, "answer": letter, "shuffle": _shuffle(raw, out, qid)}


def _multi(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, Any]:
    choices = _choices(raw, out, qid)
    value = raw.get("answer")
    if not isinstance(value, list) or not value:
        out.add(key_line(raw, "answer"), qid, "multi answer must be a non-empty list of letters, e.g. [a, c]")
        return {"choices": choices, "answer": frozenset()}
    letters = [_letter(v, choices) for v in value]
    if choices and None in letters:
        out.add(key_line(raw, "answer"), qid, f"multi answer {value!r} names letters that are not choices")
    return {"choices": choices, "answer": frozenset(x for x in letters if x), "shuffle": _shuffle(raw, out, qid)}


def _truefalse(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, Any]:
    value = raw.get("answer")
    if not isinstance(value, bool):
        out.add(key_line(raw, "answer"), qid, f"truefalse answer must be true or false, got {value!r}")
    return {"answer": value}


def _params(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, ParamSpec]:
    value = raw.get("params", {})
    if not isinstance(value, dict):
        out.add(key_line(raw, "params"), qid, "params must map names to [low, high] or {choices: [...]}")
        return {}
    specs = {}
    for name, spec in strip(value).items():
        line = key_line(value, name)
        if not isinstance(name, str) or not PARAM_PATTERN.match(name) or name == "answer":
            out.add(line, qid, f"param name {name!r} must be an identifier other than 'answer'")
        elif isinstance(spec, list) and len(spec) == 2 and all(_is_int(v) for v in spec) and spec[0] <= spec[1]:
            specs[name] = ParamSpec(low=spec[0], high=spec[1])
        elif isinstance(spec, dict) and set(strip(spec)) == {"choices"} and isinstance(spec["choices"], list) \
                and spec["choices"] and all(_is_number(v) for v in spec["choices"]):
            specs[name] = ParamSpec(choices=tuple(spec["choices"]))
        else:
            out.add(line, qid, f"param {name!r} must be [low, high] (integers, low <= high) or {{choices: [numbers]}}")
    return specs


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _computed(raw: dict[str, Any], out: _Collector, qid: str | None, kind: str) -> dict[str, Any]:
    """Shared by numeric and shape: a fixed `answer` or `params` + `expr`."""
    params = _params(raw, out, qid)
    source = raw.get("expr")
    has_answer = "answer" in raw
    if has_answer == (source is not None):
        out.add(raw[LINE], qid, f"a {kind} question needs exactly one of 'answer' or 'expr'")
        return {"params": params}
    if source is None and params:
        out.add(key_line(raw, "params"), qid, "params are only used with 'expr'")
    if source is not None:
        if not isinstance(source, str | int | float):
            out.add(key_line(raw, "expr"), qid, "expr must be an arithmetic expression")
            return {"params": params}
        source = str(source)
        try:
            unknown = expressions.names(source) - set(params)
            if unknown:
                raise expressions.ExprError(f"expr {source!r} uses {', '.join(sorted(unknown))}, not declared in params")
            for values in _corners(params):
                _expect_kind(expressions.evaluate(source, values), kind)
        except (expressions.ExprError, ValueError) as error:
            out.add(key_line(raw, "expr"), qid, str(error))
        return {"params": params, "expr": source}
    answer = raw["answer"]
    try:
        answer = _expect_kind(tuple(answer) if isinstance(answer, list) else answer, kind)
    except ValueError as error:
        out.add(key_line(raw, "answer"), qid, str(error))
    return {"answer": answer}


def _corners(params: dict[str, ParamSpec]) -> list[dict[str, int | float]]:
    """All-lows and all-highs: enough to catch an expr that fails to evaluate."""
    return [{n: s.extremes()[i] for n, s in params.items()} for i in (0, 1)]


def _expect_kind(value: Any, kind: str) -> Any:
    """Numeric answers are numbers; shape answers are tuples of non-negative ints."""
    if kind == "numeric" and _is_number(value):
        return value
    if kind == "shape" and isinstance(value, tuple) and all(_is_int(v) and v >= 0 for v in value):
        return value
    wanted = "a number" if kind == "numeric" else "a tuple of non-negative integers like [4, 10, 32]"
    raise ValueError(f"the answer must be {wanted}, got {value!r}")


def _numeric(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, Any]:
    fields = _computed(raw, out, qid, "numeric")
    value = raw.get("tolerance")
    if value is None:
        return fields
    if _is_number(value) and value >= 0:
        return {**fields, "tolerance": Tolerance(absolute=float(value), relative=1e-9)}
    if isinstance(value, dict) and len(strip(value)) == 1:
        (kind, amount), = strip(value).items()
        if kind in ("abs", "rel") and _is_number(amount) and amount >= 0:
            tolerance = Tolerance(absolute=float(amount)) if kind == "abs" else Tolerance(relative=float(amount))
            return {**fields, "tolerance": tolerance}
    out.add(key_line(raw, "tolerance"), qid, "tolerance must be a number >= 0, {abs: x} or {rel: x}")
    return fields


def _shape(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, Any]:
    return _computed(raw, out, qid, "shape")


def _short(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, Any]:
    accept = raw.get("accept", [])
    if not isinstance(accept, list) or not all(isinstance(a, str | int | float) for a in accept):
        out.add(key_line(raw, "accept"), qid, "accept must be a list of accepted answers")
        accept = []
    regex = raw.get("regex")
    if regex is not None:
        try:
            re.compile(str(regex))
        except re.error as error:
            out.add(key_line(raw, "regex"), qid, f"regex does not compile: {error}")
    if not accept and regex is None:
        out.add(raw[LINE], qid, "a short question needs 'accept' answers or a 'regex'")
    fuzzy = raw.get("fuzzy")
    if fuzzy is not None and not (_is_number(fuzzy) and 0 < fuzzy <= 1):
        out.add(key_line(raw, "fuzzy"), qid, f"fuzzy must be a ratio in (0, 1], got {fuzzy!r}")
        fuzzy = None
    right, wrong = _phrasings(raw, out, qid)
    return {"accept": tuple(str(a) for a in accept), "regex": None if regex is None else str(regex), "fuzzy": fuzzy,
            "phrasings_right": right, "phrasings_wrong": wrong}


def _phrasings(raw: dict[str, Any], out: _Collector, qid: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`phrasings: {right: [...], wrong: [...]}`: answers the test suite grades, never shown."""
    value = raw.get("phrasings")
    if value is None:
        return (), ()
    fields = strip(value) if isinstance(value, dict) else None
    lists = [fields.get(k, []) for k in ("right", "wrong")] if fields is not None else []
    if fields is None or set(fields) - {"right", "wrong"} or not all(
        isinstance(v, list) and all(isinstance(t, str) and t.strip() for t in v) for v in lists
    ):
        out.add(key_line(raw, "phrasings"), qid, "phrasings must be {right: [texts], wrong: [texts]}")
        return (), ()
    return tuple(lists[0]), tuple(lists[1])


def _open(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, Any]:
    """An open question: a model answer and the 3 to 6 key points the learner rates."""
    model = raw.get("model_answer")
    if not isinstance(model, str) or not model.strip():
        out.add(key_line(raw, "model_answer"), qid, "an open question needs a model_answer (text)")
        model = ""
    points = raw.get("key_points")
    low, high = KEY_POINTS
    if not isinstance(points, list) or not low <= len(points) <= high or not all(
        isinstance(p, str) and p.strip() for p in points
    ):
        out.add(key_line(raw, "key_points"), qid, f"key_points must be a list of {low} to {high} texts")
        points = []
    return {"model_answer": model.strip(), "key_points": tuple(p.strip() for p in points)}


def _order(raw: dict[str, Any], out: _Collector, qid: str | None) -> dict[str, Any]:
    items = raw.get("items")
    if not isinstance(items, list) or not 2 <= len(items) <= 10 or not all(isinstance(i, str) for i in items):
        out.add(key_line(raw, "items"), qid, "items must be a list of 2 to 10 texts, in the correct order")
        return {}
    if len(set(items)) != len(items):
        out.add(key_line(raw, "items"), qid, "items must be distinct")
    return {"items": tuple(i.strip() for i in items)}


_TYPE_CHECKS = {
    "mcq": _mcq,
    "multi": _multi,
    "truefalse": _truefalse,
    "numeric": _numeric,
    "shape": _shape,
    "short": _short,
    "order": _order,
    "open": _open,
}


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
