"""The budget holder controls their advocates; professionals record authorised people; the
advocate's home; and the activity page."""

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace.audit import audit
from marketplace.models import AdvocateLink, AuditLog, LegalBasis, LinkStatus, Role, User
from marketplace.models.types import utcnow
from marketplace.notifications.service import notify
from tests.client_request import error_messages, field_error, normalised_text
from tests.factories import assign_case, create_user, person_of
from tests.factories_advocacy import create_advocate_link


@pytest.fixture
def sam(session):
    return create_user(session, role=Role.PERSON, name="Sam Taylor", email="sam@example.org")


@pytest.fixture
def alex(session):
    return create_user(session, role=Role.ADVOCATE, name="Alex Morgan", email="alex@example.org")


@pytest.fixture
def alex_for_sam(session, sam, alex):
    link, _ = create_advocate_link(session, person=person_of(session, sam), advocate=alex)
    return link


def fresh(session, link):
    session.expire_all()
    return session.get(AdvocateLink, link.id)


# The budget holder's control ----------------------------------------------------------------

def test_sam_changes_what_alex_can_do(client_request, session, sam, alex_for_sam):
    client_request.login(sam)
    page = client_request.get(f"/advocates/{alex_for_sam.id}/permissions")
    assert [i.has_attr("checked") for i in page.select("input[name=permissions]")] == [True] * 4
    client_request.post(f"/advocates/{alex_for_sam.id}/permissions", {"permissions": ["view"]},
                        expected_redirect="/advocates")
    assert fresh(session, alex_for_sam).permissions == ["view"]
    entry = session.exec(select(AuditLog).where(AuditLog.action == "advocate.permissions_changed")).one()
    assert entry.detail["after"] == ["view"] and entry.on_behalf_of_id == alex_for_sam.person_id


def test_changing_permissions_to_nothing_is_refused(client_request, session, sam, alex_for_sam):
    client_request.login(sam)
    page = client_request.post(f"/advocates/{alex_for_sam.id}/permissions", {}, expected_status=400)
    assert field_error(page, "permissions") == "Select at least one thing they can do"
    assert fresh(session, alex_for_sam).permissions == ["view", "draft", "cosign", "approve_invoices"]


def test_sam_stops_alexs_access(client_request, session, sam, alex_for_sam):
    client_request.login(sam)
    page = client_request.get(f"/advocates/{alex_for_sam.id}/stop-access")
    assert normalised_text(page.h1) == "Stop Alex Morgan's access"
    client_request.post(f"/advocates/{alex_for_sam.id}/stop-access", {}, expected_redirect="/advocates")
    link = fresh(session, alex_for_sam)
    assert (link.status, link.revoked_by_id) == ("revoked", sam.id)
    assert "Access stopped" in [normalised_text(t) for t in client_request.get("/advocates").select(".govuk-tag")]
    # Stopping twice changes nothing more.
    client_request.post(f"/advocates/{alex_for_sam.id}/stop-access", {})
    assert len(session.exec(select(AuditLog).where(AuditLog.action == "advocate.revoked")).all()) == 1


def test_a_budget_holder_cannot_reach_another_persons_advocates(client_request, session, alex_for_sam):
    client_request.login(create_user(session, role=Role.PERSON, name="Jo Khan"))
    client_request.get(f"/advocates/{alex_for_sam.id}/permissions", expected_status=404)
    client_request.post(f"/advocates/{alex_for_sam.id}/stop-access", {}, expected_status=404)
    client_request.get("/advocates/999999/permissions", expected_status=404)
    assert fresh(session, alex_for_sam).status == "active"


# Authorised people ------------------------------------------------------------------------------

@pytest.fixture
def priya(session, sam):
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    assign_case(session, person=person_of(session, sam), professional=priya)
    return priya


GOOD_AUTHORISED_PERSON = {
    "name": "Lee Taylor", "email": "lee@example.org", "permissions": ["view", "approve_invoices"],
    "legal_basis": "lasting_power_of_attorney", "reason": "Sam's daughter holds a registered LPA.",
}


