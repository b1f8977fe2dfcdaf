"""The shipped banks: every answer that torch can compute is checked against real torch.

Each question carrying `check` is evaluated here with torch for the range ends and
several random draws of its params; the bank's `answer`/`expr` must agree.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter, defaultdict
from random import Random

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnprep.bank import Question, load_questions
from rnnprep.quiz.asking import ask

QUESTIONS = load_questions()
CHECKED = [q for q in QUESTIONS if q.check]
DRAWS = 6


def param_sets(question: Question) -> list[dict[str, int | float]]:
    """Both range ends and a few random draws."""
    if not question.params:
        return [{}]
    sets = [{n: s.extremes()[i] for n, s in question.params.items()} for i in (0, 1)]
    rng = Random(question.id)
    sets += [{n: s.draw(rng) for n, s in question.params.items()} for _ in range(DRAWS)]
    return sets


def truth_for(question: Question, params: dict[str, int | float]):
    """What the quiz would accept as correct for these params."""
    from rnnprep.bank.expr import evaluate

    return evaluate(question.expr, params) if question.expr else question.answer


def run_check(question: Question, params: dict[str, int | float]):
    torch.manual_seed(0)
    scope = {"torch": torch, "nn": nn, "F": F, "math": math, **params}
    return eval(question.check, scope)  # our own bank content, evaluated in tests only (autograd allowed)


@pytest.mark.parametrize("question", CHECKED, ids=[q.id for q in CHECKED])
def test_answer_agrees_with_torch(question: Question):
    for params in param_sets(question):
        truth = truth_for(question, params)
        measured = run_check(question, params)
        where = f"{question.where} [{question.id}] with {params or 'no params'}"
        if question.type == "numeric":
            assert question.tolerance.accepts(float(measured), float(truth)) or math.isclose(
                float(measured), float(truth), rel_tol=1e-9
            ), f"{where}: bank says {truth}, torch gives {measured}"
        elif question.type == "shape":
            assert tuple(measured) == tuple(truth), f"{where}: bank says {truth}, torch gives {tuple(measured)}"
        elif question.type == "truefalse":
            assert bool(measured) is truth, f"{where}: bank says {truth}, torch gives {measured}"
        elif question.type == "multi":
            assert frozenset(measured) == truth, f"{where}: bank says {sorted(truth)}, torch check gives {sorted(measured)}"
        elif question.type == "mcq":
            assert measured == truth, f"{where}: bank says {truth}, torch check gives {measured}"
        else:
            pytest.fail(f"{where}: check is not supported for {question.type} questions")


def test_every_shape_question_is_checked_against_torch():
    unchecked = [q.id for q in QUESTIONS if q.type == "shape" and not q.check]
    assert unchecked == []


def grade(asked, text):
    """Mark one typed answer as the quiz does."""
    return asked.kind.mark(asked, text)


def test_every_question_renders_and_its_answer_grades_as_correct():
    for question in QUESTIONS:
        if question.type == "open":
            continue  # self-rated: there is no answer text to grade
        asked = ask(question, Random(0))
        if question.type in ("short",):
            text = question.accept[0] if question.accept else None
            if text is None:
                continue
        elif question.type == "multi":
            text = ",".join(sorted(asked.truth))
        elif question.type == "truefalse":
            text = "t" if asked.truth else "f"
        elif question.type == "shape":
            text = ",".join(map(str, asked.truth))
        elif question.type == "numeric":
            text = repr(float(asked.truth))
        else:
            text = str(asked.truth)
        assert grade(asked, text).correct, f"{question.id}: the bank's own answer {text!r} is graded wrong"


def test_coverage_of_the_issue():
    topics = Counter(q.topic for q in QUESTIONS)
    assert len(QUESTIONS) >= 200
    assert set(topics) >= {"rnn", "bptt", "gradients", "lstm", "gru", "regularization", "pytorch-api", "fundamentals"}
    assert min(topics.values()) >= 20, topics
    assert len({q.type for q in QUESTIONS}) >= 5
    assert sum(q.type in ("numeric", "shape") for q in QUESTIONS) >= 40
    assert sum(q.difficulty == "hard" for q in QUESTIONS) >= 0.25 * len(QUESTIONS)


def test_wrong_mcq_choices_explain_why():
    missing = [
        f"{q.id} choice {chr(97 + i)}"
        for q in QUESTIONS
        if q.type == "mcq"
        for i, choice in enumerate(q.choices)
        if chr(97 + i) != q.answer and not choice.feedback
    ]
    assert missing == []


def test_explanations_teach_more_than_the_answer():
    short = [q.id for q in QUESTIONS if len(q.explanation.split()) < 12]
    assert short == []


def test_no_two_questions_ask_the_same_thing():
    prompts = [(q.id, " ".join(q.prompt.lower().split())) for q in QUESTIONS]
    twins = [
        (a, b)
        for i, (a, pa) in enumerate(prompts)
        for b, pb in prompts[i + 1 :]
        if (matcher := difflib.SequenceMatcher(None, pa, pb)).real_quick_ratio() > 0.9
        and matcher.quick_ratio() > 0.9
        and matcher.ratio() > 0.9
    ]
    assert twins == []


# --- coverage and fairness of the banks (the content issue, the quiz issue) ------------------

NEW_BANKS = ("decoding", "attention", "modern-recurrence", "training")
# A prompt "names a torch API" when it mentions torch itself or one of its identifiers.
TORCH_API = re.compile(
    r"torch|pytorch|\bnn\.|\bF\.|pack_|pad_packed|batch_first|proj_size|\.detach|requires_grad|"
    r"num_layers|weight_[ih]h|bias_[ih]h|clip_grad|optimizer\.|\.backward\(|batch_sizes|"
    r"enforce_sorted|\bLSTMCell\b|\bGRUCell\b|\bRNNCell\b|dropout=|bidirectional=|hidden_size|input_size",
    re.IGNORECASE,
)


def by_bank() -> dict[str, list[Question]]:
    banks: dict[str, list[Question]] = defaultdict(list)
    for question in QUESTIONS:
        banks[question.bank].append(question)
    return banks


def test_the_banks_cover_what_interviews_ask() -> None:
    topics = Counter(q.topic for q in QUESTIONS)
    assert len(QUESTIONS) >= 380
    assert sum(q.type == "open" for q in QUESTIONS) >= 30
    assert set(topics) >= {"decoding", "attention", "modern-recurrence", "training"}
    assert min(topics.values()) >= 20, topics
    for bank in NEW_BANKS:
        questions = by_bank()[bank]
        assert len(questions) >= 25, bank
        assert sum(q.difficulty == "hard" for q in questions) >= 0.25 * len(questions), bank
        assert {q.type for q in questions} >= {"mcq", "numeric", "open"}, bank


def test_torch_api_prompts_are_at_most_35_percent() -> None:
    api = [q.id for q in QUESTIONS if TORCH_API.search(q.prompt)]
    assert len(api) <= 0.35 * len(QUESTIONS), f"{len(api)} of {len(QUESTIONS)}"


@pytest.mark.parametrize("bank", sorted(by_bank()))
def test_the_length_of_a_choice_does_not_give_the_answer_away(bank: str) -> None:
    mcq = [q for q in by_bank()[bank] if q.type == "mcq"]
    lengths = [[len(c.text) for c in q.choices] for q in mcq]
    right = [ord(q.answer) - 97 for q in mcq]
    longest = sum(ls.index(max(ls)) == r for ls, r in zip(lengths, right, strict=True))
    shortest = sum(ls.index(min(ls)) == r for ls, r in zip(lengths, right, strict=True))
    assert longest <= 0.4 * len(mcq), f"the right choice is the longest in {longest} of {len(mcq)}"
    assert shortest <= 0.4 * len(mcq), f"the right choice is the shortest in {shortest} of {len(mcq)}"


def test_open_questions_carry_a_model_answer_and_key_points() -> None:
    for question in (q for q in QUESTIONS if q.type == "open"):
        assert len(question.model_answer.split()) >= 60, question.id
        assert 3 <= len(question.key_points) <= 6, question.id
        assert question.prompt.rstrip().endswith(("?", ".")), question.id


def test_every_short_question_lists_right_and_wrong_phrasings() -> None:
    for question in (q for q in QUESTIONS if q.type == "short"):
        assert len(question.phrasings_right) >= 3 and len(question.phrasings_wrong) >= 3, question.id


SHORT = [q for q in QUESTIONS if q.type == "short"]


@pytest.mark.parametrize("question", SHORT, ids=[q.id for q in SHORT])
def test_right_phrasings_are_accepted_and_near_misses_are_not(question: Question) -> None:
    asked = ask(question, Random(0))
    rejected = [text for text in question.phrasings_right if not grade(asked, text).correct]
    accepted = [text for text in question.phrasings_wrong if grade(asked, text).correct]
    assert rejected == [] and accepted == [], f"{question.where}: right marked wrong {rejected}, wrong marked right {accepted}"
