"""Races on purpose: run the same attempt in many threads released at the same moment."""

import threading
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def at_once(count: int, attempt: Callable[[int], Result]) -> list[Result]:
    """Call attempt(0) … attempt(count - 1), each in its own thread, all let go together.

    Returns the results in attempt order. An exception in any attempt fails the caller's test
    (re-raised here), so a race test states its outcomes as return values.
    """
    start = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(number: int) -> None:
        start.wait()
        try:
            results[number] = attempt(number)
        except BaseException as error:  # noqa: BLE001  (handed back to the test's thread)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
