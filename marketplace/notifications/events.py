"""Who is told about each event, and in what words. Services call these in the event's own
transaction; each only adds notifications (and flushes), it never commits.

Links are fixed paths on this site (a notification outlives the URL map of one request, and
services run in jobs and commands too).
"""

from sqlmodel import Session, col, select

from marketplace.models import (
    AdvocateLink,
    Budget,
    CarePackage,
    CaseAssignment,
    Invoice,
    LinkStatus,
    PackageLine,
    Payment,
    Person,
    PlanComment,
    Provider,
    ProviderMember,
    Review,
    Role,
    User,
    VettingCheck,
)
from marketplace.money import format_money
from marketplace.notifications.service import notify, notify_once
from marketplace.providers.catalogue import CHECK_KINDS, PROVIDER_KINDS

ADVOCATES_PAGE = "/advocates"
ADVOCACY_HOME = "/advocacy"
CASELOAD_PAGE = "/advocacy/caseload"
BUDGET_PAGE = "/budget"
COUNCIL_PAYMENTS_PAGE = "/admin/payments"
PAYOUTS_PAGE = "/provider/payouts"
CHECKS_PAGE = "/provider/checks"
ORGANISATION_PAGE = "/provider/organisation"
REVIEWS_PAGE = "/provider/reviews"
VETTING_PAGE = "/admin/vetting"
PACKAGES_WAITING_PAGE = "/admin/packages"


def _holder(session: Session, person_id: int) -> tuple[Person, User]:
    person = session.get(Person, person_id)
    return person, session.get(User, person.user_id)


def advocates_who_can_view(session: Session, person_id: int) -> list[int]:
    return list(session.exec(select(AdvocateLink.advocate_user_id).where(
        AdvocateLink.person_id == person_id, AdvocateLink.status == LinkStatus.ACTIVE.value,
        AdvocateLink.can_view, col(AdvocateLink.advocate_user_id).is_not(None))))


def provider_staff(session: Session, provider_id: int) -> list[int]:
    return list(session.exec(select(ProviderMember.user_id).where(
        ProviderMember.provider_id == provider_id).order_by(ProviderMember.user_id)))


def commissioners(session: Session) -> list[int]:
    return list(session.exec(select(User.id).where(User.role == Role.COMMISSIONER.value).order_by(User.id)))


def _recorder_if_professional(session: Session, link: AdvocateLink) -> User | None:
    recorder = session.get(User, link.invited_by_id) if link.invited_by_id else None
    return recorder if recorder is not None and recorder.role == Role.PROFESSIONAL else None


# Advocates --------------------------------------------------------------------------------------

def invitation_answered(session: Session, link: AdvocateLink, *, accepted: bool) -> None:
    """Tell the budget holder (and a professional who recorded an authorised person)."""
    person, holder = _holder(session, link.person_id)
    if accepted:
        text = f"{link.invited_name} accepted your invitation and can now help you."
    else:
        text = f"{link.invited_name} said no to your invitation to be your advocate."
    notify(session, recipient_id=holder.id, kind=f"advocate.invitation_{'accepted' if accepted else 'declined'}",
           text=text, link=ADVOCATES_PAGE, person_id=person.id)
    recorder = _recorder_if_professional(session, link)
    if recorder is not None:
        outcome = "accepted" if accepted else "said no to"
        notify(session, recipient_id=recorder.id, kind="advocate.authorised_person_answered",
               text=f"{link.invited_name} {outcome} being the authorised person for {person.name}.",
               link=CASELOAD_PAGE, person_id=person.id)


def invitation_expired(session: Session, link: AdvocateLink) -> None:
    person, holder = _holder(session, link.person_id)
    notify(session, recipient_id=holder.id, kind="advocate.invitation_expired",
           text=f"Your invitation to {link.invited_name} ran out before they answered. "
                "You can invite them again.", link=ADVOCATES_PAGE, person_id=person.id)


