"""Bring your own provider or personal assistant: ask, the council checks and agrees (a reason
for a close relative), the person adds them to a package; never in public browse; a change of
relationship goes back to the council."""

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace.errors import ServiceError
from marketplace.models import Notification, OwnProviderRequest, Provider, Role, Service
from marketplace.own_providers import service as own
from marketplace.packages import building
from marketplace.scope import NotAllowed, scope_for
from tests.factories import create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget
from tests.factories_packages import TODAY, add_outcome, draft_package, scope_of

NEXT_YEAR = TODAY + timedelta(days=365)


@pytest.fixture
def world(session):
    jo = create_user(session, role=Role.PERSON, name="Jo Khan")
    person = person_of(session, jo)
    create_budget(session, person=person, paid_in_pence=200_000)
    council = create_user(session, role=Role.COMMISSIONER, name="Council budgets team")
    outcome = add_outcome(session, jo, person)

    class World:
        pass

    w = World()
    w.jo, w.person, w.council, w.outcome = jo, person, council, outcome
    return w


def _ask(session, world, relationship="none", why_needed="") -> OwnProviderRequest:
    request = own.ask(session, scope_of(session, world.jo, world.person), name="Maggie Lee", contact="0113 496 0123",
                      what_they_do="Help me get up and go shopping", category="employing_a_pa", unit="hour",
                      price_pence=1250, relationship=relationship, why_needed=why_needed)
    session.commit()
    return request


def _checks(request, expires_on=NEXT_YEAR) -> list[own.CheckSeen]:
    return [own.CheckSeen(kind, f"REF-{kind}", expires_on) for kind in own.checks_for(request)]


def _decide(session, world, request, *, agree=True, reason="", checks=None):
    decided = own.decide(session, scope_for(session, world.council), request_id=request.id, agree=agree,
                         reason=reason, checks=_checks(request) if checks is None else checks, today=TODAY)
    session.commit()
    return decided


def _add(session, world, request):
    package = draft_package(session, world.jo, world.person, outcome=world.outcome)
    return building.add_line(session, scope_of(session, world.jo, world.person), package_id=package.id,
                             service_id=request.service_id, quantity="6", weekly=True,
                             outcome_id=world.outcome.id, today=TODAY)


def test_jo_asks_the_council_checks_and_agrees_and_jo_adds_her_to_a_package(session, world):
    request = _ask(session, world)
    assert session.exec(select(Notification).where(Notification.recipient_id == world.council.id,
                                                   Notification.kind == "own_provider.to_check")).one()
    assert own.checks_for(request) == ("enhanced_dbs", "public_liability_insurance", "references")
    _decide(session, world, request)
    line = _add(session, world, request)
    assert (line.provider_name, line.unit_price_pence) == ("Maggie Lee", 1250)


def test_an_own_provider_never_appears_in_public_browse_or_for_anyone_else(session, world, client):
    request = _ask(session, world)
    _decide(session, world, request)
    provider = session.get(Provider, request.provider_id)
    assert client.get("/providers?q=Maggie").get_data(as_text=True).count("Maggie Lee") == 0
    assert client.get(f"/providers/{provider.id}").status_code == 404
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    sam_person = person_of(session, sam)
    create_budget(session, person=sam_person, paid_in_pence=100_000)
    assert building.listed_service(session, request.service_id, TODAY, person_id=sam_person.id) is None


@pytest.mark.parametrize("relationship", ["spouse_partner", "close_relative_household"])
def test_a_close_relative_needs_the_persons_why_and_the_councils_reason(session, world, relationship):
    with pytest.raises(ServiceError, match="Enter why it needs to be them"):
        _ask(session, world, relationship=relationship)
    session.rollback()
    request = _ask(session, world, relationship=relationship, why_needed="Nobody else can come at night.")
    with pytest.raises(ServiceError, match="Enter the reason for your decision"):
        _decide(session, world, request, reason="")
    session.rollback()
    _decide(session, world, request, reason="Agreed: no agency covers nights in LS7.")


