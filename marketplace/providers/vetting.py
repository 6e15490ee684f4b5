"""The vetting rules, as SQL: worked out at query time against today's date, so a check that
expires at midnight hides its provider with no job running.

A provider is vetted while, for every check its kind requires, it has a verified check of
that kind that has not expired. It is written as a count correlated to the provider, so the
database starts from the selective filters (area, category, price, words) and then counts
only those providers' checks through ix_vettingcheck_validity, instead of grouping every
check of every provider on each search.

The provider's kind sets a floor; each service is shown only while it is published, not
withdrawn, and its provider also holds every check that service's category needs
(service_is_shown), so calling oneself "other" cannot put personal care in front of people
without a CQC registration.
"""

from datetime import date

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select

from marketplace.models import Provider, Service, VettingCheck
from marketplace.providers.catalogue import CATEGORY_CHECKS, REQUIRED_CHECKS


def is_vetted(today: date) -> ColumnElement[bool]:
    """True for a provider (correlated to Provider) that is vetted on `today`."""
    required_for_kind = or_(*(
        and_(Provider.kind == kind, VettingCheck.kind.in_(checks)) for kind, checks in REQUIRED_CHECKS.items()
    ))
    needed = case({kind: len(checks) for kind, checks in REQUIRED_CHECKS.items()}, value=Provider.kind, else_=-1)
    valid_required_kinds = (
        select(func.count(distinct(VettingCheck.kind)))
        .where(VettingCheck.provider_id == Provider.id, VettingCheck.status == "verified",
               VettingCheck.expires_on >= today, required_for_kind)
        .correlate(Provider)
        .scalar_subquery()
    )
    return valid_required_kinds == needed


def service_is_vetted(today: date) -> ColumnElement[bool]:
    """True for a service (correlated to Service) whose provider holds, valid on `today`,
    every check the service's category needs."""
    required_for_category = or_(*(
        and_(Service.category == category, VettingCheck.kind.in_(checks))
        for category, checks in CATEGORY_CHECKS.items()
    ))
    needed = case({category: len(checks) for category, checks in CATEGORY_CHECKS.items()},
                  value=Service.category, else_=-1)
    valid_required_kinds = (
        select(func.count(distinct(VettingCheck.kind)))
        .where(VettingCheck.provider_id == Service.provider_id, VettingCheck.status == "verified",
               VettingCheck.expires_on >= today, required_for_category)
        .correlate(Service)
        .scalar_subquery()
    )
    return valid_required_kinds == needed


def service_is_shown(today: date) -> ColumnElement[bool]:
    """True for a service (correlated to Service) people may see on `today`: published, not
    withdrawn, and vetted for its category."""
    return and_(Service.published.is_(True), Service.withdrawn_at.is_(None), service_is_vetted(today))


def is_listed(today: date) -> ColumnElement[bool]:
    """Shown to the public: vetted, not suspended, and not someone's own provider."""
    return and_(Provider.private_for_person_id.is_(None), takes_new_work(today))


def takes_new_work(today: date) -> ColumnElement[bool]:
    """May be chosen for a care package: vetted and not suspended (a person's own provider too,
    for that person: see may_be_chosen_by)."""
    return and_(Provider.suspended_at.is_(None), is_vetted(today))


def may_be_chosen_by(person_id: int, today: date) -> ColumnElement[bool]:
    """This person may put it in a package: a listed provider, or their own once the council
    has checked it."""
    return and_(or_(Provider.private_for_person_id.is_(None), Provider.private_for_person_id == person_id),
                takes_new_work(today))
