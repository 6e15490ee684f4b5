"""The package pages, as people use them: plan, build, send, co-sign, accept, agree — no JavaScript."""

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace import ledger
from marketplace.dates import today_in_uk
from marketplace.models import CarePackage, Outcome, PackageLine, Role, Service
from marketplace.packages import building, lifecycle
from tests.client_request import error_messages, field_error, normalised_text
from tests.factories import assign_case, create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget
from tests.factories_packages import accept_every_line, add_outcome, scope_of
from tests.factories_providers import create_listed_provider
from tests.ledger_checks import assert_ledger_sound


def date_fields(prefix: str, day) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


@pytest.fixture
def people(session):
    today = today_in_uk()
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    person = person_of(session, sam)
    budget = create_budget(session, person=person, paid_in_pence=300_000, period_start=today - timedelta(days=100),
                           period_end=today + timedelta(days=200), categories={"personal_care": 1_000_000})
    provider = create_listed_provider(session, name="Brightpath Home Care", price_pence=2200, unit="hour")
    service = session.exec(select(Service).where(Service.provider_id == provider.id)).one()
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=person, advocate=alex)
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    assign_case(session, person=person, professional=priya)
    return {"sam": sam, "person": person, "budget": budget, "provider": provider, "service": service,
            "alex": alex, "priya": priya, "brightpath": create_user(session, role=Role.PROVIDER, provider=provider),
            "today": today}


def _status(session, package_id: int) -> str:
    session.rollback()
    return session.exec(select(CarePackage.status).where(CarePackage.id == package_id)).one()


def _start_package(client_request, people) -> int:
    today = people["today"]
    client_request.post("/packages/new", {"title": "Winter support", **date_fields("start_on", today),
                                          **date_fields("end_on", today + timedelta(days=27))})
    return client_request.session.exec(select(CarePackage.id)).one()


def test_sam_plans_builds_and_sends_then_everyone_agrees(client_request, session, people):
    client_request.login(people["sam"])
    client_request.post("/plan/outcomes", {"text": "Get to the allotment twice a week"},
                        expected_redirect="/plan#outcomes")
    client_request.post("/plan/outcomes", {"text": "Cook for friends"})
    page = client_request.get("/plan")
    assert [normalised_text(li.find("span")) for li in page.select("#outcome-list > li")] == [
        "Get to the allotment twice a week", "Cook for friends"]

    package_id = _start_package(client_request, people)
    allotment = session.exec(select(Outcome).where(Outcome.text.startswith("Get to"))).one()
    add_page = client_request.get(f"/packages/add-service/{people['service'].id}")
    assert normalised_text(add_page.h1) == "Add “Help at home” to a care package"
    client_request.post(f"/packages/add-service/{people['service'].id}", {
        "package_id": str(package_id), "outcome_id": str(allotment.id), "frequency": "weekly", "quantity": "8"},
        expected_redirect=f"/packages/{package_id}")

    page = client_request.get(f"/packages/{package_id}")
    cost = normalised_text(page.select_one("#cost").find_next("dl"))
    assert "Each week £176.00" in cost and "Total for these dates £704.00" in cost
    assert "Free to use now £3,000.00" in cost and "Free to use after this package £2,296.00" in cost
    assert normalised_text(page.select_one("#forecast")).startswith("This package would leave about £")
    assert normalised_text(page.select_one("#outcomes-without-support")) == \
        "No support in this package is for: Cook for friends"
    assert "Personal care £704.00 £10,000.00" in normalised_text(page.select_one("#categories"))

    client_request.post(f"/packages/{package_id}/submit", {}, expected_redirect=f"/packages/{package_id}")
    assert "Waiting for an advocate to co-sign." in normalised_text(client_request.get(f"/packages/{package_id}"))

    client_request.login(people["alex"])
    client_request.post("/advocacy/acting-for", {"person_id": str(people["person"].id)})
    client_request.post(f"/packages/{package_id}/cosign", {})

    client_request.login(people["brightpath"])
    requests_page = client_request.get("/provider/requests")
    assert "Help at home for Sam Taylor" in normalised_text(requests_page.main)
    line = session.exec(select(PackageLine)).one()
    client_request.post(f"/provider/requests/{line.id}", {"answer": "accept", "note": "See you Monday"})

    client_request.login(people["priya"])
    caseload = client_request.get("/caseload")
    assert "Sam Taylor Winter support" in normalised_text(caseload.select_one("#waiting"))
    client_request.post(f"/caseload/packages/{package_id}", {"decision": "approve"})

    assert _status(session, package_id) == "active"
    figures = assert_ledger_sound(session, people["budget"].id)
    assert figures.committed == 70_400 and figures.available == 300_000 - 70_400

    client_request.login(people["sam"])
    timeline = normalised_text(client_request.get(f"/packages/{package_id}").select_one("#timeline").parent)
    assert "Co-signed the package – Alex Morgan for Sam Taylor" in timeline
    assert "Accepted a line" in timeline and "Help at home: See you Monday" in timeline
    assert "Agreed the package: the money is set aside – Priya Shah" in timeline
    overview = normalised_text(client_request.get("/budget").select_one("#forecast"))
    assert "You are spending about £176.00 a week" in overview