def access_ended(session: Session, link: AdvocateLink, *, by: User, was_invited: bool) -> None:
    """An invitation cancelled or an advocate's access stopped."""
    person, holder = _holder(session, link.person_id)
    if by.id != holder.id:
        text = (f"{by.name} cancelled the invitation to {link.invited_name}." if was_invited
                else f"{by.name} stopped {link.invited_name}'s access to your budget.")
        notify(session, recipient_id=holder.id, kind="advocate.invitation_revoked" if was_invited
               else "advocate.access_ended", text=text, link=ADVOCATES_PAGE, person_id=person.id)
    if link.advocate_user_id is not None and not was_invited and by.id != link.advocate_user_id:
        notify(session, recipient_id=link.advocate_user_id, kind="advocate.access_ended",
               text=f"You can no longer act for {person.name}.", link=ADVOCACY_HOME,
               person_id=person.id)


def permissions_changed(session: Session, link: AdvocateLink) -> None:
    if link.advocate_user_id is None:  # not accepted yet: the invitation shows the new choice
        return
    person = session.get(Person, link.person_id)
    notify(session, recipient_id=link.advocate_user_id, kind="advocate.permissions_changed",
           text=f"What you can do for {person.name} has changed.", link=ADVOCACY_HOME,
           person_id=person.id)


# Budgets ----------------------------------------------------------------------------------------

def _tell_budget_holder_and_advocates(session: Session, budget: Budget, *, kind: str,
                                      to_holder: str, to_advocate: str) -> None:
    person, holder = _holder(session, budget.person_id)
    notify(session, recipient_id=holder.id, kind=kind, text=to_holder, link=BUDGET_PAGE,
           person_id=person.id)
    for advocate_id in advocates_who_can_view(session, person.id):
        notify(session, recipient_id=advocate_id, kind=kind,
               text=to_advocate.format(name=person.name), link=BUDGET_PAGE, person_id=person.id)


def budget_allocated(session: Session, budget: Budget) -> None:
    """To the budget holder, advocates who can see it, and the professionals on their case."""
    amount = format_money(budget.allocation_pence)
    _tell_budget_holder_and_advocates(
        session, budget, kind="budget.allocated",
        to_holder=f"The council has given you a personal budget of {amount}.",
        to_advocate=f"The council has given {{name}} a personal budget of {amount}.")
    person = session.get(Person, budget.person_id)
    for professional_id in session.exec(select(CaseAssignment.professional_id).where(
            CaseAssignment.person_id == person.id).order_by(CaseAssignment.professional_id)):
        notify(session, recipient_id=professional_id, kind="budget.allocated", link=CASELOAD_PAGE,
               text=f"The council has given {person.name} a personal budget of {amount}.",
               person_id=person.id)


BUDGET_CHANGES = {
    "add": ("The council added {amount} to your budget.", "The council added {amount} to {name}'s budget."),
    "remove": ("The council took {amount} off your budget.", "The council took {amount} off {name}'s budget."),
    "clawback": ("The council took back {amount} of unspent money from your budget.",
                 "The council took back {amount} of unspent money from {name}'s budget."),
}


def budget_adjusted(session: Session, budget: Budget, *, change: str, amount_pence: int) -> None:
    to_holder, to_advocate = BUDGET_CHANGES[change]
    amount = format_money(amount_pence)
    _tell_budget_holder_and_advocates(
        session, budget, kind="budget.clawed_back" if change == "clawback" else "budget.adjusted",
        to_holder=to_holder.format(amount=amount),
        to_advocate=to_advocate.replace("{amount}", amount))


def budget_underspend(session: Session, budget: Budget, *, window: int, about_left: int) -> int:
    """The 4-weekly warning that money is forecast to be left over; once per window per person."""
    person, holder = _holder(session, budget.person_id)
    amount = format_money(about_left)
    recipients = [(holder.id, f"At the rate you are spending, about {amount} of your budget "
                              "would be left at the end. You could plan more support, or the "
                              "council may take unspent money back.")]
    recipients += [(advocate_id, f"At the rate {person.name} is spending, about {amount} of their "
                                 "budget would be left at the end.")
                   for advocate_id in advocates_who_can_view(session, person.id)]
    sent = 0
    for user_id, text in recipients:
        if notify_once(session, once_key=f"underspend:budget:{budget.id}:window:{window}:user:{user_id}",
                       recipient_id=user_id, kind="budget.underspend", text=text, link=BUDGET_PAGE,
                       person_id=person.id):
            sent += 1
    return sent


# Providers --------------------------------------------------------------------------------------

def _tell_staff(session: Session, provider_id: int, *, kind: str, text: str, link: str) -> None:
    for user_id in provider_staff(session, provider_id):
        notify(session, recipient_id=user_id, kind=kind, text=text, link=link)


