"""Inviting an advocate, and the invitee accepting or declining with a single-use link."""

import logging
import re
import smtplib
from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace.advocacy.service import hash_token
from marketplace.models import AdvocateLink, AuditLog, LinkStatus, Role, User
from tests.client_request import error_messages, field_error, normalised_text
from tests.factories import create_user, person_of
from tests.factories_advocacy import create_advocate_link

GOOD_INVITATION = {"name": "Alex Morgan", "email": "alex@example.org",
                   "permissions": ["view", "draft"]}


@pytest.fixture
def sam(session):
    return create_user(session, role=Role.PERSON, name="Sam Taylor", email="sam@example.org")


def links(session):
    session.expire_all()
    return session.exec(select(AdvocateLink)).all()


def invite(client_request, data=None, expected_status=302):
    return client_request.post("/advocates/invite", GOOD_INVITATION | (data or {}),
                               expected_status=expected_status)


def shown_invitation_path(client_request) -> str:
    page = client_request.get("/advocates")
    href = page.select_one(".app-invitation-link a")["href"]
    return re.sub(r"^https?://[^/]+", "", href)


def test_sam_invites_alex_and_sees_the_invitation_with_its_link(client_request, session, sam, caplog):
    client_request.login(sam)
    with caplog.at_level(logging.INFO):
        invite(client_request)
    [link] = links(session)
    assert (link.invited_name, link.invited_email, link.status) == ("Alex Morgan", "alex@example.org", "invited")
    assert link.permissions == ["view", "draft"]
    assert link.advocate_user_id is None
    assert link.consent_recorded_by_id == sam.id
    assert timedelta(days=13, hours=23) < link.expires_at - link.created_at <= timedelta(days=14)

    page = client_request.get("/advocates")
    token = page.select_one(".app-invitation-link a")["href"].rsplit("/", 1)[1]
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert f"/advocacy/invitations/{token}" in caplog.text
    assert "Alex Morgan" in normalised_text(page.main)
    assert "Invited" in [normalised_text(tag) for tag in page.select(".govuk-tag")]
    # The link is shown once, not on every visit.
    assert client_request.get("/advocates").select_one(".app-invitation-link") is None
    entry = session.exec(select(AuditLog).where(AuditLog.action == "advocate.invited")).one()
    assert (entry.actor_id, entry.on_behalf_of_id) == (sam.id, person_of(session, sam).id)


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def test_with_a_mail_server_the_invitation_is_emailed(app, client_request, session, sam, monkeypatch):
    app.config.update(MAIL_SERVER="mail.example.org", MAIL_PORT=2525)
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    client_request.login(sam)
    invite(client_request)
    [message] = FakeSMTP.sent
    assert message["To"] == "alex@example.org"
    assert message["Subject"] == "Sam Taylor has invited you to help Sam Taylor"
    token_url = re.search(r"http://\S+/advocacy/invitations/(\S+)", message.get_content())
    assert links(session)[0].token_hash == hash_token(token_url.group(1))
    page = client_request.get("/advocates")
    assert "We have emailed an invitation to Alex Morgan." in normalised_text(page)


def test_when_the_mail_server_is_down_the_invitation_is_kept_and_the_person_told(
        app, client_request, session, sam, monkeypatch):
    app.config.update(MAIL_SERVER="mail.example.org")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    client_request.login(sam)
    invite(client_request)
    assert len(links(session)) == 1
    assert "we could not email it" in normalised_text(client_request.get("/advocates"))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter their full name"),
    ({"name": "x" * 201}, "name", "Must be 200 characters or fewer"),
    ({"email": ""}, "email", "Enter their email address"),
    ({"email": "alex at home"}, "email", "Enter an email address in the correct format, like name@example.com"),
    ({"permissions": []}, "permissions", "Select at least one thing they can do"),
    ({"permissions": ["draft", "cosign"]}, "permissions",
     "Also select 'See the budget' – an advocate needs to see the budget to do anything else"),
    ({"permissions": ["view", "everything"]}, "permissions", "Select what they can do from the list"),
    ({"email": "SAM@example.org "}, "email", "You cannot be your own advocate. Enter someone else's email address"),
])
def test_invitation_mistakes_are_explained_and_nothing_is_saved(client_request, session, sam, changes, field, message):
    client_request.login(sam)
    page = invite(client_request, changes, expected_status=400)
    assert message in error_messages(page)
    assert field_error(page, field) == message
    assert links(session) == []


