"""Every question type: how it is asked, how an answer is read and how it is judged."""

from collections import Counter
from pathlib import Path
from random import Random

import pytest

from rnnprep.bank import load_questions
from rnnprep.bank.types import TYPES, Asked, InvalidAnswer, Mark
from rnnprep.quiz.asking import ask, render

DOC = Path(__file__).resolve().parents[1] / "docs" / "bank-format.md"


def grade(asked: Asked, text: str) -> Mark:
    """Mark one typed answer as the quiz does."""
    return asked.kind.mark(asked, text)


@pytest.fixture
def asked(sample_bank):
    questions = {q.id.removeprefix("sample."): q for q in load_questions([sample_bank], shipped=False)}
    return lambda name, seed=0: ask(questions[name], Random(seed))


def test_mcq_right_wrong_and_choice_feedback(asked):
    question = asked("mcq")
    assert grade(question, "a").correct
    assert grade(question, " (A) ").correct
    wrong = grade(question, "b")
    assert not wrong.correct
    assert wrong.feedback == ("You picked b) The previous hidden state h_{t-1}: h_{t-1} enters every gate unscaled through W_hh.",)
    assert wrong.expected == "a) The previous cell state c_{t-1}"


@pytest.mark.parametrize("text", ["d", "ab", "", "3"])
def test_mcq_invalid_input_is_not_an_answer(asked, text):
    with pytest.raises(InvalidAnswer, match="a-c"):
        grade(asked("mcq"), text)


def test_multi_is_an_exact_set_match(asked):
    question = asked("multi")
    assert grade(question, "a,c").correct
    assert grade(question, "c a").correct
    assert grade(question, "ca").correct
    partial = grade(question, "a")
    assert not partial.correct and len(partial.feedback) == 1 and partial.feedback[0].startswith("You left out: c) ")
    extra = grade(question, "a,b,c")
    assert not extra.correct
    assert extra.feedback[0].startswith("b) ") and extra.feedback[0].endswith("The forget gate belongs to the LSTM.")


def test_multi_rejects_repeated_letters(asked):
    with pytest.raises(InvalidAnswer):
        grade(asked("multi"), "a,a")


@pytest.mark.parametrize(("text", "correct"), [("t", True), ("TRUE", True), ("yes", True), ("f", False), ("n", False)])
def test_truefalse(asked, text, correct):
    assert grade(asked("tf"), text).correct is correct


def test_truefalse_rejects_other_words(asked):
    with pytest.raises(InvalidAnswer, match="t \\(true\\) or f"):
        grade(asked("tf"), "maybe")


def test_numeric_parametrized_answer_follows_the_drawn_params(asked):
    question = asked("numeric", seed=5)
    i, h = question.params["I"], question.params["H"]
    truth = 4 * h * (i + h + 2)
    assert question.prompt == f"How many parameters does `nn.LSTM({i}, {h})` have?"
    assert grade(question, str(truth)).correct
    assert grade(question, f"4*{h}*({i}+{h}+2)").correct
    assert not grade(question, str(truth + 1)).correct
    assert question.explanation.endswith(f"{truth} in all.")


def test_numeric_thousands_separators(asked):
    question = asked("numeric", seed=5)
    truth = question.truth
    assert grade(question, f"{truth:,}").correct


def test_numeric_tolerance(asked):
    question = asked("numeric-tolerance")
    assert grade(question, "1.25").correct
    assert grade(question, "1.259").correct
    assert grade(question, "5/4").correct
    assert not grade(question, "1.3").correct


@pytest.mark.parametrize("text", ["many", "H", "1, 2", ""])
def test_numeric_rejects_text(asked, text):
    with pytest.raises(InvalidAnswer):
        grade(asked("numeric-tolerance"), text)


def test_shape_accepts_the_usual_spellings(asked):
    question = asked("shape", seed=2)
    b, h = question.params["B"], question.params["H"]
    for text in (f"(2, {b}, {h})", f"2,{b},{h}", f"[2, {b}, {h}]", f"torch.Size([2, {b}, {h}])", f"2 x {b} x {h}"):
        assert grade(question, text).correct, text
    wrong = grade(question, f"({b}, {h})")
    assert not wrong.correct and wrong.feedback == ("That has 2 dimensions; the answer has 3.",)
    assert grade(question, f"(1+1, {b}*1, {h})").correct  # arithmetic in a shape


