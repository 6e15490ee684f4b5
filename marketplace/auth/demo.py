"""Demo staff accounts sign in in two steps, as real staff must. Their authenticator key is
published in the README (demo data is never loaded in production), so anyone trying the demo
can add it to an app, and the browser tests can work out the code."""

import time

import pyotp

from marketplace.auth import two_step
from marketplace.demo_data import DemoData

DEMO_AUTHENTICATOR_KEY = "CAREBUDGETDEMOTWOSTEPSIGNINKEY23"


def demo_code(*, seconds_ahead: int = 0) -> str:
    """The code an app with the demo key shows now (or a step later)."""
    return pyotp.TOTP(DEMO_AUTHENTICATOR_KEY).at(time.time() + seconds_ahead)


def load_two_step_demo(demo: DemoData) -> None:
    for user in demo.users.values():
        if two_step.required_for(user) and not two_step.is_set_up(demo.session, user):
            two_step.start_set_up(demo.session, user=user, secret=DEMO_AUTHENTICATOR_KEY)
            two_step.confirm_set_up(demo.session, user=user, code=demo_code())
            demo.created += 1
