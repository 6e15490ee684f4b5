"""A package's life after it is built (DESIGN §3): submit, providers answer, co-sign, review.

    draft / changes_requested ──submit──▶ submitted
    submitted ──every line accepted and any co-sign done──▶ awaiting_review
    submitted ──a provider declines a line──▶ changes_requested (with the reason)
    awaiting_review ──approve──▶ active (money set aside) | request_changes | reject
    rejected / changes_requested (by a professional) ──challenge──▶ awaiting_review, marked: a
        different professional or the council decides, with reasons
    active ──its new version approved──▶ superseded (unspent money given back, same transaction)
    active ──end_early from a date──▶ ended (money for the days from then on given back)

Each transition checks the scope, refuses with a ServiceError and changes nothing when it
does not apply, records a PackageEvent and flushes; the caller commits once.
"""

from datetime import date

from sqlmodel import Session, select

from marketplace import ledger
from marketplace.errors import ServiceError
from marketplace.models import (
    AdvocateLink,
    Budget,
    CarePackage,
    LineResponse,
    LinkStatus,
    PackageLine,
    PackageStatus,
)
from marketplace.models.types import utcnow
from marketplace.money import format_money
from marketplace.notifications import events as notices
from marketplace.packages import costing
from marketplace.packages.access import line_in_scope, lines_of, package_in_scope
from marketplace.packages.building import lines_with_problems, record_event, refresh_total
from marketplace.packages.unspent import line_commitment, unspent_from
from marketplace.scope import Relationship, Scope, can, require
from marketplace.storage import lock_row
from marketplace.text import clean_text

COSIGN_BY_ADVOCATE = "advocate"
COSIGN_BY_PERSON = "person"


def _refuse_unless(package: CarePackage, *statuses: PackageStatus, doing: str) -> None:
    if package.status_enum not in statuses:
        raise ServiceError(f"You cannot {doing} this package: it is {package.status_enum.phrase}.")


def _locked(session: Session, package: CarePackage) -> CarePackage:
    """Re-read the package under a row lock, so two people acting at once act one after the other."""
    locked = lock_row(session, CarePackage, package.id)
    session.refresh(locked)
    return locked


def _cosigning_advocates(session: Session, person_id: int) -> list[AdvocateLink]:
    return list(session.exec(select(AdvocateLink).where(
        AdvocateLink.person_id == person_id, AdvocateLink.status == LinkStatus.ACTIVE.value,
        AdvocateLink.can_cosign)))


def who_must_cosign(session: Session, scope: Scope) -> str:
    """When the person has an active advocate who may co-sign, whichever of the two did not
    submit signs too; an authorised person (the person lacks capacity) signs alone."""
    if scope.relationship == Relationship.ADVOCATE:
        if scope.link is not None and scope.link.is_authorised_person:
            return ""
        return COSIGN_BY_PERSON if _cosigning_advocates(session, scope.person.id) else ""
    return COSIGN_BY_ADVOCATE if _cosigning_advocates(session, scope.person.id) else ""


def room_to_commit(session: Session, package: CarePackage) -> int:
    """What the budget can set aside now: the money free to use (DESIGN §4), and for a new
    version also what the version it replaces would give back."""
    room = ledger.balances(session, package.budget_id).available
    replaced = _replaced_version(session, package)
    if replaced is not None:
        room += sum(unspent_from(session, replaced, package.start_on).values())
    return room


def _replaced_version(session: Session, package: CarePackage) -> CarePackage | None:
    if package.supersedes_id is None:
        return None
    return session.get(CarePackage, package.supersedes_id)