@pytest.mark.parametrize("status", [LinkStatus.INVITED, LinkStatus.ACTIVE])
def test_inviting_the_same_email_twice_is_refused(client_request, session, sam, status):
    advocate = create_user(session, role=Role.ADVOCATE, email="alex@example.org")
    create_advocate_link(session, person=person_of(session, sam), advocate=advocate, status=status,
                         name="Alex Morgan")
    client_request.login(sam)
    page = invite(client_request, {"email": "Alex@Example.org"}, expected_status=400)
    assert field_error(page, "email") == ("Alex Morgan is already invited or is already an advocate "
                                          "with this email address. Change their permissions instead")
    assert len(links(session)) == 1


@pytest.mark.parametrize("status", [LinkStatus.DECLINED, LinkStatus.EXPIRED, LinkStatus.REVOKED])
def test_someone_can_be_invited_again_once_the_last_link_ended(client_request, session, sam, status):
    create_advocate_link(session, person=person_of(session, sam), email="alex@example.org", status=status)
    client_request.login(sam)
    invite(client_request)
    assert sorted(link.status for link in links(session)) == sorted([status.value, "invited"])


def test_an_invitation_past_its_date_does_not_block_a_new_one(client_request, session, sam):
    create_advocate_link(session, person=person_of(session, sam), email="alex@example.org",
                         status=LinkStatus.INVITED, expires_in=timedelta(seconds=-1))
    client_request.login(sam)
    invite(client_request)
    assert len(links(session)) == 2
    tags = [normalised_text(t) for t in client_request.get("/advocates").select(".govuk-tag")]
    assert sorted(tags) == ["Expired", "Invited"]


def test_names_with_unicode_and_html_are_kept_and_shown_safely(client_request, session, sam):
    name = "Zoë <b>Ó'Brien</b> 李"
    client_request.login(sam)
    invite(client_request, {"name": name})
    assert links(session)[0].invited_name == name
    html = client_request.client.get("/advocates").get_data(as_text=True)
    assert "<b>Ó" not in html and "Zoë &lt;b&gt;Ó&#39;Brien&lt;/b&gt; 李" in html


# Answering an invitation -------------------------------------------------------------------

@pytest.fixture
def invitation(session, sam):
    link, token = create_advocate_link(session, person=person_of(session, sam), name="Alex Morgan",
                                       email="alex@example.org", status=LinkStatus.INVITED,
                                       permissions=["view", "cosign"])
    return link, f"/advocacy/invitations/{token}"


def test_a_signed_out_invitee_is_offered_sign_in_or_an_advocate_account(client_request, invitation):
    _, path = invitation
    page = client_request.get(path)
    assert normalised_text(page.h1) == "Invitation to help Sam Taylor"
    assert "See the budget, support plan, care packages and invoices" in normalised_text(page.main)
    hrefs = {normalised_text(a): a["href"] for a in page.main.select("a")}
    assert hrefs["Create an advocate account"] == f"{path}/register"
    assert hrefs["I already have an account: sign in"] == f"/sign-in?next={path}"


def test_an_invitee_registers_as_an_advocate_and_the_link_becomes_active(client_request, session, invitation):
    link, path = invitation
    client_request.post(f"{path}/register", {"name": "Alex Morgan", "email": "alex@example.org",
                                             "password": "blue kettle morning walk"},
                        expected_redirect="/advocacy")
    alex = session.exec(select(User).where(User.email == "alex@example.org")).one()
    assert alex.role == "advocate"
    session.refresh(link)
    assert (link.status, link.advocate_user_id) == ("active", alex.id)
    page = client_request.get("/advocacy")
    assert "Your account is ready. You are now an advocate for Sam Taylor." in normalised_text(page)
    assert "Sam Taylor" in [normalised_text(h) for h in page.select("main h2.govuk-heading-m")]
    assert "Act for Sam Taylor" in [normalised_text(b) for b in page.select("main button")]


def test_registering_with_another_email_is_refused_and_nothing_is_made(client_request, session, invitation):
    link, path = invitation
    page = client_request.post(f"{path}/register", {"name": "Alex", "email": "other@example.org",
                                                    "password": "blue kettle morning walk"},
                               expected_status=400)
    assert field_error(page, "email") == "Use the email address the invitation was sent to"
    assert session.exec(select(User).where(User.role == "advocate")).all() == []
    session.refresh(link)
    assert link.status == "invited"


def test_registering_with_a_weak_password_keeps_the_invitation_open(client_request, session, invitation):
    link, path = invitation
    page = client_request.post(f"{path}/register", {"name": "Alex", "email": "alex@example.org",
                                                    "password": "short"}, expected_status=400)
    assert field_error(page, "password") == "Password must be 10 characters or more"
    session.refresh(link)
    assert link.status == "invited"


def test_a_signed_in_advocate_accepts(client_request, session, invitation):
    link, path = invitation
    alex = client_request.login(create_user(session, role=Role.ADVOCATE, email="alex@example.org"))
    client_request.post(f"{path}/accept", {}, expected_redirect="/advocacy")
    session.refresh(link)
    assert (link.status, link.advocate_user_id) == ("active", alex.id)
    entry = session.exec(select(AuditLog).where(AuditLog.action == "advocate.invitation_accepted")).one()
    assert (entry.actor_id, entry.on_behalf_of_id) == (alex.id, link.person_id)


