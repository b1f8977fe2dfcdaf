"""Loading and linting question banks: every problem names file, line and question id."""

from pathlib import Path
from textwrap import dedent

import pytest

from rnnprep.bank import lint, load_questions
from rnnprep.errors import BankError

HEADER = "schema: rnnprep/v1\nid: mine\ntitle: Mine\nversion: 1\nquestions:\n"


def write_bank(tmp_path: Path, body: str, name: str = "mine.yaml", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + dedent(body))
    return path


def one_problem(path: Path) -> str:
    problems = lint([path])
    assert len(problems) == 1, problems
    return str(problems[0])


MCQ = """\
  - id: q.one
    topic: lstm
    difficulty: easy
    type: mcq
    prompt: Pick one.
    choices: [first, second]
    answer: a
    explanation: Because.
"""


def test_sample_bank_is_clean_and_loads_every_type(sample_bank):
    assert lint([sample_bank]) == []
    questions = load_questions([sample_bank], shipped=False)
    from rnnprep.bank.types import TYPES

    assert {q.type for q in questions} == set(TYPES)


def test_unknown_key_is_located(tmp_path):
    path = write_bank(tmp_path, MCQ + "    colour: red\n")
    assert one_problem(path) == (
        f"{path}:14 [q.one]: unknown key 'colour' for a mcq question "
        "(allowed: answer, check, choices, difficulty, explanation, hints, id, prompt, references, rev, shuffle, tags, topic, type)"
    )


def test_missing_field_names_it(tmp_path):
    path = write_bank(tmp_path, MCQ.replace("    explanation: Because.\n", ""))
    assert one_problem(path).endswith("[q.one]: missing required field 'explanation'")


def test_mcq_answer_not_among_choices(tmp_path):
    path = write_bank(tmp_path, MCQ.replace("answer: a", "answer: e"))
    assert one_problem(path) == f"{path}:12 [q.one]: mcq answer 'e' is not among the choices a-b"


def test_duplicate_ids_across_banks(tmp_path):
    first = write_bank(tmp_path, MCQ, "a.yaml")
    second = write_bank(tmp_path, MCQ, "b.yaml", HEADER.replace("id: mine", "id: other"))
    problems = lint([first, second])
    assert [str(p) for p in problems] == [f"{second}:6 [q.one]: duplicate id: also defined at {first}:6"]


def test_duplicate_ids_within_a_bank(tmp_path):
    path = write_bank(tmp_path, MCQ + MCQ)
    assert one_problem(path) == f"{path}:14 [q.one]: duplicate id (first at line 6)"


def test_expr_that_does_not_evaluate(tmp_path):
    path = write_bank(tmp_path, """\
      - id: q.n
        topic: api
        difficulty: easy
        type: numeric
        prompt: Count for {H}?
        params: {H: [0, 4]}
        expr: 10 / H
        explanation: Because.
    """)
    assert "expr '10 / H': division by zero" in one_problem(path)


def test_expr_with_undeclared_name(tmp_path):
    path = write_bank(tmp_path, """\
      - id: q.n
        topic: api
        difficulty: easy
        type: numeric
        prompt: Count for {H}?
        params: {H: [1, 4]}
        expr: 4 * H * I
        explanation: Because.
    """)
    assert one_problem(path) == f"{path}:12 [q.n]: expr '4 * H * I' uses I, not declared in params"


def test_regex_that_does_not_compile(tmp_path):
    path = write_bank(tmp_path, """\
      - id: q.s
        topic: rnn
        difficulty: easy
        type: short
        prompt: Name it.
        accept: [bptt]
        regex: "back(prop"
        explanation: Because.
    """)
    assert one_problem(path).startswith(f"{path}:12 [q.s]: regex does not compile: missing )")


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write_bank(tmp_path, MCQ + "    tags: [unclosed\n")
    message = one_problem(path)
    assert message.startswith(f"{path}:") and "YAML syntax error" in message


def test_wrong_schema_and_header(tmp_path):
    path = write_bank(tmp_path, MCQ, header=HEADER.replace("rnnprep/v1", "rnnprep/v9").replace("version: 1", "version: one"))
    assert [str(p) for p in lint([path])] == [
        f"{path}:1: schema must be 'rnnprep/v1', got 'rnnprep/v9'",
        f"{path}:4: bank version must be a positive integer, got 'one'",
    ]


def test_placeholder_typo_in_a_parametrized_question(tmp_path):
    path = write_bank(tmp_path, """\
      - id: q.p
        topic: api
        difficulty: easy
        type: shape
        prompt: Shape for {B} and {HH} at h_{t-1}?
        params: {B: [1, 4]}
        expr: (B, 3)
        explanation: Because.
    """)
    assert one_problem(path) == f"{path}:10 [q.p]: prompt uses {{HH}}, which is not a param (params: B)"


def test_check_must_compile(tmp_path):
    path = write_bank(tmp_path, MCQ + "    check: 'nn.LSTM(1,'\n")
    assert "check does not compile" in one_problem(path)


def test_load_questions_raises_one_paragraph_listing_every_problem(tmp_path):
    path = write_bank(tmp_path, MCQ.replace("answer: a", "answer: z").replace("difficulty: easy", "difficulty: brutal"))
    with pytest.raises(BankError) as caught:
        load_questions([path], shipped=False)
    message = str(caught.value)
    assert message.startswith("the question banks have 2 problems:")
    assert "difficulty must be easy, medium or hard, got 'brutal'" in message
    assert "rnnprep questions lint" in message


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    assert [p.message for p in lint([tmp_path / "nope.yaml"])] == ["no such file"]


def test_shipped_banks_are_clean():
    assert lint() == []