def submit(session: Session, scope: Scope, *, package_id: int, today: date) -> CarePackage:
    require(scope, "draft_package")
    package = _locked(session, package_in_scope(session, scope, package_id))
    _refuse_unless(package, PackageStatus.DRAFT, PackageStatus.CHANGES_REQUESTED, doing="send")
    checked = lines_with_problems(session, package.id, today)
    if not checked:
        raise ServiceError("Add at least one line of support before you send the package.")
    problems = [problem for _line, problem in checked if problem]
    if problems:
        raise ServiceError("Remove the lines that cannot go ahead before you send the package: "
                           + " ".join(problems))
    lines = [line for line, _problem in checked]
    refresh_total(session, package)
    room = room_to_commit(session, package)
    if package.total_pence > room:
        raise ServiceError(
            f"This package costs {format_money(package.total_pence)} but only "
            f"{format_money(room)} of the budget is free to use. Make it smaller or shorter.")
    to_ask = [line for line in lines if line.response != LineResponse.ACCEPTED.value]
    for line in to_ask:
        line.response, line.response_note = LineResponse.REQUESTED.value, ""
        line.responded_at = line.responded_by_id = None
    package.status = PackageStatus.SUBMITTED.value
    package.submitted_by_id, package.submitted_at = scope.user.id, utcnow()
    package.cosign_by = who_must_cosign(session, scope)
    package.cosigned_by_id = package.cosigned_at = None
    package.providers_accepted_at = package.review_requested_at = None  # the clock starts again
    # Only the latest decision is kept here; the timeline keeps each one, and the council's
    # waiting times read it (packages.clock.decisions_sql).
    package.decided_by_id = package.decided_at = None
    record_event(session, scope, package, "submitted")
    notices.lines_to_accept(session, package, to_ask)
    if package.cosign_by:
        notices.package_to_cosign(session, package, by_person=package.cosign_by == COSIGN_BY_PERSON)
    _move_on_if_agreed(session, scope, package, lines)
    session.flush()
    return package


def respond(session: Session, scope: Scope, *, line_id: int, accept: bool, note: str) -> PackageLine:
    """The provider accepts or declines one requested line. A decline sends the package back."""
    if scope.relationship != Relationship.PROVIDER_STAFF:
        raise ServiceError("Only the provider can answer this request.")
    line = line_in_scope(session, scope, line_id)
    package = _locked(session, session.get(CarePackage, line.package_id))
    session.refresh(line)
    if package.status_enum != PackageStatus.SUBMITTED or line.response != LineResponse.REQUESTED.value:
        raise ServiceError("This request has already been answered or was withdrawn.")
    note = clean_text(note, field="note", label="Your note", max_length=2000, required=not accept,
                      multiline=True)
    line.response = (LineResponse.ACCEPTED if accept else LineResponse.DECLINED).value
    line.response_note, line.responded_by_id, line.responded_at = note, scope.user.id, utcnow()
    record_event(session, scope, package, "line_accepted" if accept else "line_declined",
                 f"{line.title}: {note}" if note else line.title, line.id)
    if accept:
        _move_on_if_agreed(session, scope, package, lines_of(session, package.id))
    else:
        package.status = PackageStatus.CHANGES_REQUESTED.value
        record_event(session, scope, package, "sent_back",
                     f"{line.provider_name} cannot provide “{line.title}”: {note}")
        notices.package_decided(session, package, notices.PACKAGE_CHANGES_REQUESTED)
    session.flush()
    return line


def cosign(session: Session, scope: Scope, *, package_id: int) -> CarePackage:
    package = _locked(session, package_in_scope(session, scope, package_id))
    _refuse_unless(package, PackageStatus.SUBMITTED, doing="co-sign")
    if not package.cosign_by:
        raise ServiceError("This package does not need co-signing.")
    if package.cosigned_at is not None:
        raise ServiceError("This package has already been co-signed.")
    if package.submitted_by_id == scope.user.id:
        raise ServiceError("You sent this package, so someone else must co-sign it.")
    signer_ok = (scope.relationship == Relationship.SELF if package.cosign_by == COSIGN_BY_PERSON
                 else scope.relationship == Relationship.ADVOCATE and can(scope, "cosign_package"))
    if not signer_ok:
        raise ServiceError("You do not have permission to co-sign this package.")
    package.cosigned_by_id, package.cosigned_at = scope.user.id, utcnow()
    record_event(session, scope, package, "cosigned")
    _move_on_if_agreed(session, scope, package, lines_of(session, package.id))
    session.flush()
    return package


def _move_on_if_agreed(session, scope, package: CarePackage, lines: list[PackageLine]) -> None:
    every_line_accepted = all(line.response == LineResponse.ACCEPTED.value for line in lines)
    if package.status_enum == PackageStatus.SUBMITTED and every_line_accepted and package.providers_accepted_at is None:
        package.providers_accepted_at = utcnow()
    cosign_done = not package.cosign_by or package.cosigned_at is not None
    if package.status_enum == PackageStatus.SUBMITTED and every_line_accepted and cosign_done:
        package.status = PackageStatus.AWAITING_REVIEW.value
        package.review_requested_at = utcnow()
        record_event(session, scope, package, "ready_for_review")
        notices.package_to_review(session, package)


