"""Provider staff join by invitation and choose their own password; the owner can remove them.
Inviting never makes an account nor says whether an address has one."""

import re

import pytest
from sqlmodel import select

from marketplace.models import AuditLog, ProviderMember, Role, StaffInvitation, User
from tests.client_request import error_messages, normalised_text
from tests.factories import create_user
from tests.factories_providers import create_listed_provider, provider_of_user


@pytest.fixture
def owner(session):
    return create_user(session, role=Role.PROVIDER, provider=create_listed_provider(session, name="Our Care"))


def _invite(client_request, email="Kim@OurCare.example", name="Kim Lee") -> tuple[str, str]:
    page = client_request.post("/provider/staff", {"name": name, "email": email}, expected_status=200)
    link = page.select_one(".app-invitation-link")["href"]
    return normalised_text(page.select_one(".govuk-notification-banner")), re.sub(r"^http://[^/]+", "", link)


def test_an_invited_person_sets_their_own_password_and_joins(client, client_request, session, owner):
    client_request.login(owner)
    _banner, path = _invite(client_request)
    assert session.exec(select(User).where(User.email == "kim@ourcare.example")).first() is None
    invitation = session.exec(select(StaffInvitation)).one()
    assert path.rsplit("/", 1)[1] not in invitation.token_hash  # only a hash is kept

    client_request.logout()
    client_request.post(path, {"name": "Kim Lee", "password": "blue kettle morning walk"})
    kim = session.exec(select(User).where(User.email == "kim@ourcare.example")).one()
    assert provider_of_user(session, kim).id == provider_of_user(session, owner).id
    client_request.logout()
    client_request.get(path, expected_status=410)  # single use
    assert client.post("/sign-in", data={"email": "kim@ourcare.example",
                                         "password": "blue kettle morning walk"}).status_code == 302


@pytest.mark.parametrize("role", [None, Role.PERSON, Role.COMMISSIONER, Role.PROVIDER])
def test_the_owner_sees_the_same_answer_whether_or_not_the_address_has_an_account(
        client_request, session, owner, role):
    if role is not None:
        create_user(session, role=role, email="someone@example.org")
    users_before = len(session.exec(select(User)).all())
    client_request.login(owner)
    banner, _path = _invite(client_request, email="someone@example.org", name="Someone")
    assert banner.startswith("Invitation sent Your invitation is ready. It works once, for 14 days.")
    assert len(session.exec(select(User)).all()) == users_before


def test_someone_with_an_account_already_signs_in_to_accept(client_request, session, owner):
    spare = create_user(session, role=Role.PROVIDER, email="spare@example.org")
    session.delete(session.exec(select(ProviderMember).where(ProviderMember.user_id == spare.id)).one())
    session.commit()
    client_request.login(owner)
    _banner, path = _invite(client_request, email="spare@example.org")
    client_request.logout()
    page = client_request.post(path, {"name": "Spare", "password": "blue kettle morning walk"}, expected_status=400)
    assert "You already have an account. Sign in with it to accept this invitation" in error_messages(page)
    client_request.login(spare)
    client_request.post(path, {})
    assert provider_of_user(session, spare).id == provider_of_user(session, owner).id


def test_an_account_in_another_organisation_cannot_accept(client_request, session, owner):
    elsewhere = create_user(session, role=Role.PROVIDER, email="busy@example.org")
    client_request.login(owner)
    _banner, path = _invite(client_request, email="busy@example.org")
    client_request.login(elsewhere)
    page = client_request.post(path, {}, expected_status=400)
    assert "Your account cannot join another organisation" in normalised_text(page)


def test_the_owner_removes_a_member_who_is_signed_out_at_once(client_request, session, owner):
    client_request.login(owner)
    _banner, path = _invite(client_request)
    client_request.logout()
    client_request.post(path, {"name": "Kim Lee", "password": "blue kettle morning walk"})
    kim = session.exec(select(User).where(User.email == "kim@ourcare.example")).one()
    client_request.login(owner)
    client_request.get(f"/provider/staff/{kim.id}/remove")
    client_request.post(f"/provider/staff/{kim.id}/remove", {}, expected_redirect="/provider/staff")
    assert provider_of_user(session, kim) is None
    assert session.exec(select(AuditLog).where(AuditLog.action == "provider.staff_removed")).one()
    client_request.login(kim)  # the sign-in from before no longer works
    client_request.get("/provider/services", expected_status=302)
    session.refresh(kim)
    client_request.login(kim)  # and a new one no longer reaches the organisation
    client_request.get("/provider/services", expected_status=404)
    client_request.post(f"/provider/staff/{owner.id}/remove", {}, expected_status=404)


def test_the_owner_cannot_be_removed_and_other_providers_staff_are_not_found(client_request, session, owner):
    other = create_user(session, role=Role.PROVIDER)
    client_request.login(owner)
    client_request.get(f"/provider/staff/{owner.id}/remove", expected_status=404)
    client_request.get(f"/provider/staff/{other.id}/remove", expected_status=404)