def test_shape_rejects_words(asked):
    with pytest.raises(InvalidAnswer, match="shape"):
        grade(asked("shape"), "batch by hidden")


@pytest.mark.parametrize(
    ("text", "correct"),
    [("bptt", True), ("  BPTT. ", True), ("Backpropagation   through time", True), ("back-prop through time", True),
     ("backpropagaton through time", True), ("truncation", False)],
)
def test_short_accept_regex_and_fuzzy(asked, text, correct):
    assert grade(asked("short"), text).correct is correct


def test_order_shows_a_shuffle_and_grades_the_sequence(asked):
    question = asked("order", seed=1)
    assert question.order != tuple(range(4))  # never already in order
    assert grade(question, question.truth).correct
    assert grade(question, ",".join(question.truth)).correct
    wrong = grade(question, question.truth[::-1])
    assert not wrong.correct
    first = question.question.items[0]
    assert wrong.expected.startswith(f"{question.truth}: {question.truth[0]}) {first} → ")  # the items, in order


def test_order_needs_every_letter_once(asked):
    with pytest.raises(InvalidAnswer, match="every letter"):
        grade(asked("order"), "ab")


def test_render_keeps_math_braces_and_fills_params():
    assert render("h_{t-1} with {H} units, {{literal}}, {unknown}", {"H": 8}) == "h_{t-1} with 8 units, {literal}, {unknown}"


# --- the quiz issue: shuffled choices, fair numbers and words, open questions ----------------


def mcq(answer: str = "a", shuffle: bool = True, n: int = 4):
    from rnnprep.bank.model import Choice, Question

    choices = tuple(Choice(f"choice {i}", None if i == ord(answer) - 97 else f"why not {i}") for i in range(n))
    return Question("q.m", "rnn", "easy", "mcq", "Which?", "Because of twelve words of explanation here, at least.",
                    choices=choices, answer=answer, shuffle=shuffle)  # fmt: skip


def test_choices_are_shuffled_at_every_ask_and_reproducible() -> None:
    question = mcq()
    orders = {ask(question, Random(seed)).order for seed in range(50)}
    assert len(orders) > 10
    assert ask(question, Random(7)).order == ask(question, Random(7)).order
    asked = ask(question, Random(3))
    assert grade(asked, asked.truth).correct  # the truth follows the choice wherever it lands
    assert asked.kind.describe(asked) == f"{asked.truth}) choice 0"


def test_a_pinned_order_is_kept() -> None:
    asked = ask(mcq(shuffle=False), Random(3))
    assert asked.order == (0, 1, 2, 3) and asked.truth == "a"


def test_wrong_choice_feedback_names_the_choice_picked() -> None:
    asked = ask(mcq(), Random(1))
    wrong = next(x for x in asked.letters if x != asked.truth)
    mark = grade(asked, wrong)
    index = asked.order[ord(wrong) - 97]
    assert mark.feedback == (f"You picked {wrong}) choice {index}: why not {index}",)


def test_no_fixed_letter_beats_a_quarter_over_the_shipped_mcq() -> None:
    """Typing the same letter to every mcq, over many seeded quizzes, scores about 1/4."""
    questions = [q for q in load_questions() if q.type == "mcq"]
    positions: Counter[str] = Counter()
    for seed in range(40):
        rng = Random(seed)
        for question in questions:
            positions[ask(question, rng).truth] += 1
    total = sum(positions.values())
    for letter in "abcd":
        assert positions[letter] / total <= 0.30, positions
    assert min(positions[letter] for letter in "abc") / total >= 0.20, positions


@pytest.mark.parametrize(
    ("text", "value"),
    [("2^-10", 2**-10), ("2**-10", 2**-10), ("tanh(0.5)", 0.46211715726000974), ("sigmoid(0)", 0.5),
     ("sqrt(2)", 2**0.5), ("1,024", 1024), ("3e-4", 3e-4), ("−2", -2), ("exp(1)", 2.718281828459045)],
)
def test_numeric_answers_may_be_arithmetic(text: str, value: float) -> None:
    from rnnprep.bank.types import Numeric

    assert Numeric().parse(None, text) == pytest.approx(value)  # type: ignore[arg-type]