def _reviewable(session: Session, scope: Scope, package_id: int, doing: str) -> CarePackage:
    """The professional with the person on their caseload decides; a challenge may also be
    decided by the council, and never by whoever made the decision being challenged."""
    if scope.relationship == Relationship.COMMISSIONER:
        require(scope, "decide_challenge")
        package = _locked(session, challenge_for_council(session, package_id)[0])
    else:
        require(scope, "review_package")
        package = _locked(session, package_in_scope(session, scope, package_id))
    _refuse_unless(package, PackageStatus.AWAITING_REVIEW, doing=doing)
    if scope.user.id in (package.created_by_id, package.submitted_by_id):
        raise ServiceError("You built or sent this package, so another professional must review it.")
    if package.challenged_at is not None and scope.user.id == package.challenged_decision_by_id:
        raise ServiceError(FIRST_DECIDER_MAY_NOT)
    return package


FIRST_DECIDER_MAY_NOT = ("You made the decision that is being challenged, so another professional "
                         "or the council must decide this time.")


def challenge_for_council(session: Session, package_id: int) -> tuple[CarePackage, Budget]:
    """A challenged package and its budget, for the council; anything else is not found."""
    found = session.exec(select(CarePackage, Budget).join(Budget, Budget.id == CarePackage.budget_id).where(
        CarePackage.id == package_id, CarePackage.challenged_at.is_not(None))).first()
    if found is None:
        raise LookupError(package_id)
    return found


def _reasons_for_a_challenge(package: CarePackage, reasons: str) -> str:
    """A decision on a challenge always says why: the person asked for reasons."""
    return clean_text(reasons, field="note", label="The reasons for your decision", max_length=2000,
                      multiline=True, required=package.challenged_at is not None)


def may_challenge(package: CarePackage) -> bool:
    """Turned down or sent back by a professional (not by a provider), and not challenged before."""
    return (package.status_enum in (PackageStatus.REJECTED, PackageStatus.CHANGES_REQUESTED)
            and package.decided_by_id is not None and package.challenged_at is None)


def challenge(session: Session, scope: Scope, *, package_id: int, reasons: str) -> CarePackage:
    """The person (or an advocate who may draft) asks for a decision to be looked at again, in
    their own words. The package goes back to review, marked as a challenge."""
    require(scope, "draft_package")
    reasons = clean_text(reasons, field="reasons", label="Why you think the decision is wrong", max_length=2000,
                         multiline=True)
    package = _locked(session, package_in_scope(session, scope, package_id))
    if package.challenged_at is not None:
        raise ServiceError("This package’s decision has already been looked at again.")
    if not may_challenge(package):
        raise ServiceError(f"You cannot challenge a decision on this package: it is {package.status_enum.phrase}.")
    now = utcnow()
    package.challenged_at, package.challenged_decision_by_id = now, package.decided_by_id
    package.status = PackageStatus.AWAITING_REVIEW.value
    package.review_requested_at = now
    package.decided_by_id = package.decided_at = None
    record_event(session, scope, package, "challenged", reasons)
    notices.package_challenged(session, package)
    session.flush()
    return package


def approve(session: Session, scope: Scope, *, package_id: int, today: date, reasons: str = "") -> CarePackage:
    """Agree the package and set each line's cost aside, in one ledger transaction checked
    under the budget lock, together with the change of status and its event. A new version
    replaces the agreed one in the same transaction: what the old one no longer needs goes
    back as the new one is set aside, so the money free to use moves once, by the difference."""
    package = _reviewable(session, scope, package_id, "approve")
    reasons = _reasons_for_a_challenge(package, reasons)
    replaced = _replaced_version(session, package)
    if replaced is not None:
        replaced = _locked(session, replaced)
        if replaced.status_enum != PackageStatus.ACTIVE:
            raise ServiceError(f"This version cannot be agreed: the version it replaces is "
                               f"{replaced.status_enum.phrase}.")
    checked = lines_with_problems(session, package.id, today)
    problems = [problem for _line, problem in checked if problem]
    if problems:
        raise ServiceError("This package cannot be agreed: " + " ".join(problems))
    lines = [line for line, _problem in checked]
    cost = costing.cost_package(lines, package.start_on, package.end_on)
    legs = {ledger.committed_account(line_commitment(package.id, line.id)): total
            for line, total in zip(lines, cost.line_totals, strict=True) if total}
    given_back = {}
    if replaced is not None:
        lock_row(session, Budget, package.budget_id)  # read what is left where the post will check it
        given_back = unspent_from(session, replaced, package.start_on)
        legs.update({account: -amount for account, amount in given_back.items()})
    from_available = cost.total_pence - sum(given_back.values())
    if from_available:
        legs[ledger.AVAILABLE] = -from_available
    if legs:
        memo = (f"Care package agreed: {package.title}" if replaced is None else
                f"Care package changed: {package.title}, version {package.version} replaces {replaced.version}")
        try:
            ledger.post(session, budget_id=package.budget_id, kind="commitment", legs=legs,
                        idempotency_key=f"package:{package.id}:approve", actor=scope.user,
                        memo=memo[:500], on_behalf_of_id=package.person_id, effective_on=today)
        except ledger.NotEnoughMoney as problem:
            raise ServiceError(f"This package cannot be agreed now. {problem}") from None
    package.total_pence = cost.total_pence
    package.status = PackageStatus.ACTIVE.value
    package.decided_by_id, package.decided_at = scope.user.id, utcnow()
    record_event(session, scope, package, "approved", reasons)
    if replaced is not None:
        replaced.status = PackageStatus.SUPERSEDED.value
        record_event(session, scope, replaced, "superseded",
                     f"Version {package.version} was agreed and replaces this one from "
                     f"{package.start_on:%-d %B %Y}.")
    notices.package_decided(session, package, notices.PACKAGE_APPROVED)
    session.flush()
    return package


