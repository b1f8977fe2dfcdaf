"""Terminal wrapping: markers and indents kept, code and equations whole, colour takes no room."""

from __future__ import annotations

import pytest

from rnnprep.cli.wrapping import atoms, visible, wrap, wrap_line


def test_a_short_line_and_no_width_are_left_alone() -> None:
    assert wrap("short line", 40) == "short line"
    assert wrap("x " * 100, None) == "x " * 100


def test_words_break_at_spaces_and_never_inside_a_word() -> None:
    text = "the forget gate decides how much of the previous cell state is kept at each step"
    lines = wrap(text, 30).split("\n")
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(lines) == text


def test_a_choice_marker_indents_its_continuation_under_the_text() -> None:
    lines = wrap_line("  b) the input gate scales the candidate before it is added to the cell state", 40)
    assert lines[0].startswith("  b) ") and all(line.startswith("     ") for line in lines[1:])


def test_an_indented_failure_block_keeps_its_indent() -> None:
    lines = wrap_line("       The same mistake in 4 more tests: given_state_float64, given_state_float32, relu", 50)
    assert all(line.startswith("       ") and not line.startswith("        ") for line in lines)


@pytest.mark.parametrize("keep", ["h_t = tanh(W x + b)", "`np.zeros((B, H))`", "a -> b", "(4, 10, 32)"])
def test_equations_code_spans_and_shapes_stay_on_one_line(keep: str) -> None:
    text = f"{'word ' * 7}{keep} {'word ' * 7}".strip()
    assert any(keep in line for line in wrap(text, 40).split("\n"))


def test_colour_codes_take_no_room_and_do_not_open_brackets() -> None:
    bold = "\x1b[1m[3/10] lstm · easy\x1b[0m"
    assert visible(bold) == "[3/10] lstm · easy"
    text = bold + " " + "word " * 20
    assert all(len(visible(line)) <= 30 for line in wrap(text, 30).split("\n"))


def test_a_piece_longer_than_a_line_is_broken_at_its_spaces() -> None:
    call = "Called rnn_cell(x_t=(5, 4), h_prev=None, W_ih=(3, 4), W_hh=(3, 3), b_ih=(3,), b_hh=(3,), nonlinearity='tanh')"
    assert len(atoms(call)) == 2  # the call with its arguments is one piece ...
    lines = wrap_line("       " + call, 60)
    assert len(lines) > 1 and all(len(line) <= 60 for line in lines)  # ... broken rather than cut by the terminal
    assert " ".join(line.strip() for line in lines) == call


def test_a_coloured_indented_line_keeps_its_indent() -> None:
    line = "\x1b[2m       The same mistake in 4 more tests: given_state_float64, given_state_float32\x1b[0m"
    lines = wrap_line(line, 50)
    assert len(lines) > 1 and all(visible(part).startswith("       ") for part in lines)