def check_decided(session: Session, check: VettingCheck) -> None:
    what = CHECK_KINDS.get(check.kind, check.kind)
    if check.status == "verified":
        text = f"The council has verified your {what}."
    else:
        text = f"The council could not accept your {what}. Open your checks to see why."
    _tell_staff(session, check.provider_id, kind=f"check.{check.status}", text=text, link=CHECKS_PAGE)


def check_running_out(session: Session, *, provider: Provider, kind: str, expires_on, days_left: int,
                      within: int) -> int:
    """Warn the provider's staff and the council, once per check, expiry date and warning."""
    what = CHECK_KINDS.get(kind, kind)
    when = f"{expires_on.day} {expires_on:%B %Y}"
    day_word = "day" if days_left == 1 else "days"
    to_staff = f"Your {what} runs out on {when}, in {days_left} {day_word}. Send the new one so you stay listed."
    to_council = f"{provider.name}'s {what} runs out on {when}, in {days_left} {day_word}."
    sent = 0
    for user_id, text, link in ([(u, to_staff, CHECKS_PAGE) for u in provider_staff(session, provider.id)]
                                + [(u, to_council, VETTING_PAGE) for u in commissioners(session)]):
        key = f"check-expiry:provider:{provider.id}:{kind}:{expires_on.isoformat()}:within:{within}:user:{user_id}"
        if notify_once(session, once_key=key, recipient_id=user_id, kind="check.running_out",
                       text=text, link=link):
            sent += 1
    return sent


def kind_change_decided(session: Session, *, provider: Provider, new_kind: str, approved: bool,
                        reason: str) -> None:
    """The council agreed or refused a provider's change of kind: its staff are told."""
    what = PROVIDER_KINDS.get(new_kind, new_kind)
    if approved:
        text = (f"The council has agreed to change {provider.name}’s kind of provider to {what}. "
                "Check which checks you need to stay listed.")
    else:
        text = f"The council did not agree to change {provider.name}’s kind of provider to {what}. The reason: {reason}"
    _tell_staff(session, provider.id, kind=f"provider.kind_change_{'approved' if approved else 'refused'}",
                text=text, link=ORGANISATION_PAGE)


def provider_suspended(session: Session, provider: Provider) -> None:
    _tell_staff(session, provider.id, kind="provider.suspended", link=ORGANISATION_PAGE,
                text=f"The council has suspended {provider.name}. People cannot find you until it is reinstated.")


def provider_reinstated(session: Session, provider: Provider) -> None:
    _tell_staff(session, provider.id, kind="provider.reinstated", link=ORGANISATION_PAGE,
                text=f"The council has reinstated {provider.name}. People can find you again.")


def review_written(session: Session, review: Review) -> None:
    star_word = "star" if review.rating == 1 else "stars"
    _tell_staff(session, review.provider_id, kind="review.new", link=REVIEWS_PAGE,
                text=f"Someone you support wrote a review: {review.rating} {star_word} out of 5.")


def payment_failed(session: Session, payment: Payment) -> None:
    """A payment to a provider could not be sent: its staff and the council are told once."""
    provider = session.get(Provider, payment.provider_id)
    amount = format_money(payment.amount_pence)
    _tell_staff(session, provider.id, kind="payment_failed", link=PAYOUTS_PAGE,
                text=f"A payment of {amount} to {provider.name} could not be sent. Check your payment settings.")
    for user_id in commissioners(session):
        notify(session, recipient_id=user_id, kind="payment_failed", link=COUNCIL_PAYMENTS_PAGE,
               text=f"A payment of {amount} to {provider.name} could not be sent. We will try again.")
# Care packages ---------------------------------------------------------------------------------

PROVIDER_REQUESTS_PAGE = "/provider/requests"
PACKAGE_TO_COSIGN = "package.to_cosign"
PACKAGE_CHANGES_REQUESTED = "package.changes_requested"
PACKAGE_APPROVED = "package.approved"
PACKAGE_REJECTED = "package.rejected"
PACKAGE_DECISIONS = {
    PACKAGE_CHANGES_REQUESTED: "Changes are needed to the care package “{title}”. Read why and change it.",
    PACKAGE_APPROVED: "The care package “{title}” is agreed. The money for it is set aside.",
    PACKAGE_REJECTED: "The care package “{title}” was turned down. Read the reasons.",
}


