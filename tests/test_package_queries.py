"""The package pages ask the database a fixed, small number of questions however big they get."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from marketplace.dates import today_in_uk
from marketplace.models import CarePackage, PackageStatus, Role, Service
from marketplace.packages import building, lifecycle, versions
from marketplace.packages.access import lines_of
from tests.factories import assign_case, create_user, person_of
from tests.factories_budget import create_budget
from tests.factories_packages import (
    TODAY,
    accept_every_line,
    add_outcome,
    agreed_world,
    draft_package,
    scope_of,
)
from tests.factories_providers import create_listed_provider

MOST_STATEMENTS = 10


@contextmanager
def counting(app):
    statements = []

    def count(_connection, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    event.listen(app.extensions["engine"], "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(app.extensions["engine"], "before_cursor_execute", count)


@pytest.fixture
def big(session):
    today = today_in_uk()
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    person = person_of(session, sam)
    create_budget(session, person=person, paid_in_pence=5_000_000, period_start=today - timedelta(days=10),
                  period_end=today + timedelta(days=300), categories={"personal_care": 100_000})
    providers = [create_listed_provider(session, name=f"Provider {n}", services=1) for n in range(4)]
    services = session.exec(select(Service)).all()
    for n in range(4):
        add_outcome(session, sam, person, f"Outcome {n}")
    package = draft_package(session, sam, person, lines=[(services[n % 4], "2") for n in range(20)],
                            start_on=today, end_on=today + timedelta(days=27))
    lifecycle.submit(session, scope_of(session, sam, person), package_id=package.id, today=today)
    session.commit()
    priya = create_user(session, role=Role.PROFESSIONAL)
    assign_case(session, person=person, professional=priya)
    session.add_all(CarePackage(person_id=person.id, budget_id=package.budget_id, title=f"Package {n}",
                                start_on=today, end_on=today + timedelta(days=6), created_by_id=sam.id,
                                status=PackageStatus.AWAITING_REVIEW.value) for n in range(200))
    session.commit()
    return {"sam": sam, "package": package, "priya": priya,
            "provider_user": create_user(session, role=Role.PROVIDER, provider=providers[0])}


@pytest.mark.parametrize("who, url, expect", [
    ("sam", "/plan", "Outcome 3"),
    ("sam", "/packages", "Package 199"),
    ("sam", "/packages/{package}", "Provider 3"),
    ("priya", "/caseload", "Package 1"),
    ("priya", "/caseload/packages/{package}", "Provider 3"),
    ("provider_user", "/provider/requests", "Sam Taylor"),
])
def test_big_pages_stay_within_ten_statements(app, client_request, big, who, url, expect):
    client_request.login(big[who])
    url = url.format(package=big["package"].id)
    client_request.get(url)  # the first request warms caches, as a real browser's would have
    with counting(app) as statements:
        page = client_request.get(url)
    assert expect in page.get_text()
    assert len(statements) <= MOST_STATEMENTS, "\n".join(statements)


@pytest.mark.parametrize("who, url", [("sam", "/packages/{package}"), ("priya", "/caseload/packages/{package}")])
def test_a_new_version_waiting_for_agreement_stays_within_ten_statements(app, client_request, session, who, url):
    """The page reads both versions, what the agreed one would give back and the forecast."""
    world = agreed_world(session)
    scope = scope_of(session, world.sam, world.person)
    draft = versions.start_new_version(session, scope, package_id=world.package.id, today=TODAY)
    building.change_line(session, scope, package_id=draft.id, line_id=lines_of(session, draft.id)[0].id,
                         quantity="10", outcome_id=lines_of(session, draft.id)[0].outcome_id)
    lifecycle.submit(session, scope, package_id=draft.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, draft)
    client_request.login(getattr(world, who))
    url = url.format(package=draft.id)
    client_request.get(url)
    with counting(app) as statements:
        page = client_request.get(url)
    assert "What changes from version 1" in page.get_text()
    assert len(statements) <= MOST_STATEMENTS, "\n".join(statements)
