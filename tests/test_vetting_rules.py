"""What a provider may offer follows from what the council has vetted it for: a service's type
of support decides the checks it needs, a new kind waits for the council, and a new name is
put in front of the council."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.models import AuditLog, Notification, Provider, ProviderChange, Role
from marketplace.models.types import utcnow
from marketplace.providers.catalogue import CATEGORY_CHECKS, CHECK_KINDS
from tests.client_request import error_messages, normalised_text
from tests.factories import create_provider, create_user
from tests.factories_providers import add_check, add_service, create_listed_provider

ORGANISATION = {
    "name": "Our Care", "kind": "care_agency", "description": "We help people at home.",
    "contact_email": "hello@ourcare.example", "areas": "LS6", "languages": ["English"],
}


@pytest.fixture
def agency(session):
    return create_listed_provider(session, name="Our Care", title="Personal care at home")


@pytest.fixture
def owner(session, agency):
    return create_user(session, role=Role.PROVIDER, provider=agency)


@pytest.fixture
def commissioner(session):
    return create_user(session, role=Role.COMMISSIONER)


def _browse_titles(client_request) -> str:
    client_request.logout()
    return normalised_text(client_request.get("/providers").select_one("main"))


def test_a_change_of_kind_waits_for_the_council_and_personal_care_stays_behind_its_checks(
        client_request, session, agency, owner, commissioner):
    client_request.login(owner)
    page = client_request.post("/provider/organisation", {**ORGANISATION, "kind": "other"})
    session.refresh(agency)
    assert agency.kind == "care_agency"
    page = client_request.get("/provider/organisation")
    assert "The council is checking this" in normalised_text(page)
    assert "Personal care at home" in _browse_titles(client_request)

    client_request.login(commissioner)
    vetting = client_request.get("/admin/vetting")
    assert "Kind: Care agency to Other" in normalised_text(vetting)
    change = session.exec(select(ProviderChange).where(ProviderChange.field == "kind")).one()
    client_request.post(f"/admin/vetting/changes/{change.id}", {"decision": "approve"},
                        expected_redirect="/admin/vetting")
    session.refresh(agency)
    assert agency.kind == "other"
    # Calling itself "other" does not take away what personal care needs: it still holds the
    # CQC registration, so it stays listed, and it would vanish without it.
    assert "Personal care at home" in _browse_titles(client_request)


def test_personal_care_from_a_provider_without_its_checks_is_not_shown(client_request, session):
    provider = create_provider(session, name="Cheap Care", kind="other")
    add_check(session, provider, "public_liability_insurance")
    add_service(session, provider, title="Personal care, cheaply", category="personal_care")
    add_service(session, provider, title="Minibus trips", category="transport")
    listed = _browse_titles(client_request)
    assert "Minibus trips" in listed
    assert "Personal care, cheaply" not in listed
    profile = client_request.get(f"/providers/{provider.id}")
    assert "Personal care, cheaply" not in normalised_text(profile)

    for kind in CATEGORY_CHECKS["personal_care"]:
        if kind != "public_liability_insurance":
            add_check(session, provider, kind)
    assert "Personal care, cheaply" in _browse_titles(client_request)


def test_the_checks_page_asks_for_what_the_listed_support_needs(client_request, session):
    provider = create_provider(session, name="Cheap Care", kind="other")
    user = create_user(session, role=Role.PROVIDER, provider=provider)
    add_service(session, provider, title="Personal care, cheaply", category="personal_care")
    client_request.login(user)
    page = client_request.get("/provider/checks")
    assert "CQC registration" in normalised_text(page.select_one("main table"))


@pytest.mark.parametrize("category", list(SUPPORT_CATEGORIES))
def test_every_type_of_support_says_which_checks_it_needs(category):
    # A category with no entry would hide every service under it from everyone.
    assert CATEGORY_CHECKS.get(category)
    assert set(CATEGORY_CHECKS[category]) <= set(CHECK_KINDS)


def test_checks_are_listed_only_for_types_of_support_on_the_list():
    assert set(CATEGORY_CHECKS) == set(SUPPORT_CATEGORIES)


def test_a_withdrawn_service_no_longer_asks_for_its_checks_and_coming_back_needs_them_again(
        client_request, session):
    provider = create_provider(session, name="Cheap Care", kind="other")
    user = create_user(session, role=Role.PROVIDER, provider=provider)
    add_check(session, provider, "public_liability_insurance")
    care = add_service(session, provider, title="Personal care, cheaply", category="personal_care")
    add_service(session, provider, title="Minibus trips", category="transport")
    client_request.login(user)
    client_request.post(f"/provider/services/{care.id}/withdraw", expected_redirect="/provider/services")
    checks = normalised_text(client_request.get("/provider/checks").select_one("main table"))
    assert "CQC registration" not in checks
    assert "Public liability insurance" in checks

    client_request.post(f"/provider/services/{care.id}/publish", expected_redirect="/provider/services")
    assert "CQC registration" in normalised_text(client_request.get("/provider/checks").select_one("main table"))
    listed = _browse_titles(client_request)
    assert "Minibus trips" in listed
    assert "Personal care, cheaply" not in listed


def test_the_council_can_refuse_a_change_of_kind_and_the_provider_sees_why(
        client_request, session, agency, owner, commissioner):
    client_request.login(owner)
    client_request.post("/provider/organisation", {**ORGANISATION, "kind": "equipment_supplier"})
    change = session.exec(select(ProviderChange)).one()
    client_request.login(commissioner)
    page = client_request.post(f"/admin/vetting/changes/{change.id}", {"decision": "refuse", "reason": ""},
                               expected_status=400)
    assert "Enter the reason" in error_messages(page)
    client_request.post(f"/admin/vetting/changes/{change.id}",
                        {"decision": "refuse", "reason": "You give personal care at home"})
    session.refresh(agency)
    assert agency.kind == "care_agency"
    client_request.login(owner)
    assert "You give personal care at home" in normalised_text(client_request.get("/provider/organisation"))


def test_a_new_name_is_recorded_and_shown_to_the_council(client_request, session, agency, owner, commissioner):
    client_request.login(owner)
    client_request.post("/provider/organisation", {**ORGANISATION, "name": "Totally Different Ltd"})
    session.refresh(agency)
    assert agency.name == "Totally Different Ltd"
    assert session.exec(select(AuditLog).where(AuditLog.action == "provider.renamed")).one().detail == {
        "from": "Our Care", "to": "Totally Different Ltd"}
    client_request.login(commissioner)
    assert "Name: was Our Care" in normalised_text(client_request.get("/admin/vetting"))
    change = session.exec(select(ProviderChange)).one()
    client_request.post(f"/admin/vetting/changes/{change.id}", {"decision": "seen"})
    assert "Name: was Our Care" not in normalised_text(client_request.get("/admin/vetting"))
    history = client_request.get(f"/admin/vetting/providers/{agency.id}")
    assert "“Our Care” to “Totally Different Ltd”" in normalised_text(history)


def test_saving_without_changes_asks_the_council_nothing(client_request, session, agency, owner):
    client_request.login(owner)
    client_request.post("/provider/organisation", ORGANISATION)
    assert session.exec(select(ProviderChange)).all() == []


@pytest.mark.parametrize("role", [Role.PERSON, Role.PROVIDER, Role.PROFESSIONAL])
def test_only_the_council_decides_on_changes(client_request, session, agency, owner, role):
    client_request.login(owner)
    client_request.post("/provider/organisation", {**ORGANISATION, "kind": "other"})
    change = session.exec(select(ProviderChange)).one()
    client_request.login(create_user(session, role=role))
    client_request.post(f"/admin/vetting/changes/{change.id}", {"decision": "approve"}, expected_status=403)
    assert session.get(Provider, agency.id).kind == "care_agency"


@pytest.mark.parametrize(("decision", "reason", "told"), [
    ("approve", "", "The council has agreed to change Our Care’s kind of provider to Other"),
    ("refuse", "You give personal care at home",
     "The council did not agree to change Our Care’s kind of provider to Other. The reason: You give personal care at home"),
])
def test_provider_staff_are_told_when_the_council_decides_a_change_of_kind(
        client_request, session, agency, owner, commissioner, decision, reason, told):
    colleague = create_user(session, role=Role.PROVIDER, provider=agency)
    client_request.login(owner)
    client_request.post("/provider/organisation", {**ORGANISATION, "kind": "other"})
    change = session.exec(select(ProviderChange)).one()
    client_request.login(commissioner)
    client_request.post(f"/admin/vetting/changes/{change.id}", {"decision": decision, "reason": reason})
    notes = session.exec(select(Notification).where(Notification.kind.startswith("provider.kind_change"))).all()
    assert {note.recipient_id for note in notes} == {owner.id, colleague.id}
    assert all(note.text.startswith(told) and note.link == "/provider/organisation" for note in notes)


def test_checks_running_out_include_what_the_services_need_whatever_the_kind(runner, session):
    """A provider calling itself "other" that offers personal care needs its CQC registration:
    the council hears it is running out, as it would for a care agency."""
    provider = create_provider(session, name="Cheap Care", kind="other")
    add_check(session, provider, "public_liability_insurance", expires_on=date.today() + timedelta(days=400))
    add_check(session, provider, "employers_liability_insurance", expires_on=date.today() + timedelta(days=400))
    add_check(session, provider, "cqc_registration", expires_on=date.today() + timedelta(days=10))
    add_check(session, provider, "enhanced_dbs", expires_on=date.today() + timedelta(days=10))  # not needed
    care = add_service(session, provider, title="Personal care, cheaply", category="personal_care")
    result = runner.invoke(args=["vetting", "expiring", "--days", "30"])
    assert result.output.splitlines()[1:] == [
        f"{(date.today() + timedelta(days=10)).isoformat()}  Cheap Care (provider {provider.id}): CQC registration"]
    care.withdrawn_at = utcnow()
    session.add(care)
    session.commit()
    assert "No required checks run out" in runner.invoke(args=["vetting", "expiring", "--days", "30"]).output
