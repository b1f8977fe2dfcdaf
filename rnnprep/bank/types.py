"""The question types: one class per type, holding everything that type means.

For each type: the YAML keys it takes and how they are validated, how a question is put
to the learner (choices shuffled, items shown in a mixed order), how an answer is read,
how it is judged, how the right answer is shown, and the line of key help. `TYPES` is the
one table the validator, the quiz, the exports and docs/bank-format.md (tested against it)
all read. Adding a type is adding a class here.
"""

from __future__ import annotations

import difflib
import math
import re
import string
from dataclasses import dataclass, field
from random import Random
from typing import Any, ClassVar, Protocol

from rnnprep.bank import textmatch
from rnnprep.bank.expr import CONSTANTS, ExprError, evaluate
from rnnprep.bank.model import Choice, ParamSpec, Question, Tolerance

LETTERS = string.ascii_lowercase
TRUE_WORDS = {"t", "true", "y", "yes"}
FALSE_WORDS = {"f", "false", "n", "no"}
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4  # the FSRS ratings
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}


class InvalidAnswer(ValueError):
    """The text is not an answer to this question; the message says how to answer."""


class Problems(Protocol):
    """Where validation reports what is wrong (a line and a message per problem)."""

    def add(self, line: int, qid: str | None, message: str) -> None: ...


@dataclass(frozen=True)
class Asked:
    """A question as put to the learner this time."""

    question: Question
    params: dict[str, int | float]
    prompt: str
    explanation: str
    hints: tuple[str, ...]
    truth: Any  # display letter | frozenset of letters | bool | number | tuple | None | letters
    order: tuple[int, ...] = ()  # display position -> index into the choices or items

    @property
    def letters(self) -> str:
        """The answer letters on offer (the choices or the shuffled items)."""
        return LETTERS[: len(self.order)]

    @property
    def kind(self) -> QuestionType:
        """This question's type."""
        return TYPES[self.question.type]


@dataclass(frozen=True)
class Mark:
    """The judgement of one answer and what to tell the learner."""

    correct: bool
    expected: str  # the right answer as the learner should see it
    feedback: tuple[str, ...] = ()
    rating: int = GOOD  # the FSRS rating the answer earns (Again ... Easy)
    note: str = ""  # e.g. "Close: check your rounding" or "Accepted; mind the spelling"


@dataclass(frozen=True)
class DocRow:
    """The type's row of the table in docs/bank-format.md (a test keeps them equal)."""

    fields: str
    how_to_answer: str
    graded_as: str


def key_line(raw: dict[str, Any], key: str) -> int:
    """The line of `key` in a parsed mapping (see yamlines)."""
    from rnnprep.bank.yamlines import key_line as find

    return find(raw, key)


def strip(raw: dict[str, Any]) -> dict[str, Any]:
    """A parsed mapping without its line bookkeeping."""
    from rnnprep.bank.yamlines import strip as clean

    return clean(raw)


class QuestionType:
    """Base class: what every type provides (see the module docstring)."""

    name: ClassVar[str]
    keys: ClassVar[frozenset[str]]  # the type's own YAML keys
    explanation_required: ClassVar[bool] = True
    answer_help: ClassVar[str]  # the key help: "one letter", "a number", ...
    doc: ClassVar[DocRow]

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        """The type's own fields for Question(...), problems reported to `out`."""
        raise NotImplementedError

    def prepare(self, question: Question, params: dict[str, int | float], rng: Random) -> tuple[Any, tuple[int, ...]]:
        """(the truth, the display order) for one ask."""
        truth = evaluate(question.expr, params) if question.expr else question.answer
        return truth, ()

    def shown(self, asked: Asked) -> list[str]:
        """The lines under the prompt (choices, items)."""
        return []

    def parse(self, asked: Asked, text: str) -> Any:
        """The answer in `text`, or InvalidAnswer saying how to answer."""
        raise NotImplementedError

    def judge(self, asked: Asked, given: Any) -> Mark:
        """Right or wrong, with feedback."""
        correct = given == asked.truth
        return Mark(correct, self.describe(asked), rating=GOOD if correct else AGAIN)

    def describe(self, asked: Asked) -> str:
        """The right answer as the learner should see it."""
        return str(asked.truth)

    def mark(self, asked: Asked, text: str) -> Mark:
        """parse then judge."""
        return self.judge(asked, self.parse(asked, text))