def test_a_professional_records_an_authorised_person_everyone_can_see(client_request, session, sam, priya):
    sam_person = person_of(session, sam)
    client_request.login(priya)
    client_request.post(f"/advocacy/caseload/{sam_person.id}/authorised-person", GOOD_AUTHORISED_PERSON,
                        expected_redirect="/advocacy/caseload")
    link = session.exec(select(AdvocateLink)).one()
    assert (link.legal_basis, link.consent_recorded_by_id, link.status) == (
        "lasting_power_of_attorney", priya.id, "invited")
    caseload_page = client_request.get("/advocacy/caseload")
    token_path = caseload_page.select_one(".app-invitation-link a")["href"].split("localhost", 1)[1]
    assert "Lasting power of attorney" in normalised_text(caseload_page.main)

    client_request.login(sam)
    text = normalised_text(client_request.get("/advocates").main)
    assert "Lee Taylor Authorised person" in text
    assert "Lasting power of attorney" in text and "Sam's daughter holds a registered LPA." in text
    page = client_request.get(f"/advocates/{link.id}/permissions", expected_status=403)
    assert "only a professional who supports you can change it" in normalised_text(page.main)

    client_request.logout()
    text = normalised_text(client_request.get(token_path).main)
    assert "Priya Shah, a professional who supports Sam Taylor, has recorded you as their authorised person." in text
    assert "Sam's daughter holds a registered LPA." in text


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"legal_basis": ""}, "legal_basis", "Select what gives them the right to act"),
    ({"reason": "  "}, "reason", "Enter the reason for this decision"),
    ({"reason": "x" * 2001}, "reason", "Reason must be 2000 characters or fewer"),
    ({"reason": "Court\u0000order"}, "reason", "Reason must not contain hidden characters. Type it in again rather than copying and pasting it"),
    ({"permissions": []}, "permissions", "Select at least one thing they can do"),
    ({"email": "sam@example.org"}, "email", "Sam Taylor cannot be their own advocate. Enter someone else's email address"),
])
def test_authorised_person_mistakes_are_explained(client_request, session, sam, priya, changes, field, message):
    client_request.login(priya)
    page = client_request.post(f"/advocacy/caseload/{person_of(session, sam).id}/authorised-person",
                               GOOD_AUTHORISED_PERSON | changes, expected_status=400)
    assert message in error_messages(page)
    assert field_error(page, field) == message
    assert session.exec(select(AdvocateLink)).all() == []


def test_a_professional_only_reaches_people_on_their_caseload(client_request, session, sam, priya):
    jo = person_of(session, create_user(session, role=Role.PERSON, name="Jo Khan"))
    jos_link, _ = create_advocate_link(session, person=jo, email="x@example.org", status=LinkStatus.INVITED,
                                       legal_basis=LegalBasis.DEPUTYSHIP, legal_reason="Order")
    sams_own_choice, _ = create_advocate_link(session, person=person_of(session, sam), email="y@example.org")
    client_request.login(priya)
    client_request.get(f"/advocacy/caseload/{jo.id}/authorised-person", expected_status=404)
    client_request.post(f"/advocacy/caseload/{jo.id}/authorised-person", GOOD_AUTHORISED_PERSON,
                        expected_status=404)
    client_request.post(f"/advocates/{jos_link.id}/stop-access", {}, expected_status=404)
    # An advocate Sam chose is Sam's to change, not the professional's.
    client_request.get(f"/advocates/{sams_own_choice.id}/permissions", expected_status=404)
    assert "Jo Khan" not in normalised_text(client_request.get("/advocacy/caseload").main)


def test_a_professional_stops_an_authorised_persons_access(client_request, session, sam, priya, alex):
    link, _ = create_advocate_link(session, person=person_of(session, sam), advocate=alex,
                                   legal_basis=LegalBasis.COUNCIL_DECISION, legal_reason="Best interests")
    client_request.login(priya)
    client_request.post(f"/advocates/{link.id}/stop-access", {}, expected_redirect="/advocacy/caseload")
    assert fresh(session, link).status == "revoked"


