"""Who is told about what (advocates, budgets, providers), and the optional email that follows."""

import smtplib
from datetime import date

import pytest
from sqlmodel import select

from marketplace.models import (
    JobFailure,
    LegalBasis,
    LinkStatus,
    Notification,
    NotificationSetting,
    Review,
    Role,
)
from marketplace.notifications import jobs as email_jobs
from marketplace.notifications.service import notify
from tests.client_request import date_input, normalised_text
from tests.factories import assign_case, create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget, pay_provider
from tests.factories_providers import add_check, create_listed_provider


def _texts(session, user) -> list[str]:
    session.expire_all()
    return list(session.exec(select(Notification.text).where(Notification.recipient_id == user.id)
                             .order_by(Notification.id)))


@pytest.fixture
def sam(session):
    return create_user(session, name="Sam Taylor", email="sam@example.org")


@pytest.fixture
def alex(session):
    return create_user(session, role=Role.ADVOCATE, name="Alex Morgan", email="alex@example.org")


# Advocates --------------------------------------------------------------------------------------

def test_sam_is_told_when_alex_accepts_and_alex_when_sam_changes_or_stops_access(
        session, client_request, sam, alex):
    link, token = create_advocate_link(session, person=person_of(session, sam), email=alex.email,
                                       name="Alex Morgan", status=LinkStatus.INVITED)
    client_request.login(alex)
    client_request.post(f"/advocacy/invitations/{token}/accept")
    assert _texts(session, sam) == ["Alex Morgan accepted your invitation and can now help you."]

    client_request.login(sam)
    client_request.post(f"/advocates/{link.id}/permissions", {"permissions": ["view"]})
    client_request.post(f"/advocates/{link.id}/stop-access")
    assert _texts(session, alex) == ["What you can do for Sam Taylor has changed.",
                                     "You can no longer act for Sam Taylor."]
    assert len(_texts(session, sam)) == 1  # not told about what Sam did


def test_sam_is_told_when_an_invitation_is_declined(session, client_request, sam):
    _link, token = create_advocate_link(session, person=person_of(session, sam), name="Kim Lee",
                                        status=LinkStatus.INVITED)
    client_request.post(f"/advocacy/invitations/{token}/decline", expected_status=200)
    assert _texts(session, sam) == ["Kim Lee said no to your invitation to be your advocate."]


def test_sam_is_told_once_when_an_invitation_runs_out_unanswered(app, session, sam):
    from datetime import timedelta

    from marketplace import jobs

    create_advocate_link(session, person=person_of(session, sam), name="Kim Lee",
                         status=LinkStatus.INVITED, expires_in=timedelta(seconds=-1))
    create_advocate_link(session, person=person_of(session, sam), status=LinkStatus.INVITED)  # still open
    assert jobs.run_sweep("invitations") == 1
    assert jobs.run_sweep("invitations") == 0
    assert _texts(session, sam) == ["Your invitation to Kim Lee ran out before they answered. "
                                    "You can invite them again."]


def test_a_professional_who_cancels_an_authorised_persons_invitation_tells_the_budget_holder(
        session, client_request, sam):
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    assign_case(session, person=person_of(session, sam), professional=priya)
    link, _ = create_advocate_link(session, person=person_of(session, sam), name="Lee Park",
                                   status=LinkStatus.INVITED, invited_by=priya,
                                   legal_basis=LegalBasis.DEPUTYSHIP, legal_reason="Court order")
    client_request.login(priya)
    client_request.post(f"/advocates/{link.id}/stop-access")
    assert _texts(session, sam) == ["Priya Shah cancelled the invitation to Lee Park."]


# Budgets ----------------------------------------------------------------------------------------

def test_budget_changes_reach_the_holder_and_only_advocates_who_can_see_the_budget(
        session, client_request, sam, alex):
    drafts_only = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=person_of(session, sam), advocate=alex, permissions=["view"])
    create_advocate_link(session, person=person_of(session, sam), advocate=drafts_only, permissions=["draft"])
    budget = create_budget(session, person=person_of(session, sam), schedule="up_front",
                           allocation_pence=1000_00, instalments_due_by=date(2026, 4, 1))
    client_request.login(create_user(session, role=Role.COMMISSIONER))
    for change, amount in (("add", "50"), ("remove", "20"), ("clawback", "30")):
        client_request.post(f"/admin/budgets/{budget.id}/adjust",
                            {"change": change, "amount": amount, "reason": "Review", "request_key": change})
    assert _texts(session, sam) == ["The council added £50.00 to your budget.",
                                    "The council took £20.00 off your budget.",
                                    "The council took back £30.00 of unspent money from your budget."]
    assert _texts(session, alex)[0] == "The council added £50.00 to Sam Taylor's budget."
    assert _texts(session, drafts_only) == []


# Providers --------------------------------------------------------------------------------------

def test_provider_staff_hear_about_their_checks_suspension_and_reviews(session, client_request, sam):
    brightpath = create_listed_provider(session, name="Brightpath Home Care")  # can be reviewed
    staff = create_user(session, role=Role.PROVIDER, provider=brightpath)
    other_provider_staff = create_user(session, role=Role.PROVIDER)
    good = add_check(session, brightpath, "cqc_registration", status="pending")
    bad = add_check(session, brightpath, "public_liability_insurance", status="pending")

    client_request.login(create_user(session, role=Role.COMMISSIONER))
    client_request.post(f"/admin/vetting/checks/{good.id}", {"decision": "verify"})
    client_request.post(f"/admin/vetting/checks/{bad.id}", {"decision": "reject", "reason": "Out of date"})
    client_request.post(f"/admin/vetting/providers/{brightpath.id}", {"reason": "Complaint"})
    client_request.post(f"/admin/vetting/providers/{brightpath.id}")  # reinstate
    pay_provider(session, person=person_of(session, sam), provider_id=brightpath.id)
    client_request.login(sam)
    client_request.post(f"/providers/{brightpath.id}/review", {"rating": "4", "text": "Kind and on time"})

    assert _texts(session, staff) == [
        "The council has verified your CQC registration.",
        "The council could not accept your Public liability insurance. Open your checks to see why.",
        "The council has suspended Brightpath Home Care. People cannot find you until it is reinstated.",
        "The council has reinstated Brightpath Home Care. People can find you again.",
        "Someone you support wrote a review: 4 stars out of 5.",
    ]
    assert session.exec(select(Review)).one().rating == 4
    assert _texts(session, other_provider_staff) == []