# --- choices ------------------------------------------------------------------------------------


def _letters(asked: Asked, text: str) -> list[str]:
    """Letters typed as `a,c`, `a c`, `ac` or `(a)`."""
    cleaned = re.sub(r"[\s,;()\[\]).]+", "", text.lower())
    if not cleaned or any(ch not in asked.letters for ch in cleaned):
        raise InvalidAnswer(f"Answer with letters {asked.letters[0]}-{asked.letters[-1]}.")
    return list(cleaned)


def _choice_order(question: Question, rng: Random) -> tuple[int, ...]:
    """The choices' display order: shuffled at every ask unless the bank pins it."""
    order = list(range(len(question.choices)))
    if question.shuffle:
        rng.shuffle(order)
    return tuple(order)


def _display_letter(asked: Asked, index: int) -> str:
    """The letter under which choice `index` (as written) is shown this time."""
    return LETTERS[asked.order.index(index)]


def _choice_text(asked: Asked, letter: str) -> Choice:
    """The choice shown under `letter`."""
    return asked.question.choices[asked.order[LETTERS.index(letter)]]


class ChoiceType(QuestionType):
    """Shared by mcq and multi: 2 to 8 choices with optional feedback, shuffled at each ask."""

    MIN_CHOICES, MAX_CHOICES = 2, 8
    keys: ClassVar[frozenset[str]] = frozenset({"choices", "answer", "check", "shuffle"})

    def choices(self, raw: dict[str, Any], out: Problems, qid: str | None) -> tuple[Choice, ...]:
        """The `choices` list."""
        value = raw.get("choices")
        low, high = self.MIN_CHOICES, self.MAX_CHOICES
        if not isinstance(value, list) or not low <= len(value) <= high:
            out.add(key_line(raw, "choices"), qid, f"choices must be a list of {low} to {high} options")
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
                out.add(key_line(item, "text"), qid, f"unknown choice key(s) {', '.join(sorted(extra))} (allowed: text, feedback)")
            feedback = item.get("feedback")
            if feedback is not None and not isinstance(feedback, str):
                out.add(key_line(item, "feedback"), qid, "choice feedback must be text")
                feedback = None
            choices.append(Choice(item["text"].strip(), feedback.strip() if feedback else None))
        return tuple(choices)

    @staticmethod
    def shuffle_flag(raw: dict[str, Any], out: Problems, qid: str | None) -> bool:
        """`shuffle: false` pins the written order."""
        value = raw.get("shuffle", True)
        if not isinstance(value, bool):
            out.add(key_line(raw, "shuffle"), qid, f"shuffle must be true or false, got {value!r}")
            return True
        return value

    @staticmethod
    def letter(value: Any, choices: tuple[Choice, ...]) -> str | None:
        """The written answer letter if it names one of the choices."""
        if isinstance(value, str) and len(value.strip()) == 1 and value.strip().lower() in LETTERS[: len(choices)]:
            return value.strip().lower()
        return None

    def shown(self, asked: Asked) -> list[str]:
        return [f"  {LETTERS[pos]}) {asked.question.choices[index].text}" for pos, index in enumerate(asked.order)]


