"""Acting for someone: an advocate can do exactly what the budget holder allowed, no more,
and a change or revocation takes effect on the very next request. Tried on the real pages."""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from marketplace.models import AuditLog, Invoice, LinkStatus, Role
from marketplace.models.advocacy import ADVOCATE_PERMISSIONS
from marketplace.packages import lifecycle
from marketplace.scope import scope_for
from tests.client_request import normalised_text
from tests.factories import create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_invoices import BillingWorld, bill, billing_world
from tests.factories_packages import draft_package, scope_of

# One row per thing an advocate may try and the permissions it needs (the first is the one it is
# about). Every row is checked against every missing permission below; {package} and {invoice}
# are Sam's. Without `view` a package or invoice is not even found.
ACTIONS = [
    ("open the budget", "GET", "/budget", ("view",)),
    ("read the statement", "GET", "/budget/statement", ("view",)),
    ("download the statement", "GET", "/budget/statement.csv", ("view",)),
    ("open the quarterly return", "GET", "/budget/quarterly-return", ("view",)),
    ("open the support plan", "GET", "/plan", ("view",)),
    ("open the care packages", "GET", "/packages", ("view",)),
    ("open the invoices", "GET", "/invoices", ("view",)),
    ("start a care package", "GET", "/packages/new", ("draft",)),
    ("save a new care package", "POST", "/packages/new", ("draft",)),
    ("add an outcome to the plan", "POST", "/plan/outcomes", ("draft",)),
    ("co-sign a care package", "POST", "/packages/{package}/cosign", ("cosign", "view")),
    ("approve an invoice", "POST", "/invoices/{invoice}/approve", ("approve_invoices", "view")),
]

FORMS = {
    "/packages/new": {"title": "Spring support", "start_on-day": "1", "start_on-month": "2",
                      "start_on-year": "2027", "end_on-day": "28", "end_on-month": "2", "end_on-year": "2027"},
    "/plan/outcomes": {"text": "Go to the match on Saturdays"},
}

MISSING_PERMISSION_EXPLANATION = {
    "view": "Sam Taylor has not given you permission to see the budget, support plan, care "
            "packages and invoices. Only Sam Taylor can give you this permission.",
    "draft": "Sam Taylor has not given you permission to change the support plan and draft care "
             "packages. Only Sam Taylor can give you this permission.",
    "cosign": "Sam Taylor has not given you permission to co-sign care packages before a "
              "professional reviews them. Only Sam Taylor can give you this permission.",
    "approve_invoices": "Sam Taylor has not given you permission to approve invoices for "
                        "payment. Only Sam Taylor can give you this permission.",
}


@dataclass
class Sam:
    """Sam with an agreed package billed by Brightpath, and (once Alex is linked) a package
    waiting for the advocate's co-signature."""

    world: BillingWorld
    invoice: Invoice
    package_id: int | None = None

    @property
    def user(self):
        return self.world.sam

    @property
    def person(self):
        return self.world.person

    def url(self, template: str) -> str:
        return template.format(package=self.package_id, invoice=self.invoice.id)


@pytest.fixture
def sam(session):
    world = billing_world(session)
    return Sam(world=world, invoice=bill(session, world))


@pytest.fixture
def alex(session):
    return create_user(session, role=Role.ADVOCATE, name="Alex Morgan", email="alex@example.org")


def link_alex(session, sam: Sam, alex, **link) -> None:
    """Link Alex to Sam, then Sam sends a package: it waits for Alex if Alex may co-sign."""
    created = create_advocate_link(session, person=sam.person, advocate=alex, **link)
    package = draft_package(session, sam.user, sam.person, lines=[(sam.world.service, "2")],
                            start_on=date(2026, 12, 7), end_on=date(2026, 12, 20), title="December")
    lifecycle.submit(session, scope_of(session, sam.user, sam.person), package_id=package.id,
                     today=date(2026, 12, 1))
    session.commit()
    sam.package_id = package.id
    return created


def act_for(client_request, person, expected_status=302):
    return client_request.post("/advocacy/acting-for", {"person_id": str(person.id)},
                               expected_status=expected_status)


