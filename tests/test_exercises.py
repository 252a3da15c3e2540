"""ch3_code.exercises: strict checks, and exercise feedback that never shows the answer."""

import numpy as np
import pytest

from ch3_code import exercises


def test_check_fails_under_strict(monkeypatch):
    monkeypatch.setenv("CH3_CHECK", "strict")
    with pytest.raises(AssertionError, match="DATA-SIZE changed"):
        exercises.check(False, "DATA-SIZE changed", note="you changed SIZES")


def test_check_is_a_note_otherwise(monkeypatch, capsys):
    monkeypatch.delenv("CH3_CHECK", raising=False)
    assert exercises.check(False, "DATA-SIZE changed", note="you changed SIZES") is False
    assert capsys.readouterr().out == "Note: you changed SIZES\n"
    assert exercises.check(True, "never shown") is True
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("value", ["STRICT", " strict "])
def test_strict_spelling(monkeypatch, value):
    monkeypatch.setenv("CH3_CHECK", value)
    assert exercises.strict()


def test_placeholder_is_not_attempted_and_none_is_a_missing_return():
    assert exercises.compare(..., 0.99995, name="decay_factor").status == "not attempted"
    fb = exercises.compare(None, 0.99995, name="final_gap()")
    assert fb.status == "no return" and "return" in fb.message


@pytest.mark.parametrize("answer, status, word", [
    (0.99995, "correct", "Correct"), (0.9999, "close", "within 1%"),
    (1.5, "not yet", "larger"), (0.5, "not yet", "smaller")])
def test_compare_gives_feedback_without_the_value(answer, status, word):
    expected = 0.99995
    fb = exercises.compare(answer, expected, name="decay_factor")
    assert fb.status == status and word in str(fb)
    assert "0.99995" not in str(fb)


def test_compare_never_prints_the_expected_value():
    for answer in [..., None, "abc", [1.0, 2.0], 3.0, 9.0, 2.0 * 7.3]:
        assert "7.3" not in str(exercises.compare(answer, 7.3, name="x"))


def test_compare_arrays_and_shapes():
    want = np.array([0.1, 0.2, 0.3])
    assert exercises.compare(want.copy(), want).status == "correct"
    assert exercises.compare(np.zeros(2), want).status == "wrong shape"
    fb = exercises.compare(np.array([0.1, 0.2, 0.9]), want)
    assert fb.status == "not yet" and "1 of 3 entries" in fb.message
    assert exercises.compare(np.array([0.1, np.nan, 0.3]), want).status == "not a number"
    assert exercises.compare("0.1", 0.1).status == "correct"  # a numeric string is a number
    assert exercises.compare({"a": 1}, 0.1).status == "not a number"


def test_check_function_tells_every_case_apart():
    cases, expected = [(1.0,), (2.0,)], [2.0, 4.0]

    def untouched(x):
        ...

    def no_return(x):
        x * 2

    def raises(x):
        return x / 0

    assert exercises.check_function(lambda x: ..., cases, expected).status == "not attempted"
    assert exercises.check_function(untouched, cases, expected).status == "no return"
    assert exercises.check_function(no_return, cases, expected).status == "no return"
    fb = exercises.check_function(raises, cases, expected, name="double()")
    assert fb.status == "error" and "ZeroDivisionError" in fb.message
    assert exercises.check_function(lambda x: x + 1, cases, expected).status == "not yet"
    fb = exercises.check_function(lambda x: 2 * x, cases, expected)
    assert fb.passed and "2 test inputs" in fb.message


def test_feedback_status_is_checked():
    with pytest.raises(ValueError, match="status"):
        exercises.Feedback("fine", "ok")


def test_messages_fit_the_page():
    long_name = "a_rather_long_function_name_for_the_check()"
    fb = exercises.compare(..., 1.0, name=long_name)
    assert max(len(line) for line in str(fb).splitlines()) <= 88
