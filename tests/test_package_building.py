"""Building a package and writing a plan: bad input gets a message by the field and writes nothing."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.errors import ServiceError
from marketplace.models import (
    CarePackage,
    Outcome,
    PackageLine,
    Provider,
    Role,
    Service,
    VettingCheck,
)
from marketplace.models.types import utcnow
from marketplace.packages import building
from marketplace.plans import service as plans
from tests.factories import create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget
from tests.factories_packages import TODAY, add_outcome, draft_package, scope_of
from tests.factories_providers import add_service, create_listed_provider


@pytest.fixture
def sam(session):
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    create_budget(session, person=person_of(session, sam), paid_in_pence=200_000)
    return sam


@pytest.fixture
def service(session):
    provider = create_listed_provider(session, name="Brightpath Home Care", price_pence=2200, unit="hour")
    return session.exec(select(Service).where(Service.provider_id == provider.id)).one()


def _count(session, model) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(model)).one()


def _refusal(function, *args, **kwargs) -> tuple[str, str | None]:
    with pytest.raises(ServiceError) as refusal:
        function(*args, **kwargs)
    return refusal.value.message, refusal.value.field


@pytest.mark.parametrize("start_on, end_on, message, field", [
    (date(2026, 3, 31), date(2026, 5, 1), "The start date must be in your budget period, 1 April 2026 to 31 March 2027",
     "start_on"),
    (date(2026, 12, 1), date(2027, 4, 1), "The end date must be in your budget period, 1 April 2026 to 31 March 2027",
     "end_on"),
    (date(2026, 12, 10), date(2026, 12, 9), "The end date must be on or after the start date", "end_on"),
    (None, date(2026, 12, 9), "Enter the date the support starts", "start_on"),
])
def test_package_dates_must_be_inside_the_budget_period(session, sam, start_on, end_on, message, field):
    scope = scope_of(session, sam, person_of(session, sam))
    assert _refusal(building.create_package, session, scope, title="Winter", start_on=start_on,
                    end_on=end_on, today=TODAY) == (message, field)
    assert _count(session, CarePackage) == 0


@pytest.mark.parametrize("title, message", [
    ("", "Enter the name of the package"),
    ("Winter\x00", "The name of the package must not contain hidden characters"),
    ("Winter\x1b[31m", "The name of the package must not contain hidden characters"),
    ("W" * 121, "The name of the package must be 120 characters or fewer"),
])
def test_package_names_are_checked(session, sam, title, message):
    scope = scope_of(session, sam, person_of(session, sam))
    assert _refusal(building.create_package, session, scope, title=title, start_on=TODAY,
                    end_on=date(2026, 12, 31), today=TODAY) == (message, "title")


@pytest.mark.parametrize("quantity, weekly, message", [
    ("0", True, "The number of hours must be more than 0"),
    ("-1", True, "Enter the number of hours as a number, like 8"),
    ("999999", True, "The number of hours must be 168 a week or fewer"),
    ("9" * 30, True, "Enter the number of hours as a number, like 8"),
    ("٣", True, "Enter the number of hours as a number, like 8"),
    ("", False, "Enter the number of hours"),
])
def test_bad_quantities_write_no_line(session, sam, service, quantity, weekly, message):
    person = person_of(session, sam)
    package = draft_package(session, sam, person)
    outcome = session.exec(select(Outcome)).first()
    scope = scope_of(session, sam, person)
    assert _refusal(building.add_line, session, scope, package_id=package.id, service_id=service.id,
                    quantity=quantity, weekly=weekly, outcome_id=outcome.id, today=TODAY) == (message, "quantity")
    assert _count(session, PackageLine) == 0


def test_a_session_cannot_be_split(session, sam):
    provider = create_listed_provider(session, services=0)
    swim = add_service(session, provider, title="Swimming", unit="session", price_pence=1500)
    person = person_of(session, sam)
    package = draft_package(session, sam, person)
    outcome = session.exec(select(Outcome)).first()
    assert _refusal(building.add_line, session, scope_of(session, sam, person), package_id=package.id,
                    service_id=swim.id, quantity="1.5", weekly=True, outcome_id=outcome.id,
                    today=TODAY) == ("Enter a whole number of sessions", "quantity")


def test_a_line_must_be_for_one_of_this_persons_outcomes(session, sam, service):
    person = person_of(session, sam)
    jo = create_user(session, role=Role.PERSON, name="Jo Khan")
    jo_outcome = add_outcome(session, jo, person_of(session, jo), "Jo's outcome")
    package = draft_package(session, sam, person)
    scope = scope_of(session, sam, person)
    for outcome_id in (jo_outcome.id, None, 999_999):
        message, field = _refusal(building.add_line, session, scope, package_id=package.id,
                                  service_id=service.id, quantity="2", weekly=True, outcome_id=outcome_id,
                                  today=TODAY)
        assert field == "outcome_id"
    assert _count(session, PackageLine) == 0


@pytest.mark.parametrize("change", ["withdrawn", "suspended", "check expired"])
def test_services_that_cannot_be_chosen_are_refused(session, sam, service, change):
    provider = session.get(Provider, service.provider_id)
    if change == "withdrawn":
        service.published = False
        session.add(service)
    elif change == "suspended":
        provider.suspended_at = utcnow()
        session.add(provider)
    else:
        for check in session.exec(select(VettingCheck).where(VettingCheck.provider_id == provider.id)):
            check.expires_on = date(2026, 11, 30)
            session.add(check)
    session.commit()
    person = person_of(session, sam)
    package = draft_package(session, sam, person)
    outcome = session.exec(select(Outcome)).first()
    message, field = _refusal(building.add_line, session, scope_of(session, sam, person), package_id=package.id,
                              service_id=service.id, quantity="2", weekly=True, outcome_id=outcome.id, today=TODAY)
    assert field == "service_id" and message.startswith("This service cannot be chosen")
    assert _count(session, PackageLine) == 0


def test_the_price_is_copied_onto_the_line_when_it_is_added(session, sam, service):
    person = person_of(session, sam)
    package = draft_package(session, sam, person, lines=[(service, "10")])
    service.price_pence = 9_900
    session.add(service)
    session.commit()
    line = session.exec(select(PackageLine)).one()
    assert (line.unit_price_pence, line.provider_name, line.title) == (2200, "Brightpath Home Care", "Help at home")
    assert session.get(CarePackage, package.id).total_pence == 88_000


def test_removing_a_line_keeps_the_total_right(session, sam, service):
    person = person_of(session, sam)
    package = draft_package(session, sam, person, lines=[(service, "10"), (service, "2")])
    assert package.total_pence == 88_000 + 17_600
    first = session.exec(select(PackageLine).order_by(PackageLine.id)).first()
    building.remove_line(session, scope_of(session, sam, person), package_id=package.id, line_id=first.id)
    session.commit()
    assert session.get(CarePackage, package.id).total_pence == 17_600


def test_an_advocate_who_may_only_view_cannot_build(session, sam, service):
    person = person_of(session, sam)
    alex = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=person, advocate=alex, permissions=("view",))
    assert _refusal(building.create_package, session, scope_of(session, alex, person), title="Mine",
                    start_on=TODAY, end_on=date(2026, 12, 31), today=TODAY)[0] == \
        ("Sam Taylor has not given you permission to change the support plan and draft care packages. "
         "Only Sam Taylor can give you this permission.")


# --- the support plan ----------------------------------------------------------------------------


def test_outcomes_are_added_reordered_and_marked_achieved(session, sam):
    person = person_of(session, sam)
    scope = scope_of(session, sam, person)
    for text in ("Allotment twice a week", "Cook for friends", "See my brother"):
        plans.add_outcome(session, scope, text=text)
    session.commit()
    third = plans.outcomes_of(session, person.id)[2]
    plans.move_outcome(session, scope, outcome_id=third.id, up=True)
    plans.mark_achieved(session, scope, outcome_id=third.id, achieved=True, today=TODAY)
    session.commit()
    outcomes = plans.outcomes_of(session, person.id)
    assert [o.text for o in outcomes] == ["Allotment twice a week", "See my brother", "Cook for friends"]
    assert outcomes[1].achieved_on == TODAY


@pytest.mark.parametrize("text, message", [
    ("", "Enter the outcome"),
    ("Allotment\x07", "The outcome must not contain hidden characters"),
    ("a" * 501, "The outcome must be 500 characters or fewer"),
])
def test_bad_outcomes_are_refused(session, sam, text, message):
    scope = scope_of(session, sam, person_of(session, sam))
    assert _refusal(plans.add_outcome, session, scope, text=text) == (message, "text")
    assert _count(session, Outcome) == 0


def test_nobody_changes_another_persons_outcome(session, sam):
    jo = create_user(session, role=Role.PERSON)
    jo_outcome = add_outcome(session, jo, person_of(session, jo))
    with pytest.raises(LookupError):
        plans.edit_outcome(session, scope_of(session, sam, person_of(session, sam)),
                           outcome_id=jo_outcome.id, text="Mine now")


def test_the_plan_keeps_line_breaks_but_not_hidden_characters(session, sam):
    scope = scope_of(session, sam, person_of(session, sam))
    plan = plans.save_plan(session, scope, what_matters="My garden\r\nMy cat", needs="", agreed_on=None,
                           review_on=None)
    assert plan.what_matters == "My garden\nMy cat"
    assert _refusal(plans.save_plan, session, scope, what_matters="x", needs="\x00", agreed_on=None,
                    review_on=None) == ("What you need help with must not contain hidden characters", "needs")