# Email ------------------------------------------------------------------------------------------

class Outbox:
    def __init__(self):
        self.sent = []
        self.failures_left = 0

    def send(self, config, *, to, subject, body):
        if self.failures_left:
            self.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("the mail server went away")
        self.sent.append({"to": to, "subject": subject, "body": body})


@pytest.fixture
def outbox(app, monkeypatch):
    app.config.update(MAIL_SERVER="mail.example.org", SERVICE_URL="https://care.example.org")
    box = Outbox()
    monkeypatch.setattr(email_jobs, "send_email", box.send)
    return box


def _allocate(client_request, session, person_user):
    client_request.login(create_user(session, role=Role.COMMISSIONER))
    return client_request.post("/admin/budgets/new", {
        "person_id": str(person_of(session, person_user).id), **date_input("period_start", "1", "4", "2026"),
        **date_input("period_end", "31", "3", "2027"), "allocation": "12,345.00", "funding_source": "council",
        "schedule": "up_front"})


def test_the_email_says_only_that_something_is_waiting(session, client_request, sam, outbox):
    _allocate(client_request, session, sam)
    [message] = outbox.sent
    assert message["to"] == "sam@example.org"
    assert message["subject"] == "Something is waiting for you on Manage your care budget"
    assert "https://care.example.org/notifications" in message["body"]
    for private in ("12,345", "£", "budget of", "Taylor", "council has given"):
        assert private not in message["body"]
    session.expire_all()
    assert session.exec(select(Notification)).one().emailed_at is not None


def test_no_email_for_someone_who_turned_it_off(session, client_request, sam, outbox):
    client_request.login(sam)
    page = client_request.get("/account/notifications")
    assert page.select_one('input[name="email"][value="yes"]').has_attr("checked")
    client_request.post("/account/notifications", {"email": "no"})
    assert session.get(NotificationSetting, sam.id).email is False
    _allocate(client_request, session, sam)
    assert outbox.sent == []
    client_request.login(sam)
    assert client_request.get("/notifications").select_one(".app-notification--unread")


def test_the_email_setting_must_be_chosen(session, client_request):
    client_request.login(create_user(session))
    page = client_request.post("/account/notifications", {}, expected_status=400)
    assert "Select whether you want emails" in normalised_text(page.select_one(".govuk-error-summary"))


def test_no_email_is_queued_for_an_event_that_rolled_back(app, session, sam, outbox):
    with app.app_context():
        from marketplace.db import get_session

        db = get_session()
        notify(db, recipient_id=sam.id, kind="test", text="Never happened", link="/")
        db.rollback()
        notify(db, recipient_id=sam.id, kind="test", text="Happened", link="/")
        db.commit()
    assert len(outbox.sent) == 1


def test_a_failed_email_never_fails_the_request_and_is_retried(session, client_request, sam, outbox):
    from marketplace import jobs

    outbox.failures_left = 1
    _allocate(client_request, session, sam)  # the page still redirects (302)
    assert outbox.sent == []
    assert len(_texts(session, sam)) == 1  # the event and its notification are kept
    [retry] = jobs.huey.scheduled()
    jobs.huey.execute(retry, timestamp=retry.eta)
    assert [m["to"] for m in outbox.sent] == ["sam@example.org"]
    assert session.exec(select(JobFailure)).all() == []


def test_an_email_that_keeps_failing_is_recorded_as_a_failed_job(session, client_request, sam, outbox):
    from datetime import UTC, datetime, timedelta

    from marketplace import jobs

    outbox.failures_left = email_jobs.RETRIES + 1
    _allocate(client_request, session, sam)
    for _ in range(email_jobs.RETRIES):
        [retry] = jobs.huey.read_schedule(datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1))
        jobs.huey.execute(retry, timestamp=retry.eta)
    session.expire_all()
    [failure] = session.exec(select(JobFailure)).all()
    assert failure.task_name.endswith("notifications.email")
    assert "SMTPServerDisconnected: the mail server went away" in failure.error


def test_in_production_without_email_the_invitation_page_says_so_and_shows_the_link(
        app, session, client_request, sam):
    app.config.update(APP_ENV="production", MAIL_SERVER="")
    client_request.login(sam)
    client_request.post("/advocates/invite", {"name": "Alex Morgan", "email": "alex@example.org",
                                              "permissions": ["view"]})
    page = client_request.get("/advocates")
    assert "No email was sent" in normalised_text(page)
    assert "We did not send an email. Copy this link" in normalised_text(page)
    assert "/advocacy/invitations/" in page.select_one(".app-invitation-link a")["href"]


def test_when_the_job_queue_is_down_the_event_still_stands(session, client_request, sam, outbox, monkeypatch):
    from marketplace import jobs

    def queue_down(task):
        raise ConnectionError("the job queue is not answering")

    monkeypatch.setattr(jobs.huey, "enqueue", queue_down)
    _allocate(client_request, session, sam)  # redirects as usual
    assert _texts(session, sam) == ["The council has given you a personal budget of £12,345.00."]
    assert outbox.sent == []