def test_a_near_miss_says_to_check_the_rounding() -> None:
    from rnnprep.bank.model import Question, Tolerance

    question = Question("q.n", "rnn", "easy", "numeric", "Give it to 4 decimals.", "x " * 12,
                        answer=0.8811, tolerance=Tolerance(absolute=0.0001))  # fmt: skip
    asked = ask(question, Random(0))
    mark = grade(asked, "0.88")
    assert not mark.correct and mark.note.startswith("Close: check your rounding (the answer is 0.8811")
    assert grade(asked, "0.8811").correct and not grade(asked, "0.9").note


def test_lint_wants_both_roundings_when_a_prompt_asks_for_decimals(tmp_path) -> None:
    from rnnprep.bank import lint

    bank = tmp_path / "b.yaml"
    bank.write_text("""schema: rnnprep/v1
id: b
title: B
version: 1
questions:
  - id: b.round
    topic: bptt
    difficulty: easy
    type: numeric
    prompt: What is the gradient, to 3 decimals?
    answer: 3.5625
    tolerance: {rel: 1e-4}
    explanation: one two three four five six seven eight nine ten eleven twelve
""")
    problems = [str(p) for p in lint([bank])]
    assert any("asks for 3 decimals" in p and "3.562 or 3.563" in p for p in problems), problems
    bank.write_text(bank.read_text().replace("{rel: 1e-4}", "{abs: 0.0011}"))
    assert lint([bank]) == []


def test_lint_of_a_user_bank_applies_the_quizs_rules(tmp_path) -> None:
    from rnnprep.bank import lint

    bank = tmp_path / "mine.yaml"
    bank.write_text("""schema: rnnprep/v1
id: mine
title: Mine
version: 1
questions:
  - id: lstm.gates.forget-role
    topic: lstm
    difficulty: easy
    type: truefalse
    prompt: Is this a duplicate of a shipped id?
    answer: true
    explanation: one two three four five six seven eight nine ten eleven twelve
""")
    problems = [str(p) for p in lint([bank])]
    assert len(problems) == 1 and "duplicate id: also defined at" in problems[0] and "mine.yaml" in problems[0]


def test_a_folder_without_banks_is_a_problem(tmp_path) -> None:
    from rnnprep.bank import lint

    assert "holds no bank" in str(lint([tmp_path])[0])


def open_question():
    from rnnprep.bank.model import Question

    return Question("q.o", "lstm", "medium", "open", "Explain the cell path.", "",
                    model_answer="The cell path is additive ...", key_points=("one", "two", "three", "four"))  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "rating", "correct"),
    [("0", 1, False), ("1", 1, False), ("1,2", 2, True), ("1 2 3", 3, True), ("a", 4, True), ("4,1,2,3", 4, True)],
)
def test_open_questions_map_key_points_to_a_rating(typed: str, rating: int, correct: bool) -> None:
    asked = ask(open_question(), Random(0))
    mark = grade(asked, typed)
    assert (mark.rating, mark.correct) == (rating, correct)


@pytest.mark.parametrize("typed", ["5", "x", "1,,9", ""])
def test_open_key_points_must_be_numbers_in_range(typed: str) -> None:
    with pytest.raises(InvalidAnswer, match="1-4"):
        grade(ask(open_question(), Random(0)), typed)


def test_the_bank_format_doc_describes_every_type_as_the_code_does() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, kind in TYPES.items():
        row = f"| `{name}` | {kind.doc.fields} | {kind.doc.how_to_answer} | {kind.doc.graded_as} |"
        assert row in text, f"docs/bank-format.md lacks or differs on the row of {name}:\n{row}"
        for key in kind.keys:
            assert f"`{key}" in row or key == "check", (name, key)


def test_the_doc_lists_every_function_an_expression_may_call() -> None:
    from rnnprep.bank.expr import FUNCTIONS

    line = next(line for line in DOC.read_text(encoding="utf-8").splitlines() if line.strip().startswith("`min max"))
    assert line.strip().strip("`.").split() == list(FUNCTIONS)