def request_changes(session: Session, scope: Scope, *, package_id: int, note: str) -> CarePackage:
    note = clean_text(note, field="note", label="What needs to change", max_length=2000, multiline=True)
    return _send_back(session, scope, package_id, PackageStatus.CHANGES_REQUESTED, "changes_requested",
                      "ask for changes to", note, notices.PACKAGE_CHANGES_REQUESTED)


def reject(session: Session, scope: Scope, *, package_id: int, reasons: str) -> CarePackage:
    reasons = clean_text(reasons, field="reasons", label="The reasons", max_length=2000, multiline=True)
    return _send_back(session, scope, package_id, PackageStatus.REJECTED, "rejected", "turn down", reasons,
                      notices.PACKAGE_REJECTED)


def _send_back(session: Session, scope: Scope, package_id: int, status: PackageStatus, event: str, doing: str,
               note: str, notice: str) -> CarePackage:
    """A decision that agrees nothing (changes asked for, or turned down): no money moves."""
    package = _reviewable(session, scope, package_id, doing)
    package.status = status.value
    package.decided_by_id, package.decided_at = scope.user.id, utcnow()
    record_event(session, scope, package, event, note)
    notices.package_decided(session, package, notice)
    session.flush()
    return package


def end_early(session: Session, scope: Scope, *, package_id: int, from_date: date | None, reason: str,
              today: date) -> CarePackage:
    """The person (or an advocate who may draft) or their professional ends an agreed package:
    support stops from `from_date`, each provider is told, and the money set aside for the days
    from then on goes back, in the same transaction as the change of status."""
    if not (can(scope, "draft_package") or can(scope, "review_package")):
        require(scope, "draft_package")
    reason = clean_text(reason, field="reason", label="Why it is ending", max_length=2000, multiline=True,
                        required=False)
    package = _locked(session, package_in_scope(session, scope, package_id))
    _refuse_unless(package, PackageStatus.ACTIVE, doing="end")
    if from_date is None:
        raise ServiceError("Enter the date the support stops", field="from_date")
    earliest = max(package.start_on, today)
    if not earliest <= from_date <= package.end_on:
        raise ServiceError(f"The date the support stops must be between {earliest:%-d %B %Y} and "
                           f"{package.end_on:%-d %B %Y}", field="from_date")
    lock_row(session, Budget, package.budget_id)  # read what is left where the post will check it
    given_back = unspent_from(session, package, from_date)
    if given_back:
        total = sum(given_back.values())
        legs = {account: -amount for account, amount in given_back.items()} | {ledger.AVAILABLE: total}
        ledger.post(session, budget_id=package.budget_id, kind="release", legs=legs,
                    idempotency_key=f"package:{package.id}:end", actor=scope.user,
                    memo=f"Care package ended early: {package.title}"[:500],
                    on_behalf_of_id=package.person_id, effective_on=today)
    package.status = PackageStatus.ENDED.value
    package.ended_from, package.ended_by_id = from_date, scope.user.id
    record_event(session, scope, package, "ended",
                 f"Support stops from {from_date:%-d %B %Y}." + (f" {reason}" if reason else ""))
    notices.package_ended(session, package, lines_of(session, package.id))
    session.flush()
    return package
