"""How long a sign-in lasts: 30 minutes without doing anything, and 12 hours at most.

The times are kept in the signed session cookie and checked on every request. Five minutes
before the idle limit, signed-in pages (with JavaScript) go to a warning page with a button to
stay signed in (WCAG 2.2.1); the same page, linked from "Your account", works without
JavaScript. Looking at the warning page is not activity, so it never keeps a session alive.
"""

import time

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

IDLE_LIMIT_SECONDS = 30 * 60
ABSOLUTE_LIMIT_SECONDS = 12 * 60 * 60
WARN_BEFORE_SECONDS = 5 * 60

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# Looking at how long is left (and the assets) does not count as doing something.
NOT_ACTIVITY = frozenset({"account.timeout_warning", "static"})


def now() -> int:
    return int(time.time())


def begin(user) -> None:
    """A fresh session for a new sign-in, so a session made before it cannot be reused."""
    session.clear()
    login_user(user)
    session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now()


def end() -> None:
    logout_user()
    session.clear()


def seconds_left() -> int:
    """Until this session ends, whichever limit comes first."""
    idle_end = session.get(LAST_SEEN_AT, 0) + IDLE_LIMIT_SECONDS
    absolute_end = session.get(SIGNED_IN_AT, 0) + ABSOLUTE_LIMIT_SECONDS
    return max(0, min(idle_end, absolute_end) - now())


def _why_ended() -> str | None:
    signed_in_at, last_seen_at = session.get(SIGNED_IN_AT), session.get(LAST_SEEN_AT)
    if not isinstance(signed_in_at, int) or not isinstance(last_seen_at, int):
        return "You have been signed out. Sign in again to carry on."
    moment = now()
    if moment - signed_in_at >= ABSOLUTE_LIMIT_SECONDS:
        return "You have been signed out because you signed in more than 12 hours ago. Sign in again to carry on."
    if moment - last_seen_at >= IDLE_LIMIT_SECONDS:
        return ("You have been signed out because you did not do anything for 30 minutes. "
                "Sign in again to carry on.")
    return None


def enforce_session_limits():
    """before_request: end a session past either limit; otherwise count this as activity."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    why = _why_ended()
    if why is not None:
        end()
        flash(why, "error")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.sign_in", next=target))
    if not (request.endpoint in NOT_ACTIVITY and request.method == "GET"):
        session[LAST_SEEN_AT] = now()
    return None