def _package_page(package: CarePackage) -> str:
    return f"/packages/{package.id}"


def package_to_cosign(session: Session, package: CarePackage, *, by_person: bool) -> None:
    """The signer who did not send it: the budget holder, or their advocates who may co-sign."""
    person, holder = _holder(session, package.person_id)
    recipients = [holder.id] if by_person else session.exec(select(AdvocateLink.advocate_user_id).where(
        AdvocateLink.person_id == person.id, AdvocateLink.status == LinkStatus.ACTIVE.value,
        AdvocateLink.can_cosign, col(AdvocateLink.advocate_user_id).is_not(None))).all()
    for recipient_id in recipients:
        notify(session, recipient_id=recipient_id, kind=PACKAGE_TO_COSIGN, link=_package_page(package),
               text=f"{person.name}’s care package “{package.title}” needs your co-signature.",
               person_id=person.id)


def lines_to_accept(session: Session, package: CarePackage, lines: list[PackageLine]) -> None:
    """Each line asked for, to the staff of its provider."""
    person = session.get(Person, package.person_id)
    for line in lines:
        _tell_staff(session, line.provider_id, kind="package.line_to_accept", link=PROVIDER_REQUESTS_PAGE,
                    text=f"{person.name} asks you to provide “{line.title}”. Accept or decline it.")


def package_to_review(session: Session, package: CarePackage) -> None:
    """The professionals with the person on their caseload."""
    person = session.get(Person, package.person_id)
    for professional_id in session.exec(select(CaseAssignment.professional_id).where(
            CaseAssignment.person_id == person.id)):
        notify(session, recipient_id=professional_id, kind="package.to_review",
               link=f"/caseload/packages/{package.id}", person_id=person.id,
               text=f"{person.name}’s care package “{package.title}” is ready for you to review.")


def package_decided(session: Session, package: CarePackage, kind: str) -> None:
    """Changes asked for, agreed or turned down: to the budget holder and advocates who can see it."""
    person, holder = _holder(session, package.person_id)
    for recipient_id in [holder.id, *advocates_who_can_view(session, person.id)]:
        notify(session, recipient_id=recipient_id, kind=kind, link=_package_page(package), person_id=person.id,
               text=PACKAGE_DECISIONS[kind].format(title=package.title))


# Support plans ----------------------------------------------------------------------------------

def plan_commented(session: Session, comment: PlanComment, *, by_professional: bool) -> None:
    """A professional's comment goes to the budget holder and advocates who can see the plan;
    anyone else's goes to the professionals with the person on their caseload."""
    person, holder = _holder(session, comment.person_id)
    if by_professional:
        for recipient_id in [holder.id, *advocates_who_can_view(session, person.id)]:
            notify(session, recipient_id=recipient_id, kind="plan.comment", link="/plan#comments",
                   person_id=person.id, text=f"There is a new comment on {person.name}’s support plan.")
        return
    for professional_id in session.exec(select(CaseAssignment.professional_id).where(
            CaseAssignment.person_id == person.id)):
        if professional_id != comment.author_id:
            notify(session, recipient_id=professional_id, kind="plan.comment", person_id=person.id,
                   link=f"/caseload/people/{person.id}/plan#comments",
                   text=f"There is a new comment on {person.name}’s support plan.")


# Invoices --------------------------------------------------------------------------------------

INVOICES_PAGE = "/invoices"
PROVIDER_INVOICES_PAGE = "/provider/invoices"
PROVIDER_PAYMENTS_PAGE = "/provider/payments"
INVOICE_TO_APPROVE = "invoice.to_approve"
INVOICE_AUTO_APPROVED = "invoice.auto_approved"
INVOICE_DISPUTED = "invoice.disputed"
INVOICE_APPROVED = "invoice.approved"
INVOICE_QUERIED = "invoice.queried"
PAYMENT_MADE = "payment.made"


def _people_who_approve_invoices(session: Session, person_id: int) -> list[int]:
    """The budget holder and their advocates who may approve invoices."""
    _person, holder = _holder(session, person_id)
    return [holder.id, *session.exec(select(AdvocateLink.advocate_user_id).where(
        AdvocateLink.person_id == person_id, AdvocateLink.status == LinkStatus.ACTIVE.value,
        AdvocateLink.can_approve_invoices, col(AdvocateLink.advocate_user_id).is_not(None))
        .order_by(AdvocateLink.advocate_user_id))]