@pytest.mark.parametrize("quantity, message", [
    ("0", "The number of hours must be more than 0"),
    ("-3", "Enter the number of hours as a number, like 8"),
    ("1000", "The number of hours must be 168 a week or fewer"),
    ("", "Enter the number of hours"),
])
def test_bad_quantities_are_shown_by_the_field(client_request, session, people, quantity, message):
    client_request.login(people["sam"])
    outcome = add_outcome(session, people["sam"], people["person"])
    package_id = _start_package(client_request, people)
    page = client_request.post(f"/packages/add-service/{people['service'].id}", {
        "package_id": str(package_id), "outcome_id": str(outcome.id), "frequency": "weekly",
        "quantity": quantity}, expected_status=400)
    assert field_error(page, "quantity") == message
    assert error_messages(page) == [message]
    assert session.exec(select(PackageLine)).all() == []


def test_dates_outside_the_budget_period_are_shown_by_the_field(client_request, session, people):
    client_request.login(people["sam"])
    today = people["today"]
    page = client_request.post("/packages/new", {"title": "Too long", **date_fields("start_on", today),
                                                 **date_fields("end_on", today + timedelta(days=400))},
                               expected_status=400)
    assert field_error(page, "end_on").startswith("The end date must be in your budget period")
    assert session.exec(select(CarePackage)).all() == []


def test_sending_too_big_a_package_says_why_and_changes_nothing(client_request, session, people):
    client_request.login(people["sam"])
    outcome = add_outcome(session, people["sam"], people["person"])
    package_id = _start_package(client_request, people)
    client_request.post(f"/packages/add-service/{people['service'].id}", {
        "package_id": str(package_id), "outcome_id": str(outcome.id), "frequency": "weekly", "quantity": "168"})
    client_request.post(f"/packages/{package_id}/submit", {})
    page = client_request.get(f"/packages/{package_id}")
    assert "This package costs £14,784.00 but only £3,000.00 of the budget is free to use" in normalised_text(page)
    assert _status(session, package_id) == "draft"


def test_a_declined_line_goes_back_to_sam_with_the_reason(client_request, session, people):
    client_request.login(people["sam"])
    outcome = add_outcome(session, people["sam"], people["person"])
    package_id = _start_package(client_request, people)
    client_request.post(f"/packages/add-service/{people['service'].id}", {
        "package_id": str(package_id), "outcome_id": str(outcome.id), "frequency": "weekly", "quantity": "4"})
    client_request.post(f"/packages/{package_id}/submit", {})
    client_request.login(people["brightpath"])
    line = session.exec(select(PackageLine)).one()
    client_request.post(f"/provider/requests/{line.id}", {"answer": "decline", "note": ""})
    assert session.exec(select(PackageLine.response)).one() == "requested"  # a decline needs a note
    client_request.post(f"/provider/requests/{line.id}", {"answer": "decline", "note": "No staff in LS6 yet"})
    client_request.login(people["sam"])
    page = client_request.get(f"/packages/{package_id}")
    assert normalised_text(page.select_one(".govuk-caption-l")) == "Changes asked for"
    assert "“No staff in LS6 yet”" in normalised_text(page.select_one("#lines"))


