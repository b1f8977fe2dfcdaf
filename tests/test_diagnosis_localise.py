"""localise(): the first divergent step, h or c, and the gate block behind it."""

from __future__ import annotations

import numpy as np
from test_diagnosis import (
    classic_lstm,
    draw,
    gru_forward,
    load_solution,
    lstm_forward,
    rnn_forward,
    run_user,
    simple_rnn,
)

from rnnprep.diagnosis import localise


def expected(kata: str, a: dict):
    """The correct return value (the shipped solution)."""
    return load_solution(kata)(a)


def test_correct_outputs_have_nothing_to_say() -> None:
    a = draw("lstm", 30)
    assert localise("lstm", a, expected("lstm", a), expected("lstm", a), 1e-9) == ""


def test_unknown_kata_or_garbled_output_says_nothing() -> None:
    a = draw("gru", 31)
    assert localise("stacked_lstm", a, None, None, 1e-9) == ""
    assert localise("gru", a, expected("gru", a), (np.zeros(2),), 1e-9) == ""


def test_forget_gate_unused_shows_at_step_one_in_the_cell_path() -> None:
    a = draw("lstm", 32, states=False)  # c0 = 0: step 0 is right, step 1 is not
    text = localise(
        "lstm", a, expected("lstm", a), lstm_forward(*a.values(), bug="forget-gate-unused"), 1e-9
    )
    assert "time step t=1 of" in text and "step 0 matches" in text
    assert "the forget gate f is not applied at all" in text
    assert "c_t goes wrong first" in text


def test_missing_tanh_on_the_cell_is_an_output_path_error() -> None:
    a = draw("lstm", 33)
    text = localise(
        "lstm", a, expected("lstm", a), lstm_forward(*a.values(), bug="wrong-activation:cell"), 1e-9
    )
    assert "t=0" in text and "h = o * c, without tanh" in text
    assert "c_t is still right" in text


def test_gate_order_names_the_two_blocks() -> None:
    a = draw("lstm", 34)
    text = localise(
        "lstm", a, expected("lstm", a), lstm_forward(*a.values(), bug="gate-order"), 1e-9
    )
    assert "the candidate g and the output gate o are swapped" in text


def test_a_missing_bias_block_is_named() -> None:
    a = draw("lstm", 35)
    b_hh = a["b_hh"].copy()
    H = a["W_hh"].shape[1]
    b_hh[2 * H : 3 * H] = 0  # the user forgot b_hh on g only
    actual = lstm_forward(*{**a, "b_hh": b_hh}.values())
    text = localise("lstm", a, expected("lstm", a), actual, 1e-9)
    assert "the candidate g is missing b_hh" in text


def test_divergence_in_the_middle_is_located() -> None:
    a = draw("rnn", 36)
    actual = rnn_forward(*a.values())
    actual[0][:, 2:] += 0.5  # steps from t=2 on are off
    text = localise("rnn", a, expected("rnn", a), (actual[0], actual[1] + 0.5), 1e-9)
    assert "t=2 of" in text and "steps 0..1 match" in text
    assert "No single change" in text


def test_relu_for_tanh_is_named_on_the_rnn() -> None:
    a = draw("rnn", 37)
    text = localise(
        "rnn", a, expected("rnn", a), rnn_forward(*a.values(), bug="wrong-activation"), 1e-9
    )
    assert "the pre-activation uses relu instead of tanh" in text


def test_a_wrong_final_state_is_reported_as_such() -> None:
    a = draw("lstm", 38)
    text = localise(
        "lstm", a, expected("lstm", a), lstm_forward(*a.values(), bug="final-state-not-last"), 1e-9
    )
    assert text.startswith("Every step of output matches, but h_n and c_n differ")


def test_last_step_of_an_lstm_says_whether_c_is_right() -> None:
    a = draw("lstm", 39)
    a["x"] = a["x"][:, :1]  # T = 1: the only step is the last, c_n is observable there
    text = localise(
        "lstm", a, expected("lstm", a), lstm_forward(*a.values(), bug="wrong-activation:cell"), 1e-9
    )
    assert "c_n is right: only h differs" in text