# The advocate's home ----------------------------------------------------------------------------

def test_the_advocate_sees_who_they_support_with_permissions_and_invitations(
        client_request, session, sam, alex):
    sam_person = person_of(session, sam)
    create_advocate_link(session, person=sam_person, advocate=alex, permissions=["view", "cosign"])
    jo = person_of(session, create_user(session, role=Role.PERSON, name="Jo Khan"))
    create_advocate_link(session, person=jo, email="alex@example.org", status=LinkStatus.INVITED)
    kim = person_of(session, create_user(session, role=Role.PERSON, name="Kim Old"))
    create_advocate_link(session, person=kim, email="alex@example.org", status=LinkStatus.INVITED,
                         expires_in=timedelta(seconds=-1))

    notify(session, recipient_id=alex.id, kind="budget.underspend", person_id=sam_person.id,
           text="Plan how to use the money left over", link="/budget")
    notify(session, recipient_id=alex.id, kind="advocate.permissions_changed", person_id=sam_person.id,
           text="What you can do has changed", link="/advocacy")  # news, not something to do
    session.commit()
    client_request.login(alex)
    page = client_request.get("/advocacy")
    text = normalised_text(page.main)
    assert "Sam Taylor has agreed that you can: See the budget, support plan, care packages and " \
           "invoices Co-sign care packages before a professional reviews them" in text
    assert "Plan how to use the money left over" in text and "What you can do has changed" not in text
    assert "Jo Khan invited you" in text and "Kim Old" not in text


def test_nothing_waiting_is_said_plainly(client_request, session, alex_for_sam, alex):
    client_request.login(alex)
    assert "Nothing is waiting for you." in normalised_text(client_request.get("/advocacy").main)


# Activity --------------------------------------------------------------------------------------

def _entry(session, *, action, actor, person, minutes_ago, name=None):
    entry = audit(session, action=action, actor=actor, on_behalf_of_id=person.id,
                  detail={"name": name} if name else None)
    entry.at = utcnow() - timedelta(minutes=minutes_ago)
    session.commit()


def test_sam_sees_who_did_what_for_them_newest_first_and_can_filter(client_request, session, sam, alex):
    sam_person = person_of(session, sam)
    jo = create_user(session, role=Role.PERSON, name="Jo Khan")
    _entry(session, action="advocate.invited", actor=sam, person=sam_person, minutes_ago=30, name="Alex Morgan")
    _entry(session, action="advocate.invitation_accepted", actor=alex, person=sam_person, minutes_ago=20)
    _entry(session, action="invoice.approved", actor=alex, person=sam_person, minutes_ago=10)
    _entry(session, action="advocate.invited", actor=jo, person=person_of(session, jo), minutes_ago=5, name="Z")
    client_request.login(sam)
    rows = [[normalised_text(td) for td in tr.select("td")][1:] for tr in
            client_request.get("/activity").select("tbody tr")]
    assert rows == [
        ["Alex Morgan", "Approved invoice"],
        ["Alex Morgan", "Accepted the invitation to be an advocate"],
        ["Sam Taylor", "Invited Alex Morgan to be an advocate"],
    ]
    filtered = client_request.get("/activity", who=str(alex.id))
    assert [normalised_text(tr.select("td")[1]) for tr in filtered.select("tbody tr")] == ["Alex Morgan"] * 2
    client_request.get("/activity", who=str(jo.id), expected_status=404)
    client_request.get("/activity", who="abc", expected_status=404)


def test_an_advocate_sees_only_their_own_actions(client_request, session, sam, alex, alex_for_sam):
    sam_person = person_of(session, sam)
    _entry(session, action="advocate.invited", actor=sam, person=sam_person, minutes_ago=30, name="Alex Morgan")
    _entry(session, action="advocate.started_acting", actor=alex, person=sam_person, minutes_ago=10)
    client_request.login(alex)
    page = client_request.get("/activity")
    rows = [[normalised_text(td) for td in tr.select("td")][1:] for tr in page.select("tbody tr")]
    assert rows == [["Alex Morgan", "Started acting for Sam Taylor", "Sam Taylor"]]
    assert len(client_request.get("/activity", person=str(sam_person.id)).select("tbody tr")) == 1