# --- every id route is scoped: a guessed id is 404 ----------------------------------------------


@pytest.fixture
def jo_package(session, people):
    """Jo's package, sent and waiting for review: nobody around Sam may reach it."""
    jo = create_user(session, role=Role.PERSON, name="Jo Khan")
    jo_person = person_of(session, jo)
    create_budget(session, person=jo_person, paid_in_pence=100_000,
                  period_start=people["today"] - timedelta(days=10), period_end=people["today"] + timedelta(days=300))
    other_provider = create_listed_provider(session, name="Elsewhere Care")
    other_service = session.exec(select(Service).where(Service.provider_id == other_provider.id)).one()
    outcome = add_outcome(session, jo, jo_person, "Jo's outcome")
    scope = scope_of(session, jo, jo_person)
    package = building.create_package(session, scope, title="Jo's support", start_on=people["today"],
                                      end_on=people["today"] + timedelta(days=6), today=people["today"])
    line = building.add_line(session, scope, package_id=package.id, service_id=other_service.id, quantity="2",
                             weekly=True, outcome_id=outcome.id, today=people["today"])
    lifecycle.submit(session, scope, package_id=package.id, today=people["today"])
    session.commit()
    return {"package": package, "line": line, "outcome": outcome, "provider_user":
            create_user(session, role=Role.PROVIDER, provider=other_provider)}


ID_ROUTES = [
    ("GET", "/packages/{package}"),
    ("POST", "/packages/{package}/submit"),
    ("POST", "/packages/{package}/cosign"),
    ("POST", "/packages/{package}/comments"),
    ("POST", "/packages/{package}/lines/{line}/remove"),
    ("GET", "/plan/outcomes/{outcome}"),
    ("POST", "/plan/outcomes/{outcome}/move"),
    ("POST", "/plan/outcomes/{outcome}/achieved"),
]


@pytest.mark.parametrize("method, path", ID_ROUTES)
@pytest.mark.parametrize("who", ["sam", "alex"])
def test_another_persons_package_or_outcome_is_not_found(client_request, session, people, jo_package,
                                                          method, path, who):
    client_request.login(people[who])
    if who == "alex":
        client_request.post("/advocacy/acting-for", {"person_id": str(people["person"].id)})
    url = path.format(package=jo_package["package"].id, line=jo_package["line"].id,
                      outcome=jo_package["outcome"].id)
    if method == "GET":
        client_request.get(url, expected_status=404)
    else:
        client_request.post(url, {"note": "Hello", "direction": "up", "achieved": "yes"}, expected_status=404)
    assert session.exec(select(CarePackage.status).where(CarePackage.id == jo_package["package"].id)).one() \
        == "submitted"


@pytest.mark.parametrize("method, path", [("GET", "/caseload/packages/{package}"),
                                          ("POST", "/caseload/packages/{package}"),
                                          ("POST", "/caseload/packages/{package}/comments"),
                                          ("GET", "/caseload/people/{person}/plan")])
def test_a_professional_without_the_person_on_their_caseload_gets_not_found(client_request, people, jo_package,
                                                                            method, path):
    client_request.login(people["priya"])
    url = path.format(package=jo_package["package"].id, person=jo_package["outcome"].person_id)
    if method == "GET":
        client_request.get(url, expected_status=404)
    else:
        client_request.post(url, {"decision": "approve", "note": "x"}, expected_status=404)


def test_a_provider_cannot_answer_another_providers_line(client_request, session, people, jo_package):
    client_request.login(people["brightpath"])
    client_request.post(f"/provider/requests/{jo_package['line'].id}", {"answer": "accept"}, expected_status=404)
    client_request.post(f"/provider/requests/packages/{jo_package['package'].id}/comments", {"note": "Hi"},
                        expected_status=404)
    assert "Elsewhere" not in normalised_text(client_request.get("/provider/requests").main)
    client_request.login(jo_package["provider_user"])
    client_request.post(f"/provider/requests/packages/{jo_package['package'].id}/comments",
                        {"note": "Which days suit you?"}, expected_redirect="/provider/requests")
    client_request.post(f"/provider/requests/{jo_package['line'].id}", {"answer": "accept"})
    assert session.exec(select(PackageLine.response).where(PackageLine.id == jo_package["line"].id)).one() \
        == "accepted"


