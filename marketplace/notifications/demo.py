"""Demo notifications: the demo's own events, told through the same event functions the
services use, so every demo account has a few (the older ones read, the newest unread)."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from marketplace.budgets.underspend import warn_about_underspend
from marketplace.dates import today_in_uk
from marketplace.demo_data import DemoData
from marketplace.models import (
    AdvocateLink,
    Budget,
    LinkStatus,
    Notification,
    Provider,
    Review,
    VettingCheck,
)
from marketplace.models.types import utcnow
from marketplace.notifications import events
from marketplace.providers.council import warn_about_expiring_checks

KEEP_UNREAD = 2  # per account, the newest


def load_notification_demo(demo: DemoData) -> None:
    session, users, people = demo.session, demo.users, demo.people
    demo_user_ids = [user.id for user in users.values()]
    if session.exec(select(Notification.id).where(Notification.recipient_id.in_(demo_user_ids))).first():
        return  # made on an earlier run
    before = set(session.exec(select(Notification.id)).all())

    for budget in session.exec(select(Budget).where(Budget.person_id.in_([p.id for p in people.values()]))
                               .order_by(Budget.id)):
        _made_at(session, lambda budget=budget: events.budget_allocated(session, budget),
                 datetime.combine(budget.period_start, datetime.min.time(), UTC) + timedelta(hours=9))
    brightpath = session.exec(select(Provider).where(Provider.name == "Brightpath Home Care")).one()
    for check in session.exec(select(VettingCheck).where(VettingCheck.provider_id == brightpath.id,
                                                         VettingCheck.status == "verified")):
        _made_at(session, lambda check=check: events.check_decided(session, check), check.decided_at)
    for link in session.exec(select(AdvocateLink).where(
            AdvocateLink.person_id == people["sam@example.org"].id,
            AdvocateLink.status == LinkStatus.ACTIVE.value)):
        _made_at(session, lambda link=link: events.invitation_answered(session, link, accepted=True),
                 link.responded_at)
        _made_at(session, lambda link=link: events.permissions_changed(session, link), utcnow())
    for review in session.exec(select(Review).where(Review.provider_id == brightpath.id)):
        _made_at(session, lambda review=review: events.review_written(session, review), review.created_at)
    warn_about_expiring_checks(session, today_in_uk())
    warn_about_underspend(session, today_in_uk())

    made = session.exec(select(Notification).where(Notification.id.not_in(before))
                        .order_by(Notification.recipient_id, Notification.created_at.desc())).all()
    seen: dict[int, int] = {}
    for notification in made:
        seen[notification.recipient_id] = seen.get(notification.recipient_id, 0) + 1
        if seen[notification.recipient_id] > KEEP_UNREAD:
            notification.read_at = notification.created_at + timedelta(hours=2)
            session.add(notification)
    demo.created += len(made)
    session.flush()


def _made_at(session, tell, when: datetime | None) -> None:
    """Tell, then date the new notifications when the demo's event happened."""
    before = set(session.exec(select(Notification.id)).all())
    tell()
    for notification in session.exec(select(Notification).where(Notification.id.not_in(before))):
        notification.created_at = min(when or utcnow(), utcnow())
        session.add(notification)
    session.flush()
