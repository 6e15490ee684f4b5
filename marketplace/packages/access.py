"""Loading packages and lines through the scope: anything outside it is LookupError (a 404).

Who sees a package: the budget holder; their advocates with `view`; the professional with the
person on their caseload; a provider only once one of its lines has been sent to it.
"""

from functools import cache

from sqlalchemy import Integer, bindparam
from sqlmodel import Session, select

from marketplace.models import Budget, CarePackage, LineResponse, PackageLine
from marketplace.scope import Relationship, Scope, can


def may_see_packages_of_person(scope: Scope) -> bool:
    """The person themselves, advocates with `view`, the professional with them on their caseload."""
    return can(scope, "view_package")


def package_in_scope(session: Session, scope: Scope, package_id: int) -> CarePackage:
    return package_and_budget_in_scope(session, scope, package_id)[0]


@cache
def _package_and_budget_statement(for_provider: bool):
    """The package in the `package_id` parameter and its budget, if the person in `person_id`
    has it (or, `for_provider`, one of its lines was sent to the provider in `provider_id`).
    Built once each: every page about a package runs it."""
    query = select(CarePackage, Budget).join(Budget, Budget.id == CarePackage.budget_id).where(
        CarePackage.id == bindparam("package_id", type_=Integer))
    if for_provider:
        return query.join(PackageLine, PackageLine.package_id == CarePackage.id).where(
            PackageLine.provider_id == bindparam("provider_id", type_=Integer),
            PackageLine.response != LineResponse.NOT_SENT.value)
    return query.where(CarePackage.person_id == bindparam("person_id", type_=Integer))


def package_and_budget_in_scope(session: Session, scope: Scope, package_id: int) -> tuple[CarePackage, Budget]:
    """The package and its budget in one query (every page about a package needs both)."""
    if scope.relationship == Relationship.PROVIDER_STAFF:
        query, params = _package_and_budget_statement(True), {"package_id": package_id,
                                                              "provider_id": scope.provider_id}
    elif may_see_packages_of_person(scope):
        query, params = _package_and_budget_statement(False), {"package_id": package_id,
                                                               "person_id": scope.person.id}
    else:
        raise LookupError(package_id)
    found = session.exec(query, params=params).first()
    if found is None:
        raise LookupError(package_id)
    return found


def line_in_scope(session: Session, scope: Scope, line_id: int) -> PackageLine:
    """A line for its provider to answer (only its own, only once sent), or a line of the
    person's package for those who may see it."""
    query = select(PackageLine).where(PackageLine.id == line_id)
    if scope.relationship == Relationship.PROVIDER_STAFF:
        query = query.where(PackageLine.provider_id == scope.provider_id,
                            PackageLine.response != LineResponse.NOT_SENT.value)
    elif may_see_packages_of_person(scope):
        query = query.join(CarePackage, CarePackage.id == PackageLine.package_id).where(
            CarePackage.person_id == scope.person.id)
    else:
        raise LookupError(line_id)
    line = session.exec(query).first()
    if line is None:
        raise LookupError(line_id)
    return line


def lines_of(session: Session, package_id: int) -> list[PackageLine]:
    return list(session.exec(select(PackageLine).where(PackageLine.package_id == package_id)
                             .order_by(PackageLine.id)))
