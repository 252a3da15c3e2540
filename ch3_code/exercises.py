"""Checks for the chapters: the book's claims (strict in the tests) and the learner's exercises.

``check(ok, problem)`` is the hidden check below a result the text describes: under
``CH3_CHECK=strict`` (``make execute``, nbval) a failed check is an ``AssertionError`` that fails
the run; for a learner who changed a knob it is a friendly note, and the notebook runs on.

The exercise checks give feedback, never the answer. The expected value is computed where the
learner does not see it (a collapsed cell, or the package) and only its distance from the
learner's value is reported::

    def final_gap():
        ...                                  # the placeholder: "not attempted yet"

    exercises.compare(final_gap(), expected, name="final_gap()")
    # -> "Close: within 1% of the expected value." / "Not yet: your value is larger ..."

A placeholder is ``...`` (Python's Ellipsis): untouched, it means "not attempted yet". ``None``
means a function ran but returned nothing: "did you forget `return`?".
"""

import os
import textwrap

import numpy as np

PLACEHOLDER = ...


def strict():
    """True when the checks must fail the run (``CH3_CHECK=strict``), not just print a note."""
    return os.environ.get("CH3_CHECK", "").strip().lower() == "strict"


def check(ok, problem, note=None):
    """A hidden check: nothing if ``ok``; else fail under ``CH3_CHECK=strict`` or print a note.

    ``problem`` says what disagrees (the AssertionError's message); ``note`` is what a learner
    reads instead (default: ``problem``), e.g. "did you change a knob above?". Returns ``ok``.
    """
    if ok:
        return True
    if strict():
        raise AssertionError(problem)
    print(f"Note: {note or problem}")
    return False


class Feedback:
    """The verdict of an exercise check: ``status`` (a word a test can compare) and
    ``message`` (what the learner reads). It shows as its message."""

    STATUSES = ("not attempted", "no return", "error", "not a number", "wrong shape",
                "correct", "close", "not yet")

    def __init__(self, status, message):
        if status not in self.STATUSES:
            raise ValueError(f"status {status!r} is not one of {self.STATUSES}")
        # printed under the cell: lines of at most 88 characters, as the chapters' outputs
        self.status = status
        self.message = textwrap.fill(message, 88, break_long_words=False)

    @property
    def passed(self):
        return self.status in ("correct", "close")

    def __str__(self):
        return self.message

    __repr__ = __str__

    def _repr_pretty_(self, p, cycle):
        p.text(self.message)


def _missing(answer, name):
    """Feedback for an answer that is not there yet, else None."""
    if answer is PLACEHOLDER:
        return Feedback("not attempted", f"Not attempted yet: replace the `...` in {name} with "
                                         "your answer, run that cell, then this one.")
    if answer is None:
        return Feedback("no return", f"{name} gave None: did you forget `return` (or write "
                                     "`= None`)? Return your value and run both cells again.")
    return None


def compare(answer, expected, *, name="your answer", rtol=0.01, atol=0.0):
    """Feedback on ``answer`` against ``expected`` (numbers or arrays), without showing
    ``expected``.

    Within ``rtol`` (relative) or ``atol`` (absolute) of it, entry by entry, is "close"
    (equal to printing precision: "correct"). Otherwise the message says whether the answer is
    larger or smaller (for one number) or how many entries are off (for arrays): enough to look
    again, not the value itself.
    """
    missing = _missing(answer, name)
    if missing:
        return missing
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Feedback("not a number", f"{name} is {type(answer).__name__} {answer!r:.60}: "
                                        "the answer is a number (or an array of numbers).")
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        return Feedback("wrong shape", f"{name} has shape {got.shape}, but the answer has "
                                       f"shape {want.shape}.")
    if not np.all(np.isfinite(got)):
        return Feedback("not a number", f"{name} contains nan or inf: check for a division by "
                                        "zero or a log of 0.")
    if np.allclose(got, want, rtol=1e-9, atol=1e-12):
        return Feedback("correct", "Correct.")
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return Feedback("close", f"Close: within {_tolerance(rtol, atol)} of the expected "
                                 "value (rounding?).")
    if want.ndim == 0:
        side = "larger" if got > want else "smaller"
        return Feedback("not yet", f"Not yet: {name} is {side} than expected (by more than "
                                   f"{_tolerance(rtol, atol)}).")
    off = int(np.sum(~np.isclose(got, want, rtol=rtol, atol=atol)))
    return Feedback("not yet", f"Not yet: {off} of {want.size} entries of {name} differ from the "
                               f"expected ones by more than {_tolerance(rtol, atol)}.")


def check_function(function, cases, expected, *, name=None, rtol=1e-6, atol=1e-9):
    """Feedback on a learner's ``function``, called on each argument tuple in ``cases`` and
    compared with ``expected`` (one value per case, computed out of sight).

    The first case that is missing, raises, or is off decides the message; the arguments of a
    case that is off are not printed (they would give the answer away with the value).
    """
    name = name or f"{getattr(function, '__name__', 'your function')}()"
    for args, want in zip(cases, expected, strict=True):
        try:
            answer = function(*args)
        except Exception as error:  # the learner's code: name the error, do not stop the page
            return Feedback("error", f"{name} raised {type(error).__name__}: {error}")
        verdict = compare(answer, want, name=name, rtol=rtol, atol=atol)
        if not verdict.passed:
            return verdict
    return Feedback("correct", f"Correct: {name} agrees on all {len(expected)} test inputs.")


def _tolerance(rtol, atol):
    parts = ([f"{100 * rtol:g}%"] if rtol else []) + ([f"{atol:g}"] if atol else [])
    return " or ".join(parts) or "rounding"