def test_activity_is_paged(client_request, session, sam):
    sam_person = person_of(session, sam)
    for minutes in range(30):
        _entry(session, action="advocate.invited", actor=sam, person=sam_person, minutes_ago=minutes,
               name=f"Person {minutes}")
    client_request.login(sam)
    first = client_request.get("/activity")
    assert len(first.select("tbody tr")) == 25
    second = client_request.get("/activity", page="2")
    assert [normalised_text(tr.select("td")[2]) for tr in second.select("tbody tr")] == [
        f"Invited Person {m} to be an advocate" for m in range(25, 30)]


# Demo data --------------------------------------------------------------------------------------

def test_demo_alex_acts_for_sam_with_everything_and_one_invitation_waits(runner, session, client_request):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    links = session.exec(select(AdvocateLink).order_by(AdvocateLink.id)).all()
    assert [(link.invited_email, link.status, link.permissions) for link in links] == [
        ("alex@example.org", "active", ["view", "draft", "cosign", "approve_invoices"]),
        ("robin@example.org", "invited", ["view", "draft", "cosign"]),
    ]
    assert normalised_text(client_request.get("/advocacy/invitations/demo-invitation-robin").h1) == \
        "Invitation to help Sam Taylor"
    client_request.login(session.get(User, links[0].invited_by_id))
    whats = [normalised_text(tr.select("td")[2]) for tr in client_request.get("/activity").select("tbody tr")]
    assert sorted(what for what in whats if "advocate" in what) == [
        "Accepted the invitation to be an advocate",
        "Invited Alex Morgan to be an advocate", "Invited Robin Taylor to be an advocate"]
    # The rest is the council's budget, Sam's reviews and the demo's invoices: sent by providers,
    # approved or disputed by Sam.
    assert all(what in ("Gave Sam Taylor a personal budget", "Wrote a review of a provider")
               or what.startswith(("Sent invoice", "Approved invoice", "Disputed invoice"))
               for what in whats if "advocate" not in what)


# Odd input never breaks a page ------------------------------------------------------------------

@pytest.mark.parametrize("data", [{}, {"permissions": ["<script>"], "legal_basis": "nonsense",
                                       "name": "\u0000", "email": "a@" + "b" * 400, "person_id": "-1"}])
def test_every_advocate_form_answers_odd_input_without_failing(client_request, session, sam, alex, priya,
                                                                alex_for_sam, data):
    sam_person = person_of(session, sam)
    for user, url in [
        (sam, "/advocates/invite"),
        (sam, f"/advocates/{alex_for_sam.id}/permissions"),
        (priya, f"/advocacy/caseload/{sam_person.id}/authorised-person"),
        (alex, "/advocacy/acting-for"),
    ]:
        client_request.login(user)
        response = client_request.client.post(url, data=data)
        assert response.status_code in (400, 404), (url, response.status_code)
    assert fresh(session, alex_for_sam).permissions == ["view", "draft", "cosign", "approve_invoices"]
    assert len(session.exec(select(AdvocateLink)).all()) == 1


def test_sam_cancels_an_invitation_and_its_link_stops_working(client_request, session, sam):
    link, token = create_advocate_link(session, person=person_of(session, sam), name="Robin Taylor",
                                       status=LinkStatus.INVITED)
    client_request.login(sam)
    page = client_request.get(f"/advocates/{link.id}/stop-access")
    assert normalised_text(page.h1) == "Cancel the invitation for Robin Taylor"
    client_request.post(f"/advocates/{link.id}/stop-access", {})
    assert fresh(session, link).status == "revoked"
    client_request.logout()
    page = client_request.get(f"/advocacy/invitations/{token}", expected_status=410)
    assert "This invitation was cancelled." in normalised_text(page.main)