def test_the_invitee_can_decline_and_the_person_sees_it(client_request, session, sam, invitation):
    link, path = invitation
    page = client_request.post(f"{path}/decline", {}, expected_status=200)
    assert normalised_text(page.h1) == "You have declined the invitation"
    client_request.login(sam)
    assert "Declined" in [normalised_text(t) for t in client_request.get("/advocates").select(".govuk-tag")]
    [row] = client_request.get("/activity").select("tbody tr")
    assert [normalised_text(td) for td in row.select("td")][1:] == [
        "Alex Morgan", "Declined the invitation to be an advocate"]


REFUSALS = {
    "used": "This invitation has already been used. Each invitation link works only once.",
    "expired": "This invitation has expired. Ask Sam Taylor to send you a new one.",
    "tampered": "This invitation link is not valid. Check you copied the whole link, or ask for a new invitation.",
    "wrong account": "This invitation was sent to a different email address from the one you signed "
                     "in with. Sign out and sign in with the email address the invitation was sent to.",
    "not an advocate": "You are signed in with an account that cannot be an advocate. Sign out, then "
                       "open the invitation link again to create an advocate account.",
    "cancelled": "This invitation was cancelled. Nothing else needs to be done.",
}


def _spoil(session, link, path, how):
    """Make the invitation unusable in one way; return the path the invitee then uses."""
    if how == "used":
        link.status = LinkStatus.ACTIVE.value
        link.advocate_user_id = create_user(session, role=Role.ADVOCATE, email="alex@example.org").id
    if how == "expired":
        link.expires_at = link.created_at - timedelta(seconds=1)
    if how == "cancelled":
        link.status = LinkStatus.REVOKED.value
    session.add(link)
    session.commit()
    return path[:-1] + ("A" if path[-1] != "A" else "B") if how == "tampered" else path


def _invitee(session, how):
    if how == "wrong account":
        return create_user(session, role=Role.ADVOCATE, email="someone.else@example.org")
    if how == "not an advocate":
        return create_user(session, role=Role.PROVIDER, email="alex@example.org")
    return session.exec(select(User).where(User.email == "alex@example.org")).first() or \
        create_user(session, role=Role.ADVOCATE, email="alex@example.org")


@pytest.mark.parametrize("how", list(REFUSALS))
def test_unusable_invitations_are_refused_clearly_and_make_no_link(client_request, session, invitation, how):
    link, path = invitation
    path = _spoil(session, link, path, how)
    status_before = link.status
    client_request.login(_invitee(session, how))
    if how not in ("wrong account", "not an advocate"):
        assert REFUSALS[how] in normalised_text(client_request.get(path, expected_status=410).main)
    page = client_request.post(f"{path}/accept", {}, expected_status=409)
    assert normalised_text(page.h1) == "You cannot use this invitation"
    assert REFUSALS[how] in normalised_text(page.main)
    session.expire_all()
    link = session.get(AdvocateLink, link.id)
    assert link.status == ("expired" if how == "expired" else status_before)
    assert session.exec(select(AdvocateLink).where(AdvocateLink.status == "active")).all() == (
        [link] if how == "used" else [])
    assert session.exec(select(AuditLog).where(AuditLog.action == "advocate.invitation_accepted")).all() == []


def test_an_invitation_cannot_be_accepted_twice(client_request, session, invitation):
    link, path = invitation
    client_request.login(create_user(session, role=Role.ADVOCATE, email="alex@example.org"))
    client_request.post(f"{path}/accept", {})
    page = client_request.post(f"{path}/accept", {}, expected_status=409)
    assert REFUSALS["used"] in normalised_text(page.main)
    page = client_request.post(f"{path}/decline", {}, expected_status=409)
    session.refresh(link)
    assert link.status == "active"


def test_a_used_invitation_cannot_make_a_second_account(client_request, session, invitation):
    _, path = invitation
    client_request.post(f"{path}/register", {"name": "Alex", "email": "alex@example.org",
                                             "password": "blue kettle morning walk"})
    client_request.logout()
    client_request.get(f"{path}/register", expected_status=410)
    assert len(session.exec(select(User).where(User.role == "advocate")).all()) == 1


def test_a_name_with_a_hidden_control_character_is_refused(client_request, session, sam):
    client_request.login(sam)
    page = invite(client_request, {"name": "Alex\u0000 Morgan"}, expected_status=400)
    assert field_error(page, "name") == "Their full name must not contain hidden characters. Type it in again rather than copying and pasting it"
    assert links(session) == []