def invoice_arrived(session: Session, invoice: Invoice, provider: Provider) -> None:
    amount = format_money(invoice.amount_pence)
    for user_id in _people_who_approve_invoices(session, invoice.person_id):
        notify(session, recipient_id=user_id, kind=INVOICE_TO_APPROVE, link=INVOICES_PAGE,
               person_id=invoice.person_id,
               text=f"{provider.name} sent an invoice for {amount}. Check it and approve it or dispute it.")


def invoice_auto_approved(session: Session, invoice: Invoice, provider: Provider) -> None:
    amount = format_money(invoice.amount_pence)
    for user_id in _people_who_approve_invoices(session, invoice.person_id):
        notify(session, recipient_id=user_id, kind=INVOICE_AUTO_APPROVED, link=INVOICES_PAGE,
               person_id=invoice.person_id,
               text=f"The invoice {invoice.reference} from {provider.name} for {amount} matched what "
                    "was agreed, so it was approved. You can still dispute it for 14 days.")


def invoice_disputed(session: Session, invoice: Invoice) -> None:
    _tell_staff(session, invoice.provider_id, kind=INVOICE_DISPUTED, link=PROVIDER_INVOICES_PAGE,
                text=f"Your invoice {invoice.reference} was disputed. Read why, then change it and send it again.")


def invoice_approved(session: Session, invoice: Invoice) -> None:
    _tell_staff(session, invoice.provider_id, kind=INVOICE_APPROVED, link=PROVIDER_INVOICES_PAGE,
                text=f"Your invoice {invoice.reference} for {format_money(invoice.amount_pence)} "
                     "was approved. The payment is on its way.")


def invoice_queried(session: Session, invoice: Invoice, provider: Provider) -> None:
    """Disputed after it was approved: the council takes it up with the provider."""
    person = session.get(Person, invoice.person_id)
    for user_id in commissioners(session):
        notify(session, recipient_id=user_id, kind=INVOICE_QUERIED, link=COUNCIL_PAYMENTS_PAGE,
               text=f"{person.name} disputes invoice {invoice.reference} from {provider.name}, "
                    "which was already approved. Please look into it.")
    _tell_staff(session, invoice.provider_id, kind=INVOICE_QUERIED, link=PROVIDER_INVOICES_PAGE,
                text=f"Your approved invoice {invoice.reference} was disputed. The council will be in touch.")


def payment_made(session: Session, payment: Payment) -> None:
    _tell_staff(session, payment.provider_id, kind=PAYMENT_MADE, link=PROVIDER_PAYMENTS_PAGE,
                text=f"You have been paid {format_money(payment.amount_pence)}: {payment.description}.")


def package_ended(session: Session, package: CarePackage, lines: list[PackageLine]) -> None:
    """An agreed package ended early: each of its providers' staff, and the budget holder and
    advocates who can see it (whoever ended it may have been the professional)."""
    person, holder = _holder(session, package.person_id)
    when = f"{package.ended_from.day} {package.ended_from:%B %Y}"
    for provider_id in sorted({line.provider_id for line in lines}):
        _tell_staff(session, provider_id, kind="package.ended", link=PROVIDER_REQUESTS_PAGE,
                    text=f"{person.name}’s care package “{package.title}” ends early. "
                         f"Please stop the support from {when}.")
    for recipient_id in [holder.id, *advocates_who_can_view(session, person.id)]:
        notify(session, recipient_id=recipient_id, kind="package.ended", link=_package_page(package),
               person_id=person.id, text=f"The care package “{package.title}” ends early, from {when}. "
                                         "The money it no longer needs is free to use again.")


def _clock_key(package: CarePackage, warning: str, user_id: int) -> str:
    """One warning per package, per time it reached review (a resubmission starts a new clock)."""
    started = package.review_requested_at or package.submitted_at
    return (f"package-clock:{package.id}:since:{started.isoformat()}:"
            f"{warning}:user:{user_id}")