def try_action(client_request, sam: Sam, method, url, expected_status):
    if method == "GET":
        return client_request.get(sam.url(url), expected_status=expected_status)
    return client_request.post(sam.url(url), FORMS.get(url, {}), expected_status=expected_status)


def row_counts(session) -> dict[str, int]:
    """Rows in every table, leaving out the security log's record of a refusal."""
    session.expire_all()
    tables = [t for t in inspect(session.get_bind()).get_table_names() if t != "alembic_version"]
    counts = {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
    counts["auditlog"] -= session.execute(
        text("SELECT count(*) FROM auditlog WHERE action = 'access.refused'")).scalar_one()
    return counts


@pytest.mark.parametrize(("what", "method", "url", "needed"), ACTIONS)
@pytest.mark.parametrize("missing", ADVOCATE_PERMISSIONS)
def test_each_missing_permission_refuses_exactly_the_actions_that_need_it(
        client_request, session, sam, alex, what, method, url, needed, missing):
    link_alex(session, sam, alex, permissions=[p for p in ADVOCATE_PERMISSIONS if p != missing])
    client_request.login(alex)
    act_for(client_request, sam.person)
    before = row_counts(session)
    if missing == needed[0]:
        page = try_action(client_request, sam, method, url, 403)
        assert normalised_text(page.h1) == "You cannot see this page"
        assert MISSING_PERMISSION_EXPLANATION[missing] in normalised_text(page.main)
        assert row_counts(session) == before
    elif missing in needed:
        try_action(client_request, sam, method, url, 404)
        assert row_counts(session) == before
    else:
        try_action(client_request, sam, method, url, 200 if method == "GET" else 302)
        assert (row_counts(session) != before) == (method == "POST"), what


def test_an_authorised_person_is_told_the_professional_grants_permissions(client_request, session, sam, alex):
    from marketplace.models import LegalBasis

    link_alex(session, sam, alex, permissions=["view"], legal_basis=LegalBasis.DEPUTYSHIP,
              legal_reason="Court order")
    client_request.login(alex)
    act_for(client_request, sam.person)
    page = client_request.post(sam.url("/invoices/{invoice}/approve"), {}, expected_status=403)
    assert ("Only the professional who recorded you as their authorised person can give you "
            "this permission.") in normalised_text(page.main)


def test_an_advocate_who_has_not_chosen_anyone_is_asked_to_choose(client_request, session, sam, alex):
    link_alex(session, sam, alex)
    client_request.login(alex)
    page = client_request.get("/budget", expected_status=403)
    assert "Choose the person you are acting for first, from People you support." in normalised_text(page.main)


def _approvals(session) -> list[tuple[int, int | None]]:
    session.expire_all()
    return [(entry.actor_id, entry.on_behalf_of_id)
            for entry in session.exec(select(AuditLog).where(AuditLog.action == "invoice.approved"))]


def test_actions_are_audited_with_both_the_advocate_and_the_person(client_request, session, sam, alex):
    link_alex(session, sam, alex)
    client_request.login(alex)
    act_for(client_request, sam.person)
    client_request.post(sam.url("/invoices/{invoice}/approve"), {}, expected_redirect="/invoices")
    assert _approvals(session) == [(alex.id, sam.person.id)]
    started = session.exec(select(AuditLog).where(AuditLog.action == "advocate.started_acting")).one()
    assert (started.actor_id, started.on_behalf_of_id) == (alex.id, sam.person.id)


def test_a_budget_holder_acting_for_themselves_is_recorded_as_themselves(client_request, session, sam):
    client_request.login(sam.user)
    client_request.post(sam.url("/invoices/{invoice}/approve"), {}, expected_redirect="/invoices")
    assert _approvals(session) == [(sam.user.id, sam.person.id)]


def _revoke_with_sams_own_browser(app, session, sam: Sam, link):
    from tests.client_request import ClientRequest

    sams_browser = ClientRequest(app.test_client(), session)
    sams_browser.login(sam.user)
    sams_browser.post(f"/advocates/{link.id}/stop-access", {})


def test_revocation_takes_effect_on_the_next_request_even_from_an_open_page(
        app, client_request, session, sam, alex):
    link, _ = link_alex(session, sam, alex)
    client_request.login(alex)
    act_for(client_request, sam.person)
    client_request.get("/packages/new")  # the page is open in Alex's browser
    assert "You are acting for Sam Taylor" in normalised_text(client_request.get("/"))

    _revoke_with_sams_own_browser(app, session, sam, link)

    before = row_counts(session)
    page = client_request.post("/packages/new", FORMS["/packages/new"], expected_status=403)
    assert "You can no longer act for this person" in normalised_text(page.main)
    assert row_counts(session) == before
    assert "You are acting for" not in normalised_text(client_request.get("/"))
    client_request.get("/budget", expected_status=403)


def test_narrowing_permissions_takes_effect_on_the_next_request(client_request, session, sam, alex):
    link, _ = link_alex(session, sam, alex)
    second = bill(session, sam.world, reference="BP-1002", period=(date(2026, 11, 16), date(2026, 11, 22)))
    client_request.login(alex)
    act_for(client_request, sam.person)
    client_request.post(sam.url("/invoices/{invoice}/approve"), {}, expected_redirect="/invoices")
    link.can_approve_invoices = False
    session.add(link)
    session.commit()
    client_request.post(f"/invoices/{second.id}/approve", {}, expected_status=403)
    assert _approvals(session) == [(alex.id, sam.person.id)]


@pytest.mark.parametrize("status", [LinkStatus.INVITED, LinkStatus.DECLINED, LinkStatus.EXPIRED,
                                    LinkStatus.REVOKED])
def test_links_that_are_not_active_grant_nothing(client_request, session, sam, alex, status):
    link_alex(session, sam, alex, status=status)
    client_request.login(alex)
    act_for(client_request, sam.person, expected_status=404)
    before = row_counts(session)
    for _, method, url, _ in ACTIONS:
        try_action(client_request, sam, method, url, 403)
    assert row_counts(session) == before
    page = client_request.get("/advocacy")
    assert [normalised_text(b) for b in page.select("main button")] == []


def test_an_advocate_cannot_reach_another_person_by_changing_ids(client_request, session, sam, alex):
    jo = person_of(session, create_user(session, role=Role.PERSON, name="Jo Khan"))
    link_alex(session, sam, alex)
    jos_link, _ = create_advocate_link(session, person=jo, email="someone@example.org",
                                       status=LinkStatus.INVITED)
    client_request.login(alex)
    act_for(client_request, sam.person)
    act_for(client_request, jo, expected_status=404)
    client_request.post("/advocacy/acting-for", {"person_id": "not-a-number"}, expected_status=404)
    client_request.get("/activity", person=str(jo.id), expected_status=404)
    client_request.get(f"/advocates/{jos_link.id}/permissions", expected_status=403)
    # Still acting for Sam, and only Sam.
    assert "Sam Taylor" in normalised_text(client_request.get("/plan").h1)


def test_the_banner_shows_on_every_page_while_acting_and_goes_when_stopped(client_request, session, sam, alex):
    link_alex(session, sam, alex)
    client_request.login(alex)
    act_for(client_request, sam.person)
    for url, status in [("/", 200), ("/advocacy", 200), ("/activity", 200), ("/privacy", 200),
                        ("/no-such-page", 404)]:
        banner = client_request.get(url, expected_status=status).select_one(".app-acting-for")
        assert "You are acting for Sam Taylor" in normalised_text(banner), url
        assert banner.select_one("button").get_text(strip=True) == "Stop acting for Sam Taylor"
        assert banner.select_one("a")["href"] == "/advocacy"

    client_request.post("/advocacy/stop-acting", {}, expected_redirect="/advocacy")
    assert client_request.get("/").select_one(".app-acting-for") is None
    client_request.get("/budget", expected_status=403)
    stopped = session.exec(select(AuditLog).where(AuditLog.action == "advocate.stopped_acting")).one()
    assert stopped.on_behalf_of_id == sam.person.id


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.PROVIDER, Role.COMMISSIONER])
def test_other_roles_never_get_a_person_in_scope(session, sam, role):
    """Only through their caseload (for_caseload_person) does a professional reach a person."""
    assert scope_for(session, create_user(session, role=role), acting_for_person_id=sam.person.id).person is None