class Mcq(ChoiceType):
    """One right choice."""

    name = "mcq"
    answer_help = "one letter"
    doc = DocRow(
        "`choices` (list of `{text, feedback?}`, 2–8), `answer` (letter, as written), `shuffle` (default true)",
        "`b`",
        "exactly that choice; the picked choice's `feedback` is shown",
    )

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        choices = self.choices(raw, out, qid)
        letter = self.letter(raw.get("answer"), choices)
        if choices and letter is None:
            out.add(key_line(raw, "answer"), qid, f"mcq answer {raw.get('answer')!r} is not among the choices a-{LETTERS[len(choices) - 1]}")
        return {"choices": choices, "answer": letter, "shuffle": self.shuffle_flag(raw, out, qid)}

    def prepare(self, question: Question, params: dict[str, int | float], rng: Random) -> tuple[Any, tuple[int, ...]]:
        order = _choice_order(question, rng)
        return LETTERS[order.index(LETTERS.index(question.answer))], order

    def parse(self, asked: Asked, text: str) -> str:
        letters = _letters(asked, text)
        if len(letters) != 1:
            raise InvalidAnswer(f"Pick one letter, {asked.letters[0]}-{asked.letters[-1]}.")
        return letters[0]

    def judge(self, asked: Asked, given: str) -> Mark:
        if given == asked.truth:
            return Mark(True, self.describe(asked), rating=GOOD)
        picked = _choice_text(asked, given)
        feedback = (f"You picked {given}) {picked.text}: {picked.feedback}",) if picked.feedback else ()
        return Mark(False, self.describe(asked), feedback, rating=AGAIN)

    def describe(self, asked: Asked) -> str:
        return f"{asked.truth}) {_choice_text(asked, asked.truth).text}"


class Multi(ChoiceType):
    """Every right choice, no wrong one."""

    name = "multi"
    answer_help = "all letters that apply, e.g. a,c"
    doc = DocRow(
        "`choices` (as mcq), `answer` (list of letters, as written), `shuffle` (default true)",
        "`a,c` (any order, spaces ok)",
        "exact set match; feedback of every wrongly picked choice shown",
    )

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        choices = self.choices(raw, out, qid)
        value = raw.get("answer")
        shuffle = self.shuffle_flag(raw, out, qid)
        if not isinstance(value, list) or not value:
            out.add(key_line(raw, "answer"), qid, "multi answer must be a non-empty list of letters, e.g. [a, c]")
            return {"choices": choices, "answer": frozenset(), "shuffle": shuffle}
        letters = [self.letter(v, choices) for v in value]
        if choices and None in letters:
            out.add(key_line(raw, "answer"), qid, f"multi answer {value!r} names letters that are not choices")
        return {"choices": choices, "answer": frozenset(x for x in letters if x), "shuffle": shuffle}

    def prepare(self, question: Question, params: dict[str, int | float], rng: Random) -> tuple[Any, tuple[int, ...]]:
        order = _choice_order(question, rng)
        return frozenset(LETTERS[order.index(LETTERS.index(x))] for x in question.answer), order

    def parse(self, asked: Asked, text: str) -> frozenset[str]:
        letters = _letters(asked, text)
        if len(set(letters)) != len(letters):
            raise InvalidAnswer("Each letter once, e.g. a,c.")
        return frozenset(letters)

    def judge(self, asked: Asked, given: frozenset[str]) -> Mark:
        if given == asked.truth:
            return Mark(True, self.describe(asked), rating=GOOD)
        notes = [f"{x}) {choice.text}: {choice.feedback}" for x in sorted(given - asked.truth)
                 if (choice := _choice_text(asked, x)).feedback]  # fmt: skip
        missed = sorted(asked.truth - given)
        if missed:
            notes.append("You left out: " + "; ".join(f"{x}) {_choice_text(asked, x).text}" for x in missed) + ".")
        return Mark(False, self.describe(asked), tuple(notes), rating=AGAIN)

    def describe(self, asked: Asked) -> str:
        return "; ".join(f"{x}) {_choice_text(asked, x).text}" for x in sorted(asked.truth))