def package_waiting_for_professional(session: Session, package: CarePackage, *, working_days: int) -> int:
    """The reminder to the professionals with the person on their caseload."""
    person = session.get(Person, package.person_id)
    sent = 0
    for professional_id in session.exec(select(CaseAssignment.professional_id).where(
            CaseAssignment.person_id == person.id)):
        if notify_once(session, once_key=_clock_key(package, "remind", professional_id),
                       recipient_id=professional_id, kind="package.waiting", person_id=person.id,
                       link=f"/caseload/packages/{package.id}",
                       text=f"{person.name}’s care package “{package.title}” has waited {working_days} "
                            "working days for your decision."):
            sent += 1
    return sent


def package_waiting_too_long(session: Session, package: CarePackage, *, working_days: int) -> int:
    """The council is told when a decision is late."""
    person = session.get(Person, package.person_id)
    sent = 0
    for user_id in commissioners(session):
        if notify_once(session, once_key=_clock_key(package, "late", user_id), recipient_id=user_id,
                       kind="package.late", link=PACKAGES_WAITING_PAGE,
                       text=f"{person.name}’s care package “{package.title}” has waited {working_days} "
                            "working days for a professional’s decision."):
            sent += 1
    return sent


def plan_review(session: Session, *, person_id: int, review_on, overdue: bool) -> int:
    """The support plan is due (or overdue) for its review: to the budget holder and the
    professionals with them on their caseload, once per review date."""
    person, holder = _holder(session, person_id)
    when = f"{review_on.day} {review_on:%B %Y}"
    warning = "overdue" if overdue else "due"
    to_holder = (f"Your support plan should have been looked at again by {when}. Talk to your professional."
                 if overdue else f"Your support plan is due to be looked at again by {when}.")
    to_professional = (f"{person.name}’s support plan review is overdue: it was due by {when}."
                       if overdue else f"{person.name}’s support plan is due for review by {when}.")
    recipients = [(holder.id, to_holder, "/plan")] + [
        (professional_id, to_professional, f"/caseload/people/{person.id}/plan")
        for professional_id in session.exec(select(CaseAssignment.professional_id).where(
            CaseAssignment.person_id == person.id))]
    sent = 0
    for user_id, text, link in recipients:
        if notify_once(session, once_key=f"plan-review:person:{person.id}:{review_on.isoformat()}:{warning}:user:{user_id}",
                       recipient_id=user_id, kind=f"plan.review_{warning}", text=text, link=link,
                       person_id=person.id):
            sent += 1
    return sent


def package_challenged(session: Session, package: CarePackage) -> None:
    """A decision is challenged: the other professionals with the person on their caseload and
    the council may decide it (never whoever made the decision being challenged)."""
    person = session.get(Person, package.person_id)
    text = f"{person.name} asks for the decision on “{package.title}” to be looked at again."
    for professional_id in session.exec(select(CaseAssignment.professional_id).where(
            CaseAssignment.person_id == person.id)):
        if professional_id != package.challenged_decision_by_id:
            notify(session, recipient_id=professional_id, kind="package.challenged", person_id=person.id,
                   link=f"/caseload/packages/{package.id}", text=text)
    for user_id in commissioners(session):
        notify(session, recipient_id=user_id, kind="package.challenged", link=f"{PACKAGES_WAITING_PAGE}/{package.id}",
               text=text)


# Own providers ----------------------------------------------------------------------------------

def own_provider_to_check(session: Session, request) -> None:
    """A budget holder asks to pay someone not listed (or changed how they know them): the council."""
    person = session.get(Person, request.person_id)
    for user_id in commissioners(session):
        notify(session, recipient_id=user_id, kind="own_provider.to_check", link=f"/admin/own-providers/{request.id}",
               text=f"{person.name} asks to pay {request.name}, who is not on the list. Check and decide.")


def own_provider_decided(session: Session, request) -> None:
    """The council agreed or refused: the budget holder and advocates who can see their packages."""
    person, holder = _holder(session, request.person_id)
    text = (f"The council has agreed that you can pay {request.name}. You can add them to a care package."
            if request.status == "agreed" else
            f"The council has said no to paying {request.name}. Read the reason.")
    for recipient_id in [holder.id, *advocates_who_can_view(session, person.id)]:
        notify(session, recipient_id=recipient_id, kind=f"own_provider.{request.status}", link="/own-providers",
               person_id=person.id, text=text)
