"""The one policy: who may do what, for whom, through which relationship."""

import pytest

from marketplace.errors import ServiceError
from marketplace.models import Budget, LegalBasis, Role, Service
from marketplace.scope import (
    ACTIONS,
    PERSON_ACTIONS,
    NotAllowed,
    Relationship,
    Scope,
    can,
    for_caseload_person,
    require,
    scope_for,
)
from tests.factories import assign_case, create_provider, create_user, person_of
from tests.factories_advocacy import create_advocate_link


@pytest.fixture
def sam(session):
    return create_user(session, role=Role.PERSON, name="Sam Taylor")


def test_a_budget_holder_may_do_everything_for_themselves_and_nothing_for_others(session, sam):
    scope = scope_for(session, sam)
    assert scope.relationship is Relationship.SELF and scope.person.id == person_of(session, sam).id
    for action in [*PERSON_ACTIONS, "manage_advocates", "write_review"]:
        assert can(scope, action)
    jos_budget = Budget(id=99, person_id=scope.person.id + 1000)
    assert not can(scope, "view_budget", jos_budget)
    assert can(scope, "view_budget", Budget(id=98, person_id=scope.person.id))
    for action in ["review_package", "vet_provider", "allocate_budget", "manage_provider"]:
        assert not can(scope, action)


@pytest.mark.parametrize("granted", [["view"], ["view", "draft"], ["view", "cosign"],
                                     ["view", "approve_invoices"], ["view", "draft", "cosign", "approve_invoices"]])
def test_an_advocate_may_do_exactly_what_their_link_allows(session, sam, granted):
    alex = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=person_of(session, sam), advocate=alex, permissions=granted)
    scope = scope_for(session, alex, acting_for_person_id=person_of(session, sam).id)
    assert scope.relationship is Relationship.ADVOCATE and scope.link is not None
    for action, permission in PERSON_ACTIONS.items():
        assert can(scope, action) == (permission in granted), action
    assert not can(scope, "manage_advocates")


def test_an_advocate_reaches_nobody_without_an_active_link(session, sam):
    alex = create_user(session, role=Role.ADVOCATE)
    scope = scope_for(session, alex, acting_for_person_id=person_of(session, sam).id)
    assert scope.person is None and not any(can(scope, action) for action in PERSON_ACTIONS)
    with pytest.raises(NotAllowed, match="Choose the person you are acting for first"):
        require(scope, "view_budget")


def test_the_refusal_says_who_can_give_the_permission(session, sam):
    alex = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=person_of(session, sam), advocate=alex, permissions=["view"],
                         legal_basis=LegalBasis.DEPUTYSHIP, legal_reason="Court order")
    scope = scope_for(session, alex, acting_for_person_id=person_of(session, sam).id)
    with pytest.raises(ServiceError, match="Only the professional who recorded you"):
        require(scope, "approve_invoice")


def test_a_professional_reaches_only_the_people_on_their_caseload(session, sam):
    priya = create_user(session, role=Role.PROFESSIONAL)
    jo = person_of(session, create_user(session, role=Role.PERSON))
    assign_case(session, person=person_of(session, sam), professional=priya)
    scope = scope_for(session, priya)
    assert not can(scope, "view_budget") and not can(scope, "review_package")
    assert for_caseload_person(session, scope, jo.id) is None
    for_sam = for_caseload_person(session, scope, person_of(session, sam).id)
    assert can(for_sam, "view_budget") and can(for_sam, "review_package")
    assert can(for_sam, "manage_authorised_people")
    assert not can(for_sam, "edit_plan") and not can(for_sam, "approve_invoice")


def test_provider_staff_manage_only_their_own_provider(session):
    mine, theirs = create_provider(session), create_provider(session)
    staff = create_user(session, role=Role.PROVIDER, provider=mine)
    scope = scope_for(session, staff)
    assert scope.provider_id == mine.id
    assert can(scope, "manage_provider", Service(provider_id=mine.id))
    assert not can(scope, "manage_provider", Service(provider_id=theirs.id))
    assert can(scope, "manage_provider", mine) and not can(scope, "manage_provider", theirs)
    assert not can(scope, "view_budget") and not can(scope, "vet_provider")


def test_the_council_allocates_and_vets_but_acts_for_nobody(session):
    scope = scope_for(session, create_user(session, role=Role.COMMISSIONER))
    assert can(scope, "allocate_budget") and can(scope, "vet_provider")
    assert not can(scope, "draft_package") and not can(scope, "manage_advocates")


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_visitor_may_do_nothing(action):
    assert not can(Scope(user=None), action)


def test_an_unknown_action_is_a_mistake_not_a_no():
    with pytest.raises(ValueError, match="unknown action"):
        can(Scope(user=None), "veiw_budget")
