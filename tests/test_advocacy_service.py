"""The advocate rules without HTTP: all-or-nothing registration, single use, idempotent revoke."""

import pytest
from sqlmodel import select

from marketplace.advocacy import service
from marketplace.errors import ServiceError
from marketplace.models import AdvocateLink, AuditLog, LinkStatus, Role, User
from marketplace.scope import scope_for
from tests.factories import create_user, person_of
from tests.factories_advocacy import create_advocate_link


@pytest.fixture
def sam(session):
    return create_user(session, role=Role.PERSON, name="Sam Taylor", email="sam@example.org")


def test_the_stored_hash_is_not_the_token_and_the_token_finds_the_invitation(session, sam):
    invitation = service.invite(session, scope=scope_for(session, sam), name="Alex",
                                email="Alex@Example.org ", permissions={"view"})
    assert invitation.token not in invitation.link.token_hash
    assert len(invitation.token) >= 40
    assert service.open_invitation(session, invitation.token).id == invitation.link.id
    assert invitation.link.invited_email == "alex@example.org"


def test_registering_with_an_email_that_already_has_an_account_makes_nothing(session, sam):
    create_user(session, role=Role.PERSON, email="alex@example.org")
    link, token = create_advocate_link(session, person=person_of(session, sam), email="alex@example.org",
                                       status=LinkStatus.INVITED)
    with pytest.raises(ServiceError, match="already exists") as refused:
        service.register_and_accept(session, token=token, name="Alex", email="alex@example.org",
                                    password="blue kettle morning walk")
    assert refused.value.field == "email"
    session.expire_all()
    assert session.get(AdvocateLink, link.id).status == "invited"
    assert session.exec(select(User).where(User.role == "advocate")).all() == []


def test_a_token_accepted_once_cannot_be_accepted_by_someone_else(session, sam):
    link, token = create_advocate_link(session, person=person_of(session, sam), email="alex@example.org",
                                       status=LinkStatus.INVITED)
    alex = create_user(session, role=Role.ADVOCATE, email="alex@example.org")
    service.accept(session, token=token, user=alex)
    with pytest.raises(service.InvitationRefused, match="already been used"):
        service.accept(session, token=token, user=alex)
    session.expire_all()
    assert session.get(AdvocateLink, link.id).advocate_user_id == alex.id


def test_revoking_twice_records_it_once(session, sam):
    link, _ = create_advocate_link(session, person=person_of(session, sam),
                                   advocate=create_user(session, role=Role.ADVOCATE))
    service.revoke(session, scope=scope_for(session, sam), link_id=link.id)
    service.revoke(session, scope=scope_for(session, sam), link_id=link.id)
    assert len(session.exec(select(AuditLog).where(AuditLog.action == "advocate.revoked")).all()) == 1


def test_changing_permissions_of_an_ended_link_is_refused(session, sam):
    link, _ = create_advocate_link(session, person=person_of(session, sam), status=LinkStatus.REVOKED)
    with pytest.raises(ServiceError, match="access has ended"):
        service.change_permissions(session, scope=scope_for(session, sam), link_id=link.id,
                                   permissions={"view"})
