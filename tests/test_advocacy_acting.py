"""Acting for someone: an advocate can do exactly what the budget holder allowed, no more,
and a change or revocation takes effect on the very next request."""

import pytest
from flask import redirect, request
from flask_login import current_user
from sqlmodel import select

from marketplace.audit import audit
from marketplace.auth.acting import require_or_403
from marketplace.auth.permissions import roles
from marketplace.db import get_session
from marketplace.models import AuditLog, LinkStatus, Role
from marketplace.models.advocacy import ADVOCATE_PERMISSIONS
from tests.client_request import normalised_text
from tests.factories import create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget

# One row per thing an advocate may try, and the permission it needs. The budget, package and
# invoice pages ask can() through the request's scope exactly like these stand-ins do; add
# their real URLs here as they arrive, and every row is checked against every missing
# permission below.
ACTIONS = [
    ("open the budget", "GET", "/budget", "view"),
    ("read the statement", "GET", "/budget/statement", "view"),
    ("download the statement", "GET", "/budget/statement.csv", "view"),
    ("open the quarterly return", "GET", "/budget/quarterly-return", "view"),
    ("open the support plan", "GET", "/plan", "view"),
    ("open the care packages", "GET", "/packages", "view"),
    ("start a care package", "GET", "/packages/new", "draft"),
    ("open a stand-in page needing view", "GET", "/test-only/view", "view"),
    ("open a draft care package", "GET", "/test-only/draft", "draft"),
    ("save a draft care package", "POST", "/test-only/draft", "draft"),
    ("co-sign a care package", "POST", "/test-only/cosign", "cosign"),
    ("approve an invoice", "POST", "/test-only/approve-invoices", "approve_invoices"),
]

# What each stand-in page asks can() for.
STAND_IN_ACTIONS = {"view": "view_budget", "draft": "draft_package", "cosign": "cosign_package",
                    "approve_invoices": "approve_invoice"}

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


@pytest.fixture
def actions(app):
    """Stand-in pages that need each permission; a POST writes an audit entry, as a service would."""
    def page_needing(permission):
        @roles(Role.PERSON, Role.ADVOCATE)
        def page():
            person = require_or_403(STAND_IN_ACTIONS[permission]).person
            if request.method == "POST":
                db = get_session()
                audit(db, action=f"test.{permission}", actor=current_user,
                      on_behalf_of_id=person.id, object_type="person", object_id=person.id)
                db.commit()
                return redirect("/")
            return f"<h1>{permission} for {person.name}</h1>"
        return page

    for permission in ADVOCATE_PERMISSIONS:
        app.add_url_rule(f"/test-only/{permission.replace('_', '-')}", f"test_only_{permission}",
                         page_needing(permission), methods=["GET", "POST"])


@pytest.fixture
def sam(session):
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor", email="sam@example.org")
    create_budget(session, person=person_of(session, sam), paid_in_pence=100_000)
    return sam


@pytest.fixture
def alex(session):
    return create_user(session, role=Role.ADVOCATE, name="Alex Morgan", email="alex@example.org")


def act_for(client_request, person, expected_status=302):
    return client_request.post("/advocacy/acting-for", {"person_id": str(person.id)},
                               expected_status=expected_status)


def try_action(client_request, method, url, expected_status):
    if method == "GET":
        return client_request.get(url, expected_status=expected_status)
    return client_request.post(url, {}, expected_status=expected_status)


def written_actions(session):
    session.expire_all()
    return [e.action for e in session.exec(select(AuditLog).where(AuditLog.action.startswith("test.")))]


@pytest.mark.parametrize(("what", "method", "url", "needed"), ACTIONS)
@pytest.mark.parametrize("missing", ADVOCATE_PERMISSIONS)
def test_each_missing_permission_refuses_exactly_the_actions_that_need_it(
        actions, client_request, session, sam, alex, what, method, url, needed, missing):
    granted = [p for p in ADVOCATE_PERMISSIONS if p != missing]
    create_advocate_link(session, person=person_of(session, sam), advocate=alex, permissions=granted)
    client_request.login(alex)
    act_for(client_request, person_of(session, sam))
    if needed == missing:
        page = try_action(client_request, method, url, 403)
        assert normalised_text(page.h1) == "You cannot see this page"
        assert MISSING_PERMISSION_EXPLANATION[missing] in normalised_text(page.main)
        assert written_actions(session) == []
    else:
        try_action(client_request, method, url, 200 if method == "GET" else 302)
        assert written_actions(session) == ([] if method == "GET" else [f"test.{needed}"])


def test_an_authorised_person_is_told_the_professional_grants_permissions(
        actions, client_request, session, sam, alex):
    from marketplace.models import LegalBasis

    create_advocate_link(session, person=person_of(session, sam), advocate=alex, permissions=["view"],
                         legal_basis=LegalBasis.DEPUTYSHIP, legal_reason="Court order")
    client_request.login(alex)
    act_for(client_request, person_of(session, sam))
    page = client_request.post("/test-only/approve-invoices", {}, expected_status=403)
    assert ("Only the professional who recorded you as their authorised person can give you "
            "this permission.") in normalised_text(page.main)


def test_an_advocate_who_has_not_chosen_anyone_is_asked_to_choose(actions, client_request, session, sam, alex):
    create_advocate_link(session, person=person_of(session, sam), advocate=alex)
    client_request.login(alex)
    page = client_request.get("/test-only/view", expected_status=403)
    assert "Choose the person you are acting for first, from People you support." in normalised_text(page.main)


