"""Parsing and grading one answer, for every question type."""

from random import Random

import pytest

from rnnprep.bank import load_questions
from rnnprep.quiz.asking import ask, render
from rnnprep.quiz.grading import InvalidAnswer, grade


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
    assert wrong.feedback == ("h_{t-1} enters every gate unscaled through W_hh.",)
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
    assert not partial.correct and partial.feedback == ("You left out: c.",)
    extra = grade(question, "a,b,c")
    assert not extra.correct
    assert extra.feedback == ("b) The forget gate belongs to the LSTM.",)


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
    assert not grade(question, question.truth[::-1]).correct


def test_order_needs_every_letter_once(asked):
    with pytest.raises(InvalidAnswer, match="every letter"):
        grade(asked("order"), "ab")


def test_render_keeps_math_braces_and_fills_params():
    assert render("h_{t-1} with {H} units, {{literal}}, {unknown}", {"H": 8}) == "h_{t-1} with 8 units, {literal}, {unknown}"
