"""Who may use which page: every view declares a rule, enforced here in one place.

Decorate each view with @public, @signed_in or @roles(...). A view with no rule is refused
(fail closed), and tests/test_permissions_meta.py fails while any route lacks one.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from marketplace.models import Role

RULE_ATTRIBUTE = "access_rule"

# Flask's own static file view has no decorator of ours.
BUILT_IN_PUBLIC_ENDPOINTS = frozenset({"static"})


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    roles: frozenset[Role] | None = None  # None with public=False means any signed-in user

    def describe(self) -> str:
        if self.public:
            return "anyone"
        if self.roles is None:
            return "signed in"
        return ", ".join(sorted(self.roles))


def _with_rule(rule: AccessRule) -> Callable:
    def decorate(view: Callable) -> Callable:
        setattr(view, RULE_ATTRIBUTE, rule)
        return view

    return decorate


public = _with_rule(AccessRule(public=True))
signed_in = _with_rule(AccessRule())


def roles(*allowed: Role) -> Callable:
    if not allowed:
        raise ValueError("roles() needs at least one role")
    return _with_rule(AccessRule(roles=frozenset(allowed)))


def rule_for(app: Flask, endpoint: str) -> AccessRule | None:
    if endpoint in BUILT_IN_PUBLIC_ENDPOINTS:
        return AccessRule(public=True)
    return getattr(app.view_functions[endpoint], RULE_ATTRIBUTE, None)


def endpoints_without_rule(app: Flask) -> list[str]:
    return sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if rule_for(app, rule.endpoint) is None
    )


def user_has_role(allowed: Iterable[Role]) -> bool:
    return current_user.is_authenticated and current_user.role in set(allowed)


def enforce_access_rule():
    """before_request: refuse the request unless the endpoint's rule lets this user in."""
    if request.endpoint is None:
        return None  # no such page: Flask answers 404
    rule = rule_for(current_app, request.endpoint)
    if rule is None:
        current_app.logger.error("Refused %s: the view declares no access rule", request.endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if rule.roles is not None and current_user.role not in rule.roles:
        abort(403)
    return None
