"""Demo staff accounts sign in in two steps, as real staff must. Their authenticator key is
published in the README (demo data is never loaded in production), so anyone trying the demo
can add it to an app, and the browser tests can work out the code."""

import time
from collections.abc import Iterator

import pyotp

from marketplace.auth import two_step
from marketplace.demo_data import DemoData

DEMO_AUTHENTICATOR_KEY = "CAREBUDGETDEMOTWOSTEPSIGNINKEY23"


def demo_code(*, seconds_ahead: int = 0) -> str:
    """The code an app with the demo key shows now (or a step later)."""
    return pyotp.TOTP(DEMO_AUTHENTICATOR_KEY).at(time.time() + seconds_ahead)


def demo_codes(*, rounds: int = 3) -> Iterator[str]:
    """The codes to try in turn when signing in with the demo key. A code works once, and only a
    newer one after it, so when earlier sign-ins have spent this moment's code and the next,
    wait for the app's next code, as a person would."""
    for round_number in range(rounds):
        if round_number:
            time.sleep(31 - time.time() % 30)
        yield demo_code()
        yield demo_code(seconds_ahead=30)


def load_two_step_demo(demo: DemoData) -> None:
    for user in demo.users.values():
        if two_step.required_for(user) and not two_step.is_set_up(demo.session, user):
            two_step.start_set_up(demo.session, user=user, secret=DEMO_AUTHENTICATOR_KEY)
            two_step.confirm_set_up(demo.session, user=user, code=demo_code())
            demo.created += 1