def test_a_service_that_cannot_be_chosen_has_no_add_page(client_request, session, people):
    people["service"].published = False
    session.add(people["service"])
    session.commit()
    client_request.login(people["sam"])
    client_request.get(f"/packages/add-service/{people['service'].id}", expected_status=404)


def test_the_professional_reviews_with_a_note_by_the_field(client_request, session, people):
    client_request.login(people["sam"])
    outcome = add_outcome(session, people["sam"], people["person"])
    package_id = _start_package(client_request, people)
    client_request.post(f"/packages/add-service/{people['service'].id}", {
        "package_id": str(package_id), "outcome_id": str(outcome.id), "frequency": "weekly", "quantity": "2"})
    client_request.post(f"/packages/{package_id}/submit", {})
    client_request.login(people["alex"])
    client_request.post("/advocacy/acting-for", {"person_id": str(people["person"].id)})
    client_request.post(f"/packages/{package_id}/cosign", {})
    accept_every_line(session, people["brightpath"], session.get(CarePackage, package_id))
    client_request.login(people["priya"])
    page = client_request.post(f"/caseload/packages/{package_id}", {"decision": "reject", "note": ""},
                               expected_status=400)
    assert field_error(page, "note") == "Enter the reasons"
    client_request.post(f"/caseload/packages/{package_id}", {"decision": "reject",
                                                            "note": "This is not an assessed need"})
    assert _status(session, package_id) == "rejected"
    assert ledger.balances(session, people["budget"].id).committed == 0


def test_the_professional_reads_the_plan_from_the_package_but_cannot_change_it(client_request, session, people):
    client_request.login(people["sam"])
    outcome = add_outcome(session, people["sam"], people["person"], "Get to the allotment twice a week")
    client_request.post("/plan", {"what_matters": "My garden and my dog", "needs": "Help getting dressed"})
    package_id = _start_package(client_request, people)
    client_request.post(f"/packages/add-service/{people['service'].id}", {
        "package_id": str(package_id), "outcome_id": str(outcome.id), "frequency": "weekly", "quantity": "2"})
    client_request.post(f"/packages/{package_id}/submit", {})
    client_request.login(people["priya"])
    review = client_request.get(f"/caseload/packages/{package_id}")
    link = review.find("a", string="Read Sam Taylor’s support plan")
    plan = client_request.get(link["href"])
    assert normalised_text(plan.h1) == "Support plan for Sam Taylor"
    assert "Get to the allotment twice a week" in normalised_text(plan.select_one("#outcome-list"))
    assert "What matters to me My garden and my dog" in normalised_text(plan.main)
    # She can comment on the plan, and change nothing in it.
    assert [form["action"] for form in plan.select("main form")] == [
        f"/caseload/people/{people['person'].id}/plan/comments"]
    client_request.post("/plan/outcomes", {"text": "Something else"}, expected_status=403)


def test_each_line_of_a_draft_can_be_changed_or_taken_out_from_the_package_page(client_request, session, people):
    client_request.login(people["sam"])
    client_request.post("/plan/outcomes", {"text": "Cook for friends"})
    package_id = _start_package(client_request, people)
    outcome = session.exec(select(Outcome)).one()
    client_request.post(f"/packages/add-service/{people['service'].id}", {
        "package_id": str(package_id), "outcome_id": str(outcome.id), "frequency": "weekly", "quantity": "8"})
    line_id = session.exec(select(PackageLine.id)).one()

    page = client_request.get(f"/packages/{package_id}")
    change, = [link for link in page.select("#lines a") if normalised_text(link).startswith("Change")]
    assert "How many hours each week?" in normalised_text(client_request.get(change["href"]).main)
    take_out, = [button.find_parent("form") for button in page.select("#lines button")
                 if normalised_text(button).startswith("Take out")]
    client_request.post(take_out["action"], {}, expected_redirect=f"/packages/{package_id}")
    session.rollback()
    assert session.get(PackageLine, line_id) is None
