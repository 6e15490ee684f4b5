"""New passwords are checked against millions of passwords seen in leaks, not a short list."""

import pytest

from marketplace.auth.passwords import is_common, password_problem

TOO_EASY = "This password is too easy to guess. Try a few words together, like a short sentence"


@pytest.mark.parametrize("password", [
    "liverpool1", "LIVERPOOL1", "iloveyou12", "manchester1", "sunshine123", "1234567890", "qwertyuiop",
    "carebudget123", "welcome2026",
])
def test_passwords_seen_in_leaks_or_guessable_here_are_refused(password):
    assert is_common(password)
    assert password_problem(password) == TOO_EASY


@pytest.mark.parametrize("password", ["blue kettle morning walk", "correct horse battery", "Tiny-Otters-Sing-Loud"])
def test_a_few_words_together_are_fine(password):
    assert not is_common(password)
    assert password_problem(password) is None
