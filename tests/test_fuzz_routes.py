"""No input a person can type gets a server error, on any page, as anyone.

Every address in the app's url map is asked for with hostile path values and query strings,
signed out and as each demo role; every form a role can reach is sent hostile values (with its
real CSRF token) and must be refused with a message, writing nothing. New routes, query
parameters and forms join by existing: nothing to list here.
"""

import re
from collections import deque
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, table
from sqlmodel import Session

from marketplace.auth import sessions
from marketplace.budgets.forms import StatementFilterForm
from marketplace.date_input import PARTS as DATE_PARTS
from marketplace.date_input import DateInputField
from marketplace.demo import load_demo_data
from marketplace.factory import create_app
from marketplace.models import User
from marketplace.providers.forms import BrowseForm
from tests.conftest import _empty_every_table

# What people type, paste or tamper with: other scripts' digits, numbers too big for any
# column, blanks, control and direction characters, markup, and a lot of text.
HOSTILE = [
    "²", "٣", "１２", "1" * 40, "2147483648", "-1", "0", "1.5", "1e9", "1_000", "", " ",
    "\x00", "a\u202eb", "\u200b", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc",
    "%", "x" * 100_000, "1", "2", "3",
]
# For forms, every value also carries a character no field accepts, so a form can never be
# sent successfully by accident and any write would be a real failure.
HOSTILE_FORM_VALUES = [
    "\x00", "٣\x00", "²\u202e", "1" * 40 + "\u200b", "<b>x</b>\ufeff", "x" * 100_000 + "\x00",
    " \x00 ", "\u202eevil", "25.00\u2066",
]

ROLES = {
    "signed out": None,
    "budget holder": "sam@example.org",
    "advocate": "alex@example.org",
    "provider": "care@brightpath.example",
    "professional": "priya@example.org",
    "commissioner": "council@example.org",
}
EXAMPLES_PER_ROLE = 3
FORM_EXAMPLES = 2
MOST_PAGES_CRAWLED = 60
# No shrinking: each failure message already names the address, role and values, and shrinking
# a run over every route takes minutes.
QUICK = (Phase.explicit, Phase.generate)
SOURCE = Path(__file__).resolve().parent.parent / "marketplace"


def query_parameter_names() -> list[str]:
    """Every query parameter the code reads, found in the code, and the GET forms' fields."""
    names = set()
    for path in SOURCE.rglob("*.py"):
        names.update(re.findall(r"request\.args(?:\.get\(|\[)\s*[\"'](\w+)[\"']", path.read_text()))
    for form in (BrowseForm, StatementFilterForm):
        for name in dir(form):
            field = getattr(form, name)
            if name.startswith("_") or not hasattr(field, "field_class") or name == "submit":
                continue
            if issubclass(field.field_class, DateInputField):
                names.update(f"{name}-{part}" for part in DATE_PARTS)  # the day, month and year boxes
            else:
                names.add(name)
    names.add("page")
    return sorted(names)


QUERY_NAMES = query_parameter_names()


@pytest.fixture(scope="module")
def world(database_url, _plain_engine):
    """The demo world, with CSRF checked as in production."""
    app = create_app({"APP_ENV": "test", "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": True})
    with Session(_plain_engine) as session:
        load_demo_data(session)
        users = {role: session.scalars(select(User).where(User.email == email)).one() if email else None
                 for role, email in ROLES.items()}
        for user in users.values():
            if user is not None:
                session.expunge(user)
    yield app, users
    app.extensions["engine"].dispose()
    _empty_every_table(_plain_engine)


def _client(app, user):
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
            flask_session["_fresh"] = True
            flask_session[sessions.SIGNED_IN_AT] = flask_session[sessions.LAST_SEEN_AT] = sessions.now()
    return client


def _path(rule, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: quote(values[m.group(1)], safe=""), rule.rule)


def test_the_query_parameters_found_include_the_known_ones():
    assert {"page", "q", "max_price", "sort", "quarter", "from_date-day", "to_date-year", "next"} <= set(QUERY_NAMES)
    assert "from_date" not in QUERY_NAMES  # a date is sent as its three boxes


@pytest.mark.parametrize("role", ROLES)
def test_no_address_answers_a_server_error(world, role):
    app, users = world
    client = _client(app, users[role])
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]
    hostile = st.sampled_from(HOSTILE)

    @settings(max_examples=EXAMPLES_PER_ROLE, deadline=None, database=None, phases=QUICK,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def every_address(data):
        for rule in rules:
            path = _path(rule, {name: data.draw(hostile) for name in rule.arguments})
            query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), hostile, min_size=1, max_size=4))
            response = client.get(path, query_string=query, buffered=True)
            assert response.status_code < 500, f"{rule.rule} as {role}: {path[:80]} {str(query)[:200]}"

    every_address()


def _links(page: BeautifulSoup, url: str) -> list[str]:
    found = []
    for anchor in page.select("a[href]"):
        target = urljoin(url, anchor["href"])
        parts = urlsplit(target)
        if parts.netloc not in ("", "localhost") or parts.path.startswith("/static") or parts.path.endswith(".csv"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _forms_reachable(client) -> tuple[dict[tuple, tuple[str, dict, list[str]]], set[str]]:
    """(action, hidden values, names to fill) of every POST form with something to type or
    choose on pages reachable by links, and the pages visited."""
    forms, seen, queue = {}, set(), deque(["/"])
    while queue and len(seen) < MOST_PAGES_CRAWLED:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, buffered=True)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        queue.extend(_links(page, url))
        for form in page.select("form"):
            if form.get("method", "get").lower() != "post":
                continue
            action = urlsplit(urljoin(url, form.get("action") or url)).path
            hidden = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden][name]")}
            to_fill = sorted({field["name"] for field in form.select("input[name], textarea[name], select[name]")
                              if field.get("type") not in ("hidden", "submit")} - set(hidden))
            if to_fill:
                forms.setdefault((action, tuple(to_fill)), (action, hidden, to_fill))
    return forms, seen


def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in inspect(engine).get_table_names() if name != "alembic_version"}


@pytest.mark.parametrize("role", ROLES)
def test_hostile_form_input_is_refused_with_a_message_and_nothing_is_saved(world, _plain_engine, role):
    app, users = world
    client = _client(app, users[role])
    forms, visited = _forms_reachable(client)
    assert len(visited) >= 3, f"the crawl only reached {visited}"
    hostile = st.sampled_from(HOSTILE_FORM_VALUES)

    @settings(max_examples=FORM_EXAMPLES, deadline=None, database=None, phases=QUICK,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def every_form(data):
        for action, hidden, to_fill in forms.values():
            before = _row_counts(_plain_engine)
            values = {name: data.draw(hostile) for name in to_fill}
            response = client.post(action, data={**hidden, **values}, buffered=True)
            where = f"{action} as {role}"
            assert response.status_code < 500, where
            if response.status_code in (302, 303):
                # A button on a page (send, comment) refuses by going back to that page, which
                # says why in a banner.
                response = client.get(response.location, buffered=True)
                assert "app-refusal" in response.get_data(as_text=True), f"{where} went on with no refusal"
            elif response.status_code < 400:
                assert response.status_code == 200, f"{where} answered {response.status_code}"
                assert "govuk-error-summary" in response.get_data(as_text=True), where
            assert _row_counts(_plain_engine) == before, f"{where} wrote rows"

    every_form()