def test_actions_are_audited_with_both_the_advocate_and_the_person(actions, client_request, session, sam, alex):
    sam_person = person_of(session, sam)
    create_advocate_link(session, person=sam_person, advocate=alex)
    client_request.login(alex)
    act_for(client_request, sam_person)
    client_request.post("/test-only/approve-invoices", {})
    entry = session.exec(select(AuditLog).where(AuditLog.action == "test.approve_invoices")).one()
    assert (entry.actor_id, entry.on_behalf_of_id) == (alex.id, sam_person.id)
    started = session.exec(select(AuditLog).where(AuditLog.action == "advocate.started_acting")).one()
    assert (started.actor_id, started.on_behalf_of_id) == (alex.id, sam_person.id)


def test_a_budget_holder_acting_for_themselves_is_recorded_as_themselves(actions, client_request, session, sam):
    client_request.login(sam)
    client_request.post("/test-only/draft", {})
    entry = session.exec(select(AuditLog).where(AuditLog.action == "test.draft")).one()
    assert (entry.actor_id, entry.on_behalf_of_id) == (sam.id, person_of(session, sam).id)


def _revoke_with_sams_own_browser(app, session, sam, link):
    from tests.client_request import ClientRequest

    sams_browser = ClientRequest(app.test_client(), session)
    sams_browser.login(sam)
    sams_browser.post(f"/advocates/{link.id}/stop-access", {})


def test_revocation_takes_effect_on_the_next_request_even_from_an_open_page(
        app, actions, client_request, session, sam, alex):
    link, _ = create_advocate_link(session, person=person_of(session, sam), advocate=alex)
    client_request.login(alex)
    act_for(client_request, person_of(session, sam))
    client_request.get("/test-only/draft")  # the page is open in Alex's browser
    assert "You are acting for Sam Taylor" in normalised_text(client_request.get("/"))

    _revoke_with_sams_own_browser(app, session, sam, link)

    page = client_request.post("/test-only/draft", {}, expected_status=403)
    assert "You can no longer act for this person" in normalised_text(page.main)
    assert written_actions(session) == []
    assert "You are acting for" not in normalised_text(client_request.get("/"))
    client_request.get("/test-only/view", expected_status=403)


def test_narrowing_permissions_takes_effect_on_the_next_request(actions, client_request, session, sam, alex):
    link, _ = create_advocate_link(session, person=person_of(session, sam), advocate=alex)
    client_request.login(alex)
    act_for(client_request, person_of(session, sam))
    client_request.post("/test-only/approve-invoices", {})
    link.can_approve_invoices = False
    session.add(link)
    session.commit()
    client_request.post("/test-only/approve-invoices", {}, expected_status=403)
    assert written_actions(session) == ["test.approve_invoices"]


@pytest.mark.parametrize("status", [LinkStatus.INVITED, LinkStatus.DECLINED, LinkStatus.EXPIRED,
                                    LinkStatus.REVOKED])
def test_links_that_are_not_active_grant_nothing(actions, client_request, session, sam, alex, status):
    sam_person = person_of(session, sam)
    create_advocate_link(session, person=sam_person, advocate=alex, status=status)
    client_request.login(alex)
    act_for(client_request, sam_person, expected_status=404)
    for _, method, url, _ in ACTIONS:
        try_action(client_request, method, url, 403)
    assert written_actions(session) == []
    page = client_request.get("/advocacy")
    assert [normalised_text(b) for b in page.select("main button")] == []


def test_an_advocate_cannot_reach_another_person_by_changing_ids(actions, client_request, session, sam, alex):
    sam_person = person_of(session, sam)
    jo = person_of(session, create_user(session, role=Role.PERSON, name="Jo Khan"))
    create_advocate_link(session, person=sam_person, advocate=alex)
    jos_link, _ = create_advocate_link(session, person=jo, email="someone@example.org",
                                       status=LinkStatus.INVITED)
    client_request.login(alex)
    act_for(client_request, sam_person)
    act_for(client_request, jo, expected_status=404)
    client_request.post("/advocacy/acting-for", {"person_id": "not-a-number"}, expected_status=404)
    client_request.get("/activity", person=str(jo.id), expected_status=404)
    client_request.get(f"/advocates/{jos_link.id}/permissions", expected_status=403)
    # Still acting for Sam, and only Sam.
    assert normalised_text(client_request.get("/test-only/view").h1) == "view for Sam Taylor"


def test_the_banner_shows_on_every_page_while_acting_and_goes_when_stopped(
        actions, client_request, session, sam, alex):
    create_advocate_link(session, person=person_of(session, sam), advocate=alex)
    client_request.login(alex)
    act_for(client_request, person_of(session, sam))
    for url, status in [("/", 200), ("/advocacy", 200), ("/activity", 200), ("/privacy", 200),
                        ("/no-such-page", 404)]:
        banner = client_request.get(url, expected_status=status).select_one(".app-acting-for")
        assert "You are acting for Sam Taylor" in normalised_text(banner), url
        assert banner.select_one("button").get_text(strip=True) == "Stop acting for Sam Taylor"
        assert banner.select_one("a")["href"] == "/advocacy"

    client_request.post("/advocacy/stop-acting", {}, expected_redirect="/advocacy")
    assert client_request.get("/").select_one(".app-acting-for") is None
    client_request.get("/test-only/view", expected_status=403)
    stopped = session.exec(select(AuditLog).where(AuditLog.action == "advocate.stopped_acting")).one()
    assert stopped.on_behalf_of_id == person_of(session, sam).id


def test_other_roles_never_get_a_person_in_scope(actions, client_request, session):
    client_request.login(create_user(session, role=Role.PROFESSIONAL))
    client_request.get("/test-only/view", expected_status=403)
