"""Checking words people type before they are kept: trimmed, not too long, no hidden characters."""

import unicodedata

from marketplace.errors import ServiceError

# Zero-width joiners are part of how Persian, Indic scripts and emoji are written; every other
# invisible formatting character (text direction marks, zero-width spaces, byte order marks) and
# every control character can hide or reorder what a person sees. PostgreSQL cannot store NUL.
_ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
_LINE_BREAKS = {"\r", "\n", "\t"}


def hidden_character(text: str, *, multiline: bool = False) -> bool:
    """True when `text` holds a control or invisible formatting character we refuse."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" and not (multiline and ch in _LINE_BREAKS):
            return True
        if category in ("Cf", "Cs") and ch not in _ALLOWED_FORMAT_CHARACTERS:
            return True
    return False


def clean_text(value: str | None, *, field: str, label: str, max_length: int,
               required: bool = True, multiline: bool = False) -> str:
    """The text, trimmed; or a ServiceError by the field saying what to change.

    Hidden characters are refused (hidden_character: the same rule every form uses). Line
    breaks are allowed in long answers.
    """
    text = (value or "").strip()
    if hidden_character(text, multiline=multiline):
        raise ServiceError(f"{label} must not contain hidden characters", field=field)
    if required and not text:
        raise ServiceError(f"Enter {label[0].lower()}{label[1:]}", field=field)
    if len(text) > max_length:
        raise ServiceError(f"{label} must be {max_length:,} characters or fewer", field=field)
    return text.replace("\r\n", "\n")
