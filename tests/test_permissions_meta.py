"""Every route declares who may use it, and the rule is enforced for every role."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import Flask, url_for
from sqlalchemy import inspect, text
from sqlmodel import select
from werkzeug.routing import Rule

from marketplace.auth.permissions import (
    BUILT_IN_PUBLIC_ENDPOINTS,
    endpoints_without_rule,
    roles,
    rule_for,
)
from marketplace.models import (
    CarePackage,
    Invoice,
    LegalBasis,
    OwnProviderRequest,
    PackageLine,
    Person,
    ProviderChange,
    ProviderMember,
    Review,
    Role,
    Service,
    User,
)
from marketplace.notifications.service import notify
from marketplace.packages import building, lifecycle
from marketplace.payments.service import request_payment
from tests.factories import assign_case, create_provider, create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget
from tests.factories_packages import TODAY, add_outcome, scope_of
from tests.factories_payments import owe_provider
from tests.factories_providers import add_check, add_service, create_listed_provider


def test_every_route_declares_who_may_use_it(app):
    assert endpoints_without_rule(app) == []


def test_a_route_added_without_a_rule_is_caught_and_refused(app: Flask, client):
    app.add_url_rule("/forgot-a-rule", "forgot_a_rule", lambda: "secret")
    assert endpoints_without_rule(app) == ["forgot_a_rule"]
    assert client.get("/forgot-a-rule").status_code == 403


def test_urls_are_lowercase_kebab_case(app):
    for rule in app.url_map.iter_rules():
        static_parts = [part for part in rule.rule.split("/") if part and not part.startswith("<")]
        for part in static_parts:
            assert part == part.lower() and "_" not in part, f"{rule.rule} is not kebab-case"


def _role_restricted_get_routes(app):
    for rule in app.url_map.iter_rules():
        access = rule_for(app, rule.endpoint)
        if access.roles is not None and "GET" in rule.methods and not rule.arguments:
            yield rule.rule, access.roles


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_pages_meant_for_other_roles(app, client_request, session, role):
    client_request.login(create_user(session, role=role))
    for url, allowed in _role_restricted_get_routes(app):
        if role not in allowed:
            client_request.get(url, expected_status=403)


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    for url, _ in _role_restricted_get_routes(app):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/sign-in?next=")


def test_the_rule_decorator_needs_a_role():
    with pytest.raises(ValueError):
        roles()


# The access matrix: every route that takes an id, for every role, with someone else's object -----

@dataclass
class World:
    """Two of everything: what the signed-in role may reach ("mine") and what it may not."""

    users: dict[Role, User]
    sam: Person  # the budget holder the person, advocate and professional are about
    jo: Person  # another budget holder: nobody signed in here may reach her things
    objects: dict[str, dict[str, int | str]] = field(default_factory=dict)
    app: Flask | None = None


def line_budget(session, line: PackageLine) -> int:
    return session.get(CarePackage, line.package_id).budget_id


def _build_world(session) -> World:
    sam_user = create_user(session, role=Role.PERSON, name="Sam Taylor")
    sam = person_of(session, sam_user)
    jo = person_of(session, create_user(session, role=Role.PERSON, name="Jo Khan"))
    advocate = create_user(session, role=Role.ADVOCATE)
    professional = create_user(session, role=Role.PROFESSIONAL)
    assign_case(session, person=sam, professional=professional)
    my_provider = create_listed_provider(session, name="Mine Care")
    their_provider = create_listed_provider(session, name="Their Care")
    provider_staff = create_user(session, role=Role.PROVIDER, provider=my_provider)
    commissioner = create_user(session, role=Role.COMMISSIONER)
    create_advocate_link(session, person=sam, advocate=advocate)
    sams_link, _ = create_advocate_link(session, person=sam)
    jos_link, _ = create_advocate_link(session, person=jo)
    sams_authorised, _ = create_advocate_link(session, person=sam, legal_basis=LegalBasis.DEPUTYSHIP,
                                              legal_reason="Court order", invited_by=professional)
    jos_authorised, _ = create_advocate_link(session, person=jo, legal_basis=LegalBasis.DEPUTYSHIP,
                                             legal_reason="Court order", invited_by=professional)
    sams_budget = create_budget(session, person=sam, paid_in_pence=50_000)
    jos_budget = create_budget(session, person=jo, paid_in_pence=50_000)
    unlisted = create_provider(session, name="Not Checked")
    reviews = {}
    for provider in (my_provider, their_provider):
        review = Review(provider_id=provider.id, person_id=jo.id, rating=4, text="Kind and on time")
        session.add(review)
        session.commit()
        reviews[provider.id] = review.id
    checks = {p.id: add_check(session, p, "insurance", status="pending").id for p in (my_provider, their_provider)}
    services = {p.id: session.exec(select(Service.id).where(Service.provider_id == p.id)).first()
                for p in (my_provider, their_provider)}
    payments = {}
    for person, provider in ((sam, my_provider), (jo, their_provider)):
        budget = owe_provider(session, provider=provider, person=person)
        payments[person.id] = request_payment(
            session, budget_id=budget.id, provider_id=provider.id, amount_pence=5_000,
            idempotency_key=f"payment-matrix-{person.id}", description="Invoice", requested_by=None,
            stripe_enabled=False).id
        session.commit()
    changes = {}
    for provider in (my_provider, their_provider):
        change = ProviderChange(provider_id=provider.id, field="kind", old_value="care_agency", new_value="other")
        session.add(change)
        session.commit()
        changes[provider.id] = change.id
    my_colleague = create_user(session, role=Role.PROVIDER, provider=my_provider)
    their_staff = create_user(session, role=Role.PROVIDER, provider=their_provider)
    for colleague in (my_colleague, their_staff):
        membership = session.exec(select(ProviderMember).where(ProviderMember.user_id == colleague.id)).one()
        membership.is_owner = False
        session.add(membership)
    unlisted_service = add_service(session, unlisted, title="Not on the list")
    # A package each for Sam and Jo, sent, with a line each to "my" and "their" provider.
    packages, lines, outcomes = {}, {}, {}
    for whose, holder, provider in (("mine", sam, my_provider), ("theirs", jo, their_provider)):
        holder_user = session.get(User, holder.user_id)
        outcomes[whose] = add_outcome(session, holder_user, holder).id
        scope = scope_of(session, holder_user, holder)
        package = building.create_package(session, scope, title="Support", start_on=TODAY,
                                          end_on=TODAY + timedelta(days=6), today=TODAY)
        lines[whose] = building.add_line(session, scope, package_id=package.id, service_id=services[provider.id],
                                         quantity="1", weekly=True, outcome_id=outcomes[whose], today=TODAY).id
        lifecycle.submit(session, scope, package_id=package.id, today=TODAY)
        packages[whose] = package.id
    # An invoice each from "my" and "their" provider, against the lines above.
    invoice_ids = {}
    for whose, holder, provider in (("mine", sam, my_provider), ("theirs", jo, their_provider)):
        line = session.get(PackageLine, lines[whose])
        invoice = Invoice(provider_id=provider.id, line_id=line.id, package_id=packages[whose],
                          budget_id=line_budget(session, line), person_id=holder.id, reference=f"INV-{whose}",
                          period_start=TODAY, period_end=TODAY, units_hundredths=100,
                          unit_price_pence=line.unit_price_pence, amount_pence=line.unit_price_pence,
                          submitted_by_id=provider_staff.id)
        session.add(invoice)
        session.commit()
        invoice_ids[whose] = invoice.id
    own_requests = {}
    for whose, holder in (("mine", sam), ("theirs", jo)):
        own_request = OwnProviderRequest(person_id=holder.id, requested_by_id=holder.user_id, name="A neighbour",
                                         contact="0113 496 0000", what_they_do="Shopping", category="employing_a_pa",
                                         unit="hour", price_pence=1200, relationship="none")
        session.add(own_request)
        session.flush()
        own_requests[whose] = own_request.id
    # Jo's notification: everyone signed in here has notifications of their own, never hers.
    jos_notification = notify(session, recipient_id=jo.user_id, kind="test", text="For Jo", link="/")
    session.commit()
    world = World(users={Role.PERSON: sam_user, Role.ADVOCATE: advocate, Role.PROFESSIONAL: professional,
                         Role.PROVIDER: provider_staff, Role.COMMISSIONER: commissioner}, sam=sam, jo=jo)
    # For each argument: the object of the role that owns such things, and someone else's.
    world.objects = {
        "link_id": {"mine": sams_link.id, "theirs": jos_link.id},
        "authorised_link_id": {"mine": sams_authorised.id, "theirs": jos_authorised.id},
        "person_id": {"mine": sam.id, "theirs": jo.id},
        "budget_id": {"mine": sams_budget.id, "theirs": jos_budget.id},
        "service_id": {"mine": services[my_provider.id], "theirs": services[their_provider.id]},
        "review_id": {"mine": reviews[my_provider.id], "theirs": reviews[their_provider.id]},
        "check_id": {"mine": checks[my_provider.id], "theirs": checks[their_provider.id]},
        "provider_id": {"mine": my_provider.id, "theirs": their_provider.id},
        "unlisted_provider_id": {"mine": unlisted.id, "theirs": unlisted.id},
        "token": {"mine": "a-guessed-token-that-was-never-sent", "theirs": "another-guessed-token"},
        "payment_id": {"mine": payments[sam.id], "theirs": payments[jo.id]},
        "package_id": packages,
        "line_id": lines,
        "outcome_id": outcomes,
        # Any listed service may go in a package: only one that cannot be chosen is "not found".
        "unlisted_service_id": {"mine": unlisted_service.id, "theirs": unlisted_service.id},
        "change_id": {"mine": changes[my_provider.id], "theirs": changes[their_provider.id]},
        "user_id": {"mine": my_colleague.id, "theirs": their_staff.id},
        "notification_id": {"mine": jos_notification.id, "theirs": jos_notification.id},
        "invoice_id": invoice_ids,
        "request_id": own_requests,
    }
    return world


@dataclass(frozen=True)
class Entry:
    """Who may use the route on their own objects ("owners"), and which factory gives them.

    everyone_else: the statuses anyone else (and an owner with someone else's object) gets.
    council_wide: the owners may reach every object (the council's pages), so only other
    roles are tried.
    """

    owners: frozenset[Role]
    objects: dict[str, str] = field(default_factory=dict)  # route argument -> world.objects key
    everyone_else: frozenset[int] = frozenset({403, 404})
    council_wide: bool = False


def _entry(*owners: Role, **kwargs) -> Entry:
    return Entry(owners=frozenset(owners), **kwargs)


COUNCIL = {"council_wide": True}
GUESSED_TOKEN = frozenset({302, 404, 409, 410})  # sign in first, or "this link is not valid"

ACCESS_MATRIX: dict[str, Entry] = {
    # Anyone may read a listed provider's profile: an unlisted one is not found.
    "providers.profile": _entry(objects={"provider_id": "unlisted_provider_id"}),
    # A budget holder (or their advocate who may approve invoices) reviews only providers they have paid.
    "providers.review": _entry(Role.PERSON, Role.ADVOCATE),
    "provider_workspace.edit_service": _entry(Role.PROVIDER),
    "provider_workspace.publish_service": _entry(Role.PROVIDER),
    "provider_workspace.withdraw_service": _entry(Role.PROVIDER),
    "provider_workspace.delete_service": _entry(Role.PROVIDER),
    "provider_workspace.reply_to_review": _entry(Role.PROVIDER),
    "admin.budget": _entry(Role.COMMISSIONER, **COUNCIL),
    "admin.budget_statement_csv": _entry(Role.COMMISSIONER, **COUNCIL),
    "admin.budget_quarterly_return": _entry(Role.COMMISSIONER, **COUNCIL),
    "admin.adjust_budget": _entry(Role.COMMISSIONER, **COUNCIL),
    "admin.vetting_check": _entry(Role.COMMISSIONER, **COUNCIL),
    "admin.vetting_provider": _entry(Role.COMMISSIONER, **COUNCIL),
    "admin.hide_review": _entry(Role.COMMISSIONER, **COUNCIL),
    "payments.approve_payment": _entry(Role.COMMISSIONER, **COUNCIL),
    "payments.record_bank_payment": _entry(Role.COMMISSIONER, **COUNCIL),
    "payments.provider_payouts": _entry(Role.COMMISSIONER, **COUNCIL),
    "payments.record_contribution": _entry(Role.COMMISSIONER, **COUNCIL),
    "admin.vetting_change": _entry(Role.COMMISSIONER, **COUNCIL),
    # The owner removes their own organisation's staff; anyone else's staff are not found.
    "provider_workspace.remove_staff": _entry(Role.PROVIDER),
    "provider_workspace.staff_invitation": _entry(everyone_else=GUESSED_TOKEN),
    "advocacy.change_permissions": _entry(Role.PERSON, Role.PROFESSIONAL),
    "advocacy.revoke": _entry(Role.PERSON, Role.PROFESSIONAL),
    "advocacy.record_authorised_person": _entry(Role.PROFESSIONAL),
    # An invitation is reached by its secret token; a guessed token reaches nothing.
    "advocacy.invitation": _entry(everyone_else=GUESSED_TOKEN),
    # A password reset link, likewise: a guessed token resets nothing.
    "auth.reset_password": _entry(everyone_else=GUESSED_TOKEN),
    "advocacy.accept_invitation": _entry(everyone_else=GUESSED_TOKEN),
    "advocacy.decline_invitation": _entry(everyone_else=GUESSED_TOKEN),
    "advocacy.register_from_invitation": _entry(everyone_else=GUESSED_TOKEN),
    "plan.edit_outcome": _entry(Role.PERSON, Role.ADVOCATE),
    "plan.move_outcome": _entry(Role.PERSON, Role.ADVOCATE),
    "plan.mark_achieved": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.package": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.remove_line": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.submit": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.cosign": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.add_comment": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.change": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.end": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.challenge": _entry(Role.PERSON, Role.ADVOCATE),
    "admin.challenge": _entry(Role.COMMISSIONER, **COUNCIL),
    "admin.own_provider": _entry(Role.COMMISSIONER, **COUNCIL),
    "own_providers.change_relationship": _entry(Role.PERSON, Role.ADVOCATE),
    "caseload.end": _entry(Role.PROFESSIONAL),
    "packages.change_line": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.change_dates": _entry(Role.PERSON, Role.ADVOCATE),
    "packages.add_service": _entry(Role.PERSON, Role.ADVOCATE, objects={"service_id": "unlisted_service_id"}),
    "caseload.review": _entry(Role.PROFESSIONAL),
    "caseload.add_comment": _entry(Role.PROFESSIONAL),
    "caseload.plan": _entry(Role.PROFESSIONAL),
    "caseload.comment_on_plan": _entry(Role.PROFESSIONAL),
    "provider_requests.answer": _entry(Role.PROVIDER),
    "provider_requests.add_comment": _entry(Role.PROVIDER),
    "invoices.new_invoice": _entry(Role.PROVIDER),
    "invoices.withdraw": _entry(Role.PROVIDER),
    "invoices.amend": _entry(Role.PROVIDER),
    "invoices.approve": _entry(Role.PERSON, Role.ADVOCATE),
    "invoices.dispute": _entry(Role.PERSON, Role.ADVOCATE),
    "invoices.automatic_approval": _entry(Role.PERSON, Role.ADVOCATE),
    # Every signed-in role has its own notifications; anyone else's id is not found.
    "notifications.mark_read": _entry(*Role, everyone_else=frozenset({404})),
}
# A professional manages the authorised people they recorded, through the same routes.
PROFESSIONAL_ALSO = {"advocacy.change_permissions": "authorised_link_id", "advocacy.revoke": "authorised_link_id"}


def routes_with_arguments(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if rule.arguments and rule.endpoint not in BUILT_IN_PUBLIC_ENDPOINTS]


def routes_missing_from_the_matrix(app: Flask) -> list[str]:
    return sorted({rule.endpoint for rule in routes_with_arguments(app)} - set(ACCESS_MATRIX))


def test_every_route_with_an_id_is_in_the_access_matrix(app):
    assert routes_missing_from_the_matrix(app) == []


def test_a_route_added_with_an_id_and_no_matrix_entry_is_caught(app):
    app.add_url_rule("/test-only/things/<int:thing_id>", "test_only_thing", roles(Role.PERSON)(lambda thing_id: "x"))
    assert routes_missing_from_the_matrix(app) == ["test_only_thing"]


def _row_counts(session) -> dict[str, int]:
    """Rows in every table, leaving out the security log's record of the refusal itself."""
    session.expire_all()
    tables = [t for t in inspect(session.get_bind()).get_table_names() if t != "alembic_version"]
    counts = {t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
    counts["auditlog"] -= session.execute(
        text("SELECT count(*) FROM auditlog WHERE action = 'access.refused'")).scalar_one()
    return counts


def _attempts(world: World, role: Role):
    """(endpoint, rule, url values, allowed statuses) for everything this role must not reach."""
    for rule in routes_with_arguments(world.app):
        entry = ACCESS_MATRIX[rule.endpoint]
        owner = role in entry.owners
        if owner and entry.council_wide:
            continue
        for whose in (("theirs",) if owner else ("mine", "theirs")):
            values = {}
            for argument in rule.arguments:
                key = entry.objects.get(argument, argument)
                if role is Role.PROFESSIONAL and rule.endpoint in PROFESSIONAL_ALSO:
                    key = PROFESSIONAL_ALSO[rule.endpoint]
                values[argument] = world.objects[key][whose]
            yield rule, values, entry.everyone_else


@pytest.mark.parametrize("role", list(Role))
def test_no_role_reaches_someone_elses_objects_by_changing_ids(app, client_request, session, role):
    world = _build_world(session)
    world.app = app
    client_request.login(world.users[role])
    if role is Role.ADVOCATE:
        client_request.post("/advocacy/acting-for", {"person_id": str(world.sam.id)})
    tried = 0
    for rule, values, refused in _attempts(world, role):
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        if "GET" in rule.methods:
            status = client_request.client.get(url).status_code
            assert status in refused, f"{role} GET {url}: {status}"
        if "POST" in rule.methods:
            before = _row_counts(session)
            status = client_request.client.post(url, data={"reason": "Because", "text": "Hello", "rating": "5",
                                                           "permissions": ["view"]}).status_code
            assert status in refused, f"{role} POST {url}: {status}"
            assert _row_counts(session) == before, f"{role} POST {url} wrote something"
        tried += 1
    assert tried > 0