def test_gru_reset_placement_is_found_in_the_candidate() -> None:
    a = draw("gru", 40)
    text = localise(
        "gru", a, expected("gru", a), gru_forward(*a.values(), bug="gru-reset-placement"), 1e-9
    )
    assert "the reset is applied before the matmul" in text


def test_cells_say_which_output_differs() -> None:
    a = draw("lstm_cell", 41)
    text = localise(
        "lstm_cell",
        a,
        expected("lstm_cell", a),
        run_user("lstm_cell", a, "wrong-activation:cell"),
        1e-9,
    )
    assert text.startswith("Outputs: h_t differs, c_t matches.")
    assert "h = o * c, without tanh" in text


def test_classes_blame_the_read_out_when_the_states_are_right() -> None:
    a = draw("simple_rnn", 42)
    text = localise(
        "simple_rnn", a, expected("simple_rnn", a), simple_rnn(a, "missing-bias:by"), 1e-9
    )
    assert text.startswith("Outputs: y differs, h matches") and "read-out" in text


def test_classes_name_the_gate_over_the_whole_sequence() -> None:
    a = draw("classic_lstm", 43)
    text = localise(
        "classic_lstm", a, expected("classic_lstm", a), classic_lstm(a, "wrong-activation"), 1e-9
    )
    assert "no time step can be named" in text
    assert "the candidate g uses sigmoid instead of tanh" in text


def test_a_batch_time_mix_up_shows_partly_right_batch_items() -> None:
    a = draw("rnn", 44)
    output, h_n = rnn_forward(*a.values(), bug="batch-time-swapped")  # (T, B, H) reshaped
    text = localise("rnn", a, expected("rnn", a), (output, h_n), 1e-9)
    assert "t=0 of" in text and "Only batch item(s)" in text and "the others match" in text


def test_swapped_states_are_called_out() -> None:
    a = draw("lstm", 45)
    text = localise(
        "lstm", a, expected("lstm", a), lstm_forward(*a.values(), bug="state-swap"), 1e-9
    )
    assert "h_n holds what c_n should and c_n holds h_n" in text
    a = draw("classic_lstm", 45)
    text = localise(
        "classic_lstm", a, expected("classic_lstm", a), classic_lstm(a, "state-swap"), 1e-9
    )
    assert text.startswith("Outputs: y matches, h differs, c differs.") and "swapped" in text


def test_a_stale_final_state_names_its_step() -> None:
    a = draw("rnn", 46)
    text = localise(
        "rnn", a, expected("rnn", a), rnn_forward(*a.values(), bug="final-state-not-last"), 1e-9
    )
    assert "h_n equals output[:, 0]" in text


def test_classic_lstm_names_its_outputs_in_lower_case_and_the_concat_slip() -> None:
    a = draw("classic_lstm", 47)
    text = localise(
        "classic_lstm", a, expected("classic_lstm", a), classic_lstm(a, "concat-order"), 1e-9
    )
    assert text.startswith("Outputs: y differs, h differs, c differs")
    assert "Y differs" not in text
    assert "z = np.vstack((x, h)) is used, not (h, x)" in text


def test_a_change_that_coincides_with_the_right_formula_is_not_named() -> None:
    """From a zero state at t=0, 'the gate ignores h_prev' IS the right formula: a near-miss
    output (rounding noise beyond float32's tolerance) must not be blamed on it."""
    a = draw("lstm_cell", 40, dtype="float32", states=False)
    h, c = expected("lstm_cell", a)
    rng = np.random.default_rng(0)
    noisy = (h + rng.uniform(-4e-5, 4e-5, h.shape), c + rng.uniform(-4e-5, 4e-5, c.shape))
    text = localise("lstm_cell", a, (h, c), noisy, 1e-5)
    assert "ignores h_prev" not in text and "is taken as zeros" not in text
    assert "No single change to one gate block reproduces it" in text
