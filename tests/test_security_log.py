"""Refused access is in the audit log: who tried what, when and from where."""

from sqlmodel import select

from marketplace.models import AuditLog, Role
from tests.factories import create_user
from tests.factories_providers import add_service, create_listed_provider


def test_a_provider_reaching_for_another_providers_service_is_logged(client_request, session):
    ours = create_user(session, role=Role.PROVIDER, provider=create_listed_provider(session, name="Ours"))
    theirs = add_service(session, create_listed_provider(session, name="Theirs"), title="Not yours")
    client_request.login(ours)
    client_request.get(f"/provider/services/{theirs.id}", expected_status=404)
    entry = session.exec(select(AuditLog).where(AuditLog.action == "access.refused")).one()
    assert entry.actor_id == ours.id and entry.ip == "127.0.0.1"
    assert entry.detail == {"status": 404, "method": "GET", "endpoint": "provider_workspace.edit_service",
                            "path": f"/provider/services/{theirs.id}", "ids": {"service_id": theirs.id}}


def test_a_page_for_another_role_is_logged(client_request, session):
    person = client_request.login(create_user(session, role=Role.PERSON))
    client_request.get("/admin/vetting", expected_status=403)
    entry = session.exec(select(AuditLog).where(AuditLog.action == "access.refused")).one()
    assert entry.actor_id == person.id and entry.detail["status"] == 403


def test_unknown_addresses_and_visitors_are_not_logged(client_request, session):
    client_request.get("/no-such-page", expected_status=404)
    client_request.login(create_user(session, role=Role.PERSON))
    client_request.get("/no-such-page", expected_status=404)
    assert session.exec(select(AuditLog).where(AuditLog.action == "access.refused")).all() == []
