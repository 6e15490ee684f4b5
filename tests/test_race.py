"""The race helper itself: every attempt runs, together, and a failure is not lost."""

import threading

import pytest

from tests.race import at_once


def test_every_attempt_runs_at_the_same_time_and_results_keep_their_order():
    inside = threading.Barrier(5, timeout=10)  # passes only if all five are running at once

    def attempt(number: int) -> int:
        inside.wait()
        return number * 10

    assert at_once(5, attempt) == [0, 10, 20, 30, 40]


def test_an_attempt_that_fails_fails_the_test():
    def attempt(number: int) -> int:
        if number == 3:
            raise LookupError("attempt 3 went wrong")
        return number

    with pytest.raises(LookupError, match="attempt 3"):
        at_once(4, attempt)
