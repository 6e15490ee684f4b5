"""Checking words people type before they are kept: trimmed, not too long, no hidden characters."""

from marketplace.errors import ServiceError

_LINE_BREAKS = "\r\n"


def clean_text(value: str | None, *, field: str, label: str, max_length: int,
               required: bool = True, multiline: bool = False) -> str:
    """The text, trimmed; or a ServiceError by the field saying what to change.

    Control characters (NUL, escape, …) are refused: PostgreSQL cannot keep NUL and nobody
    types the others on purpose. Line breaks are allowed in long answers.
    """
    text = (value or "").strip()
    allowed = _LINE_BREAKS if multiline else ""
    if any((ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) and ch not in allowed for ch in text):
        raise ServiceError(f"{label} must not contain hidden characters", field=field)
    if required and not text:
        raise ServiceError(f"Enter {label[0].lower()}{label[1:]}", field=field)
    if len(text) > max_length:
        raise ServiceError(f"{label} must be {max_length:,} characters or fewer", field=field)
    return text.replace("\r\n", "\n")
