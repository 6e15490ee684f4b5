"""Form widgets whose HTML is made once for each set of parameters, then remembered.

GOV.UK's Jinja macros are slow to run (a date input takes a few milliseconds: every box goes
through the attributes macro), and govuk-frontend-wtf renders each widget as a whole page
would be, with every context processor. A widget's HTML depends only on its parameters, so
the same field in the same state (a statement's empty date filter, say) is made once per
process and then reused.
"""

from functools import lru_cache

from flask import current_app
from jinja2 import Environment
from markupsafe import Markup

# Only these make a widget's parameters: anything else is rendered afresh each time.
_PLAIN = (str, Markup, int, float, bool, type(None))


class _NotPlain(Exception):
    pass


def _frozen(value):
    """A hashable copy that keeps types (Markup is not str) and the order of dict keys (the
    order of the attributes written)."""
    if isinstance(value, dict):
        return (dict, tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (list, tuple(_frozen(item) for item in value))
    if type(value) in _PLAIN:
        return (type(value), value)
    raise _NotPlain


def _thawed(frozen):
    kind, value = frozen
    if kind is dict:
        return {key: _thawed(item) for key, item in value}
    if kind is list:
        return [_thawed(item) for item in value]
    return value


@lru_cache(maxsize=512)
def _rendered(environment: Environment, template: str, frozen_params) -> Markup:
    return Markup(environment.get_template(template).render(params=_thawed(frozen_params)))


class RememberedHtml:
    """Mix into a govuk-frontend-wtf widget (before it) to remember its HTML."""

    def render(self, params):
        environment = current_app.jinja_env
        try:
            frozen = _frozen(params)
        except _NotPlain:
            return Markup(environment.get_template(self.template).render(params=params))
        return _rendered(environment, self.template, frozen)