class TrueFalse(QuestionType):
    """True or false."""

    name = "truefalse"
    keys: ClassVar[frozenset[str]] = frozenset({"answer", "check"})
    answer_help = "t or f"
    doc = DocRow("`answer: true/false`", "`t`, `f`, `true`, `false`, `y`, `n`", "exact")

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        value = raw.get("answer")
        if not isinstance(value, bool):
            out.add(key_line(raw, "answer"), qid, f"truefalse answer must be true or false, got {value!r}")
        return {"answer": value}

    def parse(self, asked: Asked, text: str) -> bool:
        word = text.strip().lower().rstrip(".")
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InvalidAnswer("Answer t (true) or f (false).")

    def describe(self, asked: Asked) -> str:
        return "true" if asked.truth else "false"


# --- computed answers ------------------------------------------------------------------------------

PARAM_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _params(raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, ParamSpec]:
    """`params`: NAME -> [low, high] or {choices: [...]}."""
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
                and spec["choices"] and all(_is_number(v) for v in spec["choices"]):  # fmt: skip
            specs[name] = ParamSpec(choices=tuple(spec["choices"]))
        else:
            out.add(line, qid, f"param {name!r} must be [low, high] (integers, low <= high) or {{choices: [numbers]}}")
    return specs


def corners(params: dict[str, ParamSpec]) -> list[dict[str, int | float]]:
    """All-lows and all-highs: the draws lint always tries."""
    return [{n: s.extremes()[i] for n, s in params.items()} for i in (0, 1)]


