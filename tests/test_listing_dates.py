"""Vetting is kept as a date on each provider and service, current after every change."""

from datetime import date, timedelta

from sqlmodel import delete, select

from marketplace.models import Provider, Service, VettingCheck
from marketplace.models.types import utcnow
from tests.factories import create_provider
from tests.factories_providers import add_check, add_service

SOON, LATER, LATEST = (date.today() + timedelta(days=n) for n in (30, 200, 400))


def fresh(session, row):
    session.expire_all()
    return session.get(type(row), row.id)


def test_a_provider_is_listed_until_its_first_needed_check_runs_out(session):
    agency = create_provider(session, kind="care_agency")
    add_check(session, agency, "cqc_registration", expires_on=LATER)
    add_check(session, agency, "public_liability_insurance", expires_on=SOON)
    assert fresh(session, agency).listed_until is None  # employer's liability still missing
    add_check(session, agency, "employers_liability_insurance", expires_on=LATEST)
    assert fresh(session, agency).listed_until == SOON
    # A renewed check counts from its own expiry; a pending or rejected one does not count.
    add_check(session, agency, "public_liability_insurance", expires_on=LATEST)
    add_check(session, agency, "cqc_registration", expires_on=LATEST + timedelta(days=9), status="pending")
    assert fresh(session, agency).listed_until == LATER


def test_suspension_and_a_change_of_kind_move_the_date(session):
    provider = create_provider(session, kind="other")
    add_check(session, provider, "public_liability_insurance", expires_on=LATER)
    assert fresh(session, provider).listed_until == LATER
    provider.suspended_at = utcnow()
    session.add(provider)
    session.commit()
    assert fresh(session, provider).listed_until is None
    provider = fresh(session, provider)
    provider.suspended_at, provider.kind = None, "personal_assistant"
    session.add(provider)
    session.commit()
    assert fresh(session, provider).listed_until is None  # a personal assistant needs a DBS check


def test_a_service_is_shown_while_its_category_checks_and_its_provider_last(session):
    provider = create_provider(session, kind="other")
    add_check(session, provider, "public_liability_insurance", expires_on=LATER)
    transport = add_service(session, provider, category="transport")
    care = add_service(session, provider, category="personal_care")
    assert fresh(session, transport).shown_until == LATER
    assert fresh(session, care).shown_until is None  # personal care needs CQC registration
    add_check(session, provider, "cqc_registration", expires_on=SOON)
    add_check(session, provider, "employers_liability_insurance", expires_on=LATEST)
    assert fresh(session, care).shown_until == SOON

    care = fresh(session, care)
    care.category = "domestic_help"
    session.add(care)
    session.commit()
    assert fresh(session, care).shown_until == LATER

    care = fresh(session, care)
    care.withdrawn_at = utcnow()
    session.add(care)
    session.commit()
    assert fresh(session, care).shown_until is None


def test_bulk_changes_to_checks_keep_the_dates_too(session):
    provider = create_provider(session, kind="other")
    add_check(session, provider, "public_liability_insurance", expires_on=LATER)
    service = add_service(session, provider, category="transport")
    session.exec(delete(VettingCheck).where(VettingCheck.provider_id == provider.id))
    session.commit()
    assert fresh(session, provider).listed_until is None
    assert fresh(session, service).shown_until is None
    assert session.exec(select(Provider).where(Provider.listed_until >= date.today())).all() == []
    assert session.exec(select(Service).where(Service.shown_until >= date.today())).all() == []
