"""Notifications: written with their event, shown to their recipient only, marked read by POST."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from marketplace.budgets import service as budgets
from marketplace.models import Notification, Role
from marketplace.notifications.service import PAGE_SIZE, notify
from marketplace.scope import scope_for
from tests.client_request import date_input, normalised_text
from tests.factories import create_user, person_of
from tests.factories_advocacy import create_advocate_link


def _notifications(session, user) -> list[Notification]:
    session.expire_all()
    return list(session.exec(select(Notification).where(Notification.recipient_id == user.id)
                             .order_by(Notification.id)))


def _navigation_link(page) -> str:
    link = page.select_one('.govuk-service-navigation a[href="/notifications"]')
    return normalised_text(link)


def test_a_budget_allocated_by_the_council_is_waiting_for_the_budget_holder(session, client_request):
    jo = create_user(session, name="Jo Khan")
    council = client_request.login(create_user(session, role=Role.COMMISSIONER))
    client_request.post("/admin/budgets/new", {
        "person_id": str(person_of(session, jo).id), **date_input("period_start", "1", "4", "2026"),
        **date_input("period_end", "31", "3", "2027"), "allocation": "12,000.00", "funding_source": "council",
        "schedule": "up_front"})
    assert council.id  # the council is not told about its own action
    assert _notifications(session, council) == []

    client_request.login(jo)
    page = client_request.get("/notifications")
    # Read aloud as "Notifications, 1 unread"; shown as "Notifications (1)".
    assert _navigation_link(page) == "Notifications (1) , 1 unread"
    assert page.select_one('.govuk-service-navigation a[href="/notifications"] [aria-hidden]').text == "(1)"
    message = page.select_one(".app-notification--unread a")
    assert message.text == "The council has given you a personal budget of £12,000.00."
    assert message["href"] == "/budget"


def test_a_rolled_back_event_leaves_no_notification(app, session):
    jo = create_user(session)
    council = create_user(session, role=Role.COMMISSIONER)
    with app.app_context():
        from marketplace.db import get_session

        db = get_session()
        budgets.allocate_budget(db, person_id=person_of(session, jo).id, period_start=date(2026, 4, 1),
                                period_end=date(2027, 3, 31), allocation_pence=100_00,
                                funding_source="council", schedule="up_front", categories={},
                                scope=scope_for(db, council), today=date(2026, 4, 1))
        assert db.exec(select(func.count()).select_from(Notification)).one() == 1  # flushed
        db.rollback()
    assert _notifications(session, jo) == []


def test_notify_only_links_to_pages_of_this_service(session):
    user = create_user(session)
    for link in ("https://elsewhere.example/", "//elsewhere.example/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            notify(session, recipient_id=user.id, kind="test", text="Hello", link=link)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_only_their_own_notifications(session, client_request, role):
    me = create_user(session, role=role)
    someone_else = create_user(session, role=role)
    notify(session, recipient_id=me.id, kind="test", text="Yours to see", link="/")
    theirs = notify(session, recipient_id=someone_else.id, kind="test", text="Not yours", link="/")
    session.commit()

    client_request.login(me)
    page = client_request.get("/notifications")
    assert [a.text for a in page.select(".app-notification a")] == ["Yours to see"]
    # Someone else's notification cannot be marked read: a guessed id is "not found".
    client_request.post(f"/notifications/{theirs.id}/read", expected_status=404)
    client_request.post("/notifications/99999/read", expected_status=404)
    assert _notifications(session, someone_else)[0].read_at is None


def test_marking_one_and_all_as_read(session, client_request):
    me = client_request.login(create_user(session))
    first, second, third = (notify(session, recipient_id=me.id, kind="test", text=f"Message {n}", link="/")
                            for n in (1, 2, 3))
    session.commit()

    client_request.post(f"/notifications/{second.id}/read", expected_redirect="/notifications?page=1")
    page = client_request.get("/notifications")
    assert [normalised_text(p) for p in page.select(".app-notification--unread a")] == ["Message 3", "Message 1"]
    assert _navigation_link(page) == "Notifications (2) , 2 unread"

    client_request.post("/notifications/read-all", expected_redirect="/notifications")
    page = client_request.get("/notifications")
    assert page.select(".app-notification--unread") == []
    assert _navigation_link(page) == "Notifications"
    assert "You have read all your notifications." in page.text
    assert all(n.read_at is not None for n in _notifications(session, me))


def test_marking_read_needs_the_forms_csrf_token(app, session, client_request):
    app.config["WTF_CSRF_ENABLED"] = True
    me = client_request.login(create_user(session))
    mine = notify(session, recipient_id=me.id, kind="test", text="Hello", link="/")
    session.commit()
    client_request.post(f"/notifications/{mine.id}/read", expected_status=400)
    client_request.post("/notifications/read-all", expected_status=400)
    assert _notifications(session, me)[0].read_at is None


def test_each_notifications_form_carries_a_token_that_is_accepted(app, session, client_request):
    app.config["WTF_CSRF_ENABLED"] = True
    me = client_request.login(create_user(session))
    first, second = (notify(session, recipient_id=me.id, kind="test", text=text, link="/")
                     for text in ("First", "Second"))
    session.commit()
    page = client_request.get("/notifications")
    forms = page.select("form")
    assert all(len(form.select("input[name=csrf_token]")) == 1 for form in forms)
    row_form = page.select_one(f"form[action^='/notifications/{first.id}/read']")
    token = row_form.select_one("input[name=csrf_token]")["value"]
    client_request.post(f"/notifications/{first.id}/read", {"csrf_token": token})
    assert {n.text: n.read_at is not None for n in _notifications(session, me)} == {
        "First": True, "Second": False}


def test_newest_first_grouped_by_day_and_paginated(session, client_request):
    me = client_request.login(create_user(session))
    old = notify(session, recipient_id=me.id, kind="test", text="From last week", link="/")
    old.created_at -= timedelta(days=7)
    for n in range(PAGE_SIZE):
        notify(session, recipient_id=me.id, kind="test", text=f"Today {n}", link="/")
    session.commit()

    page = client_request.get("/notifications")
    assert [h.text for h in page.select("h2.govuk-heading-m")] == ["Today"]
    assert normalised_text(page.select_one(".app-notification a")) == f"Today {PAGE_SIZE - 1}"
    assert len(page.select(".app-notification")) == PAGE_SIZE
    assert page.select_one(".govuk-pagination__next a")["href"] == "/notifications?page=2"

    second = client_request.get("/notifications", page="2")
    assert [normalised_text(a) for a in second.select(".app-notification a")] == ["From last week"]
    assert "page 2 of 2" in second.title.text
    client_request.get("/notifications", page="٣")  # not a page number: the first page


def test_no_notifications_yet(session, client_request):
    client_request.login(create_user(session, role=Role.PROFESSIONAL))
    page = client_request.get("/notifications")
    assert "You have no notifications yet" in page.text
    assert _navigation_link(page) == "Notifications"


def test_an_advocates_waiting_list_shows_unread_notifications_that_need_action(session, client_request):
    advocate = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    sam = person_of(session, create_user(session, name="Sam Taylor"))
    create_advocate_link(session, person=sam, advocate=advocate)
    notify(session, recipient_id=advocate.id, kind="budget.underspend", person_id=sam.id,
           text="Plan how Sam uses the money left over", link="/budget")
    notify(session, recipient_id=advocate.id, kind="advocate.permissions_changed", person_id=sam.id,
           text="What you can do for Sam Taylor has changed.", link="/advocacy")
    session.commit()

    client_request.login(advocate)
    page = client_request.get("/advocacy")
    waiting = page.select_one("#waiting-for-you-" + str(sam.id)).find_next("ul")
    assert [normalised_text(b) for b in waiting.select("button")] == ["Plan how Sam uses the money left over"]
    assert waiting.select_one('input[name="next"]')["value"] == "/budget"
