"""The compare list: up to three providers, kept in the person's browser session."""

from marketplace.errors import ServiceError

MAX_COMPARE = 3


def added(ids: list[int], provider_id: int) -> list[int]:
    if provider_id in ids:
        return ids
    if len(ids) >= MAX_COMPARE:
        raise ServiceError(
            f"You can compare up to {MAX_COMPARE} providers. Remove one before adding another."
        )
    return [*ids, provider_id]


def removed(ids: list[int], provider_id: int) -> list[int]:
    return [i for i in ids if i != provider_id]


def clean(value) -> list[int]:
    """What the session holds, trusting nothing: at most three distinct whole numbers."""
    if not isinstance(value, list):
        return []
    ids = []
    for item in value:
        if isinstance(item, int) and item not in ids:
            ids.append(item)
    return ids[:MAX_COMPARE]
