"""Comments on a support plan: the person, their advocates and their professional talk about the
plan where it is written, and each side is told when the other writes."""

import pytest
from sqlmodel import func, select

from marketplace.models import Notification, PlanComment, Role
from tests.client_request import error_messages, field_error, normalised_text
from tests.factories import assign_case, create_user, person_of
from tests.factories_advocacy import create_advocate_link


@pytest.fixture
def people(session):
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    assign_case(session, person=person_of(session, sam), professional=priya)
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=person_of(session, sam), advocate=alex, permissions=["view"])
    return {"sam": sam, "priya": priya, "alex": alex, "person": person_of(session, sam)}


def _comments(page) -> list[str]:
    return [normalised_text(li) for li in page.select("#comment-list > li")]


def _notified(session, user) -> list[str]:
    session.expire_all()
    return list(session.exec(select(Notification.text).where(Notification.recipient_id == user.id)))


def test_priya_comments_from_her_caseload_and_sam_reads_it_and_answers(client_request, session, people):
    person = people["person"]
    client_request.login(people["priya"])
    client_request.post(f"/caseload/people/{person.id}/plan/comments",
                        {"comment": "Could we add an outcome about seeing friends?"},
                        expected_redirect=f"/caseload/people/{person.id}/plan#comments")
    assert _notified(session, people["sam"]) == ["There is a new comment on Sam Taylor’s support plan."]
    assert _notified(session, people["alex"]) == ["There is a new comment on Sam Taylor’s support plan."]

    client_request.login(people["sam"])
    client_request.post("/plan/comments", {"comment": "Yes please. Fridays at the café."},
                        expected_redirect="/plan#comments")
    comments = _comments(client_request.get("/plan"))
    assert comments[0].startswith("Sam Taylor Yes please. Fridays at the café.")
    assert comments[1].startswith("Priya Shah Could we add an outcome about seeing friends?")
    assert _notified(session, people["priya"]) == ["There is a new comment on Sam Taylor’s support plan."]


def test_an_advocate_who_can_see_the_plan_can_comment_on_it(client_request, session, people):
    client_request.login(people["alex"])
    client_request.post("/advocacy/acting-for", {"person_id": str(people["person"].id)})
    client_request.post("/plan/comments", {"comment": "Sam would like the review in the afternoon."})
    client_request.login(people["priya"])
    page = client_request.get(f"/caseload/people/{people['person'].id}/plan")
    assert _comments(page)[0].startswith("Alex Morgan Sam would like the review in the afternoon.")


def test_an_advocate_without_view_cannot_comment(client_request, session, people):
    jo = create_user(session, role=Role.PERSON, name="Jo Khan")
    create_advocate_link(session, person=person_of(session, jo), advocate=people["alex"], permissions=["draft"])
    client_request.login(people["alex"])
    client_request.post("/advocacy/acting-for", {"person_id": str(person_of(session, jo).id)})
    client_request.post("/plan/comments", {"comment": "Hello"}, expected_status=403)
    assert session.exec(select(func.count()).select_from(PlanComment)).one() == 0


def test_a_professional_without_the_person_on_their_caseload_gets_not_found(client_request, session, people):
    client_request.login(create_user(session, role=Role.PROFESSIONAL, name="Other Professional"))
    client_request.post(f"/caseload/people/{people['person'].id}/plan/comments", {"comment": "Hello"},
                        expected_status=404)
    assert session.exec(select(func.count()).select_from(PlanComment)).one() == 0


def test_each_box_on_the_plan_page_has_its_own_label(client_request, people):
    client_request.login(people["sam"])
    page = client_request.get("/plan")
    boxes = page.select("input[type=text], textarea")
    assert len({box["id"] for box in boxes}) == len(boxes)
    assert {box["name"] for box in boxes} >= {"text", "comment"}
    assert all(len(page.select(f"label[for={box['id']}]")) == 1 for box in boxes)


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter your comment"),
    ("   ", "Enter your comment"),
    ("x" * 2001, "Your comment must be 2,000 characters or fewer"),
    ("Hello\u202eworld", "Your comment must not contain hidden characters. Type it in again rather than copying "
                          "and pasting it"),
])
def test_a_bad_comment_is_shown_by_the_field_and_nothing_is_saved(client_request, session, people, text, message):
    client_request.login(people["sam"])
    page = client_request.post("/plan/comments", {"comment": text}, expected_status=400)
    assert field_error(page, "comment") == message
    assert error_messages(page) == [message]
    assert session.exec(select(func.count()).select_from(PlanComment)).one() == 0