def test_agreeing_needs_every_check_with_a_reference_in_date(session, world):
    request = _ask(session, world)
    with pytest.raises(ServiceError, match="Enter the reference"):
        _decide(session, world, request, checks=_checks(request)[1:])
    session.rollback()
    with pytest.raises(ServiceError, match="today or later"):
        _decide(session, world, request, checks=_checks(request, expires_on=TODAY - timedelta(days=1)))
    session.rollback()
    assert session.get(OwnProviderRequest, request.id).provider_id is None


def test_until_agreed_or_once_refused_they_cannot_be_added(session, world):
    request = _ask(session, world)
    _decide(session, world, request, agree=False, reason="No references.")
    assert session.get(OwnProviderRequest, request.id).service_id is None


def test_changing_the_relationship_after_agreement_goes_back_to_the_council(session, world):
    request = _ask(session, world)
    _decide(session, world, request)
    own.change_relationship(session, scope_of(session, world.jo, world.person), request_id=request.id,
                            relationship="spouse_partner", why_needed="We married last month.")
    session.commit()
    assert session.get(OwnProviderRequest, request.id).status == "waiting"
    with pytest.raises(ServiceError, match="cannot be chosen"):
        _add(session, world, request)
    session.rollback()
    with pytest.raises(ServiceError, match="Enter the reason for your decision"):
        _decide(session, world, request, reason="")
    session.rollback()
    _decide(session, world, request, reason="Agreed: Maggie is the only carer Jo trusts.")
    assert _add(session, world, request).provider_name == "Maggie Lee"


def test_only_the_budget_holder_or_an_advocate_who_may_draft_can_ask(session, world):
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=world.person, advocate=alex, permissions=["view"])
    with pytest.raises(NotAllowed):
        own.ask(session, scope_of(session, alex, world.person), name="X", contact="Y", what_they_do="Z",
                category="employing_a_pa", unit="hour", price_pence=1000, relationship="none", why_needed="")
    with pytest.raises(NotAllowed):
        own.decide(session, scope_of(session, world.jo, world.person), request_id=1, agree=True, reason="",
                   checks=[], today=TODAY)


def test_jo_asks_and_the_council_agrees_through_the_pages(client_request, session, world):
    client_request.login(world.jo)
    page = client_request.post("/own-providers/new", {"name": "Maggie Lee", "contact": "0113 496 0123",
                                                      "what_they_do": "Shopping", "category": "employing_a_pa",
                                                      "unit": "hour", "price": "12,5,0", "relationship": "none"},
                               expected_status=400)
    assert page.select_one(".govuk-error-summary")
    client_request.post("/own-providers/new", {"name": "Maggie Lee", "contact": "0113 496 0123",
                                               "what_they_do": "Shopping", "category": "employing_a_pa",
                                               "unit": "hour", "price": "12.50", "relationship": "none"},
                        expected_redirect="/own-providers")
    request = session.exec(select(OwnProviderRequest)).one()
    client_request.login(world.council)
    assert "Maggie Lee" in client_request.get("/admin/vetting").get_text(" ", strip=True)
    expiry = NEXT_YEAR
    form = {"decision": "agree", "reason": ""}
    for kind in own.checks_for(request):
        form |= {f"reference_{kind}": f"REF-{kind}", f"expires_{kind}-day": str(expiry.day),
                 f"expires_{kind}-month": str(expiry.month), f"expires_{kind}-year": str(expiry.year)}
    client_request.post(f"/admin/own-providers/{request.id}", form, expected_redirect="/admin/vetting")
    client_request.login(world.jo)
    session.expire_all()  # read what the council's request saved, not the copy loaded before it
    service_id = session.get(OwnProviderRequest, request.id).service_id
    assert session.get(Service, service_id).published
    page = client_request.get("/own-providers")
    assert page.select_one(f"a[href='/packages/add-service/{service_id}']")
    assert client_request.get(f"/packages/add-service/{service_id}").h1