class ComputedType(QuestionType):
    """Shared by numeric and shape: a fixed `answer`, or `params` + `expr` drawn per ask."""

    expected: ClassVar[str]

    def check_value(self, value: Any) -> Any:
        """The value if it has this type's form; ValueError otherwise."""
        raise NotImplementedError

    def computed(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        """`answer`, or `params` + `expr` (evaluated at the range ends)."""
        from rnnprep.bank import expr as expressions

        params = _params(raw, out, qid)
        source = raw.get("expr")
        if ("answer" in raw) == (source is not None):
            out.add(key_line(raw, "type"), qid, f"a {self.name} question needs exactly one of 'answer' or 'expr'")
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
                    raise ExprError(f"expr {source!r} uses {', '.join(sorted(unknown))}, not declared in params")
                for values in corners(params):
                    self.check_value(expressions.evaluate(source, values))
            except (ExprError, ValueError) as error:
                out.add(key_line(raw, "expr"), qid, str(error))
            return {"params": params, "expr": source}
        answer = raw["answer"]
        try:
            answer = self.check_value(tuple(answer) if isinstance(answer, list) else answer)
        except ValueError as error:
            out.add(key_line(raw, "answer"), qid, str(error))
        return {"answer": answer}


ROUNDING = re.compile(
    r"\b(?:(?P<places>\d+|one|two|three|four|five|six) decimal(?: place)?s?|(?P<sig>\d+|one|two|three|four|five|six) significant (?:digit|figure)s?)",
    re.IGNORECASE,
)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def rounding_asked(prompt: str) -> tuple[str, int] | None:
    """('places', 3) for 'to 3 decimals', ('significant', 2) for '2 significant digits'."""
    match = ROUNDING.search(prompt)
    if not match:
        return None
    kind = "places" if match.group("places") else "significant"
    word = (match.group("places") or match.group("sig")).lower()
    return kind, int(NUMBER_WORDS.get(word, word))


def format_number(value: float) -> str:
    """Integers without a trailing .0, others with up to 6 significant digits."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


class Numeric(ComputedType):
    """A number, within a tolerance; typed answers may be arithmetic (2^-10, tanh(0.5))."""

    name = "numeric"
    keys: ClassVar[frozenset[str]] = frozenset({"answer", "params", "expr", "tolerance", "check"})
    answer_help = "a number (2^-10, tanh(0.5) work too)"
    expected = "a number"
    doc = DocRow(
        "`answer: NUMBER` **or** `params` + `expr`; `tolerance` optional",
        "`1024`, `1e-3`, `2^-10`, `4*32*(10+32+2)`, `tanh(0.5)`",
        "within tolerance (default: exact up to 1e-9 relative); a near miss says to check the rounding",
    )

    def check_value(self, value: Any) -> Any:
        if _is_number(value):
            return value
        raise ValueError(f"the answer must be a number, got {value!r}")

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        fields = self.computed(raw, out, qid)
        value = raw.get("tolerance")
        if value is not None:
            tolerance = _tolerance(value)
            if tolerance is None:
                out.add(key_line(raw, "tolerance"), qid, "tolerance must be a number >= 0, {abs: x} or {rel: x}")
            else:
                fields["tolerance"] = tolerance
        self._lint_rounding(raw, fields, out, qid)
        return fields

    def _lint_rounding(self, raw: dict[str, Any], fields: dict[str, Any], out: Problems, qid: str | None) -> None:
        """A prompt that asks for N decimals must accept both neighbouring roundings."""
        asked = rounding_asked(str(raw.get("prompt", "")))
        tolerance: Tolerance = fields.get("tolerance", Tolerance())
        if asked is None:
            return
        kind, digits = asked
        truths: list[float] = []
        if "answer" in fields and _is_number(fields["answer"]):
            truths = [float(fields["answer"])]
        elif "expr" in fields:
            try:
                truths = [float(evaluate(fields["expr"], v)) for v in corners(fields.get("params", {}))]
            except (ExprError, TypeError, ValueError):
                return
        for truth in truths:
            step = 10.0**-digits if kind == "places" else 10.0 ** (math.floor(math.log10(abs(truth) or 1)) - digits + 1)
            down = math.floor(truth / step) * step
            up = down + step
            if not (tolerance.accepts(down, truth) and tolerance.accepts(up, truth)):
                out.add(key_line(raw, "tolerance" if "tolerance" in raw else "prompt"), qid,
                        f"the prompt asks for {digits} {'decimals' if kind == 'places' else 'significant digits'}, "
                        f"but the tolerance rejects a correct rounding of {format_number(truth)} "
                        f"({format_number(down)} or {format_number(up)}): use tolerance: {{abs: {step * 1.1:.2g}}} or wider")  # fmt: skip
                return

    def parse(self, asked: Asked, text: str) -> float:
        # 1,024 and 1_024 are thousands; ^ is a power, as the explanations write it.
        cleaned = re.sub(r"(?<=\d)[,_](?=\d{3}\b)", "", text.strip()).replace("^", "**").replace("−", "-")
        cleaned = re.sub(r"(?<=\d)\s*[x×]\s*10\s*\*\*", "*10**", cleaned)
        try:
            value = evaluate(cleaned, CONSTANTS)
        except (ExprError, RecursionError, OverflowError):
            raise InvalidAnswer("Type a number, e.g. 1024, 0.25, 1e-3, 2^-10 or 4*32*(10+32+2).") from None
        if isinstance(value, tuple):
            raise InvalidAnswer("Type a single number, not a list.")
        return float(value)

    def judge(self, asked: Asked, given: float) -> Mark:
        tolerance = asked.question.tolerance
        truth = float(asked.truth)
        if tolerance.accepts(given, truth):
            return Mark(True, self.describe(asked), rating=GOOD)
        note = ""
        if truth and abs(given - truth) <= max(0.01 * abs(truth), 10 * tolerance.absolute):
            allowed = f"within {format_number(tolerance.absolute)} counts" if tolerance.absolute else "give more digits"
            note = f"Close: check your rounding (the answer is {self.describe(asked)}; {allowed})."
        return Mark(False, self.describe(asked), rating=AGAIN, note=note)

    def describe(self, asked: Asked) -> str:
        return format_number(asked.truth)


def _tolerance(value: Any) -> Tolerance | None:
    """`0.5`, `{abs: 0.5}` or `{rel: 0.01}`."""
    if _is_number(value) and value >= 0:
        return Tolerance(absolute=float(value), relative=1e-9)
    if isinstance(value, dict) and len(strip(value)) == 1:
        ((kind, amount),) = strip(value).items()
        if kind in ("abs", "rel") and _is_number(amount) and amount >= 0:
            return Tolerance(absolute=float(amount)) if kind == "abs" else Tolerance(relative=float(amount))
    return None


class Shape(ComputedType):
    """A tuple of sizes; each may be typed as arithmetic, (4*9, 18)."""

    name = "shape"
    keys: ClassVar[frozenset[str]] = frozenset({"answer", "params", "expr", "check"})
    answer_help = "a shape, e.g. (4, 10, 32)"
    doc = DocRow(
        "`answer: [B, T, H]` **or** `params` + `expr` giving a tuple",
        "`(4, 10, 32)`, `4,10,32`, `[4, 10, 32]`, `torch.Size([4, 10, 32])`, `(4*9, 18)`",
        "exact tuple match",
    )

    def check_value(self, value: Any) -> Any:
        if isinstance(value, tuple) and all(_is_int(v) and v >= 0 for v in value):
            return value
        raise ValueError(f"the answer must be a tuple of non-negative integers like [4, 10, 32], got {value!r}")

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        return self.computed(raw, out, qid)

    def parse(self, asked: Asked, text: str) -> tuple[int, ...]:
        cleaned = re.sub(r"torch\.size|[()\[\]]", " ", text.strip().lower()).replace("^", "**")
        parts = [p for p in re.split(r"[\s,×]+|(?<=\d)x(?=\d)", cleaned) if p and p != "x"]
        sizes = []
        for part in parts:
            try:
                value = evaluate(part, {})
            except (ExprError, RecursionError, OverflowError):
                raise InvalidAnswer("Type a shape, e.g. (4, 10, 32) or 4,10,32 (arithmetic such as 4*9 is fine).") from None
            if isinstance(value, tuple) or float(value) != int(value) or value < 0:
                raise InvalidAnswer("Each size is a whole number, e.g. (4, 10, 32).")
            sizes.append(int(value))
        if not sizes:
            raise InvalidAnswer("Type a shape, e.g. (4, 10, 32) or 4,10,32.")
        return tuple(sizes)

    def judge(self, asked: Asked, given: tuple[int, ...]) -> Mark:
        if given == asked.truth:
            return Mark(True, self.describe(asked), rating=GOOD)
        feedback: tuple[str, ...] = ()
        if len(given) != len(asked.truth):
            plural = "s" if len(given) != 1 else ""
            feedback = (f"That has {len(given)} dimension{plural}; the answer has {len(asked.truth)}.",)
        elif sorted(given) == sorted(asked.truth):
            feedback = ("The sizes are right but in another order: which axis comes first?",)
        return Mark(False, self.describe(asked), feedback, rating=AGAIN)

    def describe(self, asked: Asked) -> str:
        return "(" + ", ".join(str(v) for v in asked.truth) + ")"


# --- words ------------------------------------------------------------------------------------------


class Short(QuestionType):
    """A word or short phrase, matched fairly (see textmatch)."""

    name = "short"
    keys: ClassVar[frozenset[str]] = frozenset({"accept", "regex", "fuzzy", "phrasings"})
    answer_help = "a word or short phrase"
    doc = DocRow(
        "`accept` (list of strings), `regex` optional, `fuzzy` optional (0–1), `phrasings: {right, wrong}` (for the tests)",
        "free text",
        "normalised (case, spaces, punctuation, hyphens, a trailing parenthetical, articles) and "
        "matched against `accept` with small typos forgiven word by word (acronyms exact), or "
        "`regex` (full match, case-insensitive), or difflib ratio ≥ `fuzzy`; method calls match "
        "whatever the receiver (`x.detach()` = `h.detach()`)",
    )

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
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
            out.add(key_line(raw, "type"), qid, "a short question needs 'accept' answers or a 'regex'")
        fuzzy = raw.get("fuzzy")
        if fuzzy is not None and not (_is_number(fuzzy) and 0 < fuzzy <= 1):
            out.add(key_line(raw, "fuzzy"), qid, f"fuzzy must be a ratio in (0, 1], got {fuzzy!r}")
            fuzzy = None
        right, wrong = self.phrasings(raw, out, qid)
        return {"accept": tuple(str(a) for a in accept), "regex": None if regex is None else str(regex),
                "fuzzy": fuzzy, "phrasings_right": right, "phrasings_wrong": wrong}  # fmt: skip

    @staticmethod
    def phrasings(raw: dict[str, Any], out: Problems, qid: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
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

    def prepare(self, question: Question, params: dict[str, int | float], rng: Random) -> tuple[Any, tuple[int, ...]]:
        return None, ()

    def parse(self, asked: Asked, text: str) -> str:
        if not textmatch.normalise(text):
            raise InvalidAnswer("Type a short answer (s skips).")
        return text

    def judge(self, asked: Asked, given: str) -> Mark:
        question = asked.question
        typo = None
        for accepted in question.accept:
            ok, through_typo = textmatch.matches(given, accepted)
            if ok and not through_typo:
                return Mark(True, self.describe(asked), rating=GOOD)
            if ok:
                typo = accepted
        if typo is not None:
            return Mark(True, self.describe(asked), rating=GOOD, note=f"Accepted; it is spelled \"{typo}\".")
        typed = textmatch.normalise(given)
        plain = re.sub(r"\s+", " ", given).strip().strip("`'\"").rstrip(".").strip()
        if question.regex and any(re.fullmatch(question.regex, t, flags=re.IGNORECASE) for t in (plain, typed)):
            return Mark(True, self.describe(asked), rating=GOOD)
        if question.fuzzy and question.accept:
            best = max(difflib.SequenceMatcher(None, typed, textmatch.normalise(a)).ratio() for a in question.accept)
            if best >= question.fuzzy:
                return Mark(True, self.describe(asked), rating=GOOD, note="Accepted; mind the spelling.")
        return Mark(False, self.describe(asked), rating=AGAIN)

    def describe(self, asked: Asked) -> str:
        question = asked.question
        return question.accept[0] if question.accept else f"text matching /{question.regex}/"


class Order(QuestionType):
    """Items to put in order; shown mixed, never already in order."""

    name = "order"
    MIN_ITEMS, MAX_ITEMS = 2, 10
    keys: ClassVar[frozenset[str]] = frozenset({"items"})
    answer_help = "the letters in the right order, e.g. cabd"
    doc = DocRow(
        "`items`: the items **in the correct order** (2–10)",
        "letters in order: `cabd` or `c,a,b,d`",
        "the quiz shows them mixed; exact order; a wrong answer shows the items in order",
    )

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        items = raw.get("items")
        low, high = self.MIN_ITEMS, self.MAX_ITEMS
        if not isinstance(items, list) or not low <= len(items) <= high or not all(isinstance(i, str) for i in items):
            out.add(key_line(raw, "items"), qid, f"items must be a list of {low} to {high} texts, in the correct order")
            return {}
        if len(set(items)) != len(items):
            out.add(key_line(raw, "items"), qid, "items must be distinct")
        return {"items": tuple(i.strip() for i in items)}

    def prepare(self, question: Question, params: dict[str, int | float], rng: Random) -> tuple[Any, tuple[int, ...]]:
        order = list(range(len(question.items)))
        while len(order) > 1 and order == sorted(order):
            rng.shuffle(order)
        return "".join(LETTERS[order.index(i)] for i in range(len(order))), tuple(order)

    def shown(self, asked: Asked) -> list[str]:
        return [f"  {LETTERS[pos]}) {asked.question.items[index]}" for pos, index in enumerate(asked.order)]

    def parse(self, asked: Asked, text: str) -> str:
        letters = _letters(asked, text)
        if sorted(letters) != list(asked.letters):
            raise InvalidAnswer(f"Use every letter {asked.letters[0]}-{asked.letters[-1]} once, e.g. {asked.letters[::-1]}.")
        return "".join(letters)

    def describe(self, asked: Asked) -> str:
        steps = [f"{x}) {asked.question.items[asked.order[LETTERS.index(x)]]}" for x in asked.truth]
        return f"{asked.truth}: " + " → ".join(steps)


@dataclass(frozen=True)
class KeyPoints:
    """The key points a learner ticked on an open question."""

    ticked: frozenset[int] = field(default_factory=frozenset)  # 1-based


class Open(QuestionType):
    """An interviewer's open question: answer in your own words, then rate yourself."""

    name = "open"
    keys: ClassVar[frozenset[str]] = frozenset({"model_answer", "key_points"})
    MIN_POINTS, MAX_POINTS = 3, 6
    explanation_required = False
    answer_help = "your answer in your own words (or think it through and press Enter)"
    points_help = "the numbers of the key points you made, e.g. 1,3 (0 for none, a for all)"
    doc = DocRow(
        "`model_answer` (text), `key_points` (3–6 texts); `explanation` optional",
        "in your own words (or just think it through), then the key points you made: `1,3`",
        "self-rated: the share of key points maps to Again (< 1/2), Hard (< 3/4), Good (< all), Easy (all)",
    )

    def validate(self, raw: dict[str, Any], out: Problems, qid: str | None) -> dict[str, Any]:
        model = raw.get("model_answer")
        if not isinstance(model, str) or not model.strip():
            out.add(key_line(raw, "model_answer"), qid, "an open question needs a model_answer (text)")
            model = ""
        points = raw.get("key_points")
        low, high = self.MIN_POINTS, self.MAX_POINTS
        if not isinstance(points, list) or not low <= len(points) <= high or not all(isinstance(p, str) and p.strip() for p in points):
            out.add(key_line(raw, "key_points"), qid, f"key_points must be a list of {low} to {high} texts")
            points = []
        return {"model_answer": model.strip(), "key_points": tuple(p.strip() for p in points)}

    def prepare(self, question: Question, params: dict[str, int | float], rng: Random) -> tuple[Any, tuple[int, ...]]:
        return None, ()

    def reveal(self, asked: Asked) -> list[str]:
        """The model answer and the numbered key points, shown after the learner's answer."""
        lines = ["Model answer:", asked.question.model_answer or "", "", "Key points:"]
        lines += [f"  {n}. {point}" for n, point in enumerate(asked.question.key_points, start=1)]
        return lines

    def parse(self, asked: Asked, text: str) -> KeyPoints:
        """The key points line: '1,3', '1 3', '0' or 'none', 'a' or 'all'."""
        total = len(asked.question.key_points)
        word = text.strip().lower()
        if word in ("0", "none", "-"):
            return KeyPoints()
        if word in ("a", "all"):
            return KeyPoints(frozenset(range(1, total + 1)))
        parts = [p for p in re.split(r"[\s,;]+", word) if p]
        if not parts or not all(p.isdigit() and 1 <= int(p) <= total for p in parts):
            raise InvalidAnswer(f"Type the numbers of the key points you made, 1-{total} (e.g. 1,3), 0 for none or a for all.")
        return KeyPoints(frozenset(int(p) for p in parts))

    def judge(self, asked: Asked, given: KeyPoints) -> Mark:
        total = len(asked.question.key_points) or 1
        share = len(given.ticked) / total
        rating = AGAIN if share < 0.5 else HARD if share < 0.75 else GOOD if share < 1 else EASY
        missed = [p for n, p in enumerate(asked.question.key_points, start=1) if n not in given.ticked]
        feedback = tuple(f"Study: {point}" for point in missed)
        return Mark(rating >= HARD, self.describe(asked), feedback, rating=rating,
                    note=f"{len(given.ticked)} of {total} key points: rated {RATING_NAMES[rating]}.")  # fmt: skip

    def describe(self, asked: Asked) -> str:
        return asked.question.model_answer or ""


TYPES: dict[str, QuestionType] = {t.name: t for t in (Mcq(), Multi(), TrueFalse(), Numeric(), Shape(), Short(), Order(), Open())}
