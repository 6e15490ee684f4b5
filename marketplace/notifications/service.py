"""Notifications: written with the event they describe, read on /notifications.

notify() only adds and flushes in the caller's transaction, so a rolled-back event leaves no
notification. If mail is set up, each notification committed is then emailed by a job.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import event, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace.models import Notification, NotificationSetting, User
from marketplace.models.types import utcnow

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
MAXIMUM_TEXT_LENGTH = 300

# Kinds that ask the reader to do something (the rest only tell). An advocate's "Waiting for
# you" lists their unread notifications of these kinds, per person they support.
ACTION_KINDS: set[str] = {"budget.underspend", "package.to_cosign"}

_TO_EMAIL = "notifications_to_email"


def notify(session: Session, *, recipient_id: int, kind: str, text: str, link: str,
           person_id: int | None = None) -> Notification:
    """Tell one user about an event, in the event's own transaction (flushes, never commits)."""
    notification = _new(recipient_id=recipient_id, kind=kind, text=text, link=link,
                        person_id=person_id)
    session.add(notification)
    session.flush()
    _email_after_commit(session, notification.id)
    return notification


def notify_once(session: Session, *, once_key: str, recipient_id: int, kind: str, text: str,
                link: str, person_id: int | None = None) -> Notification | None:
    """Like notify(), but at most one notification per key, ever: for sweeps that may run twice
    or on two workers at once. Returns None when it was already sent."""
    if session.exec(select(Notification.id).where(Notification.once_key == once_key)).first():
        return None
    notification = _new(recipient_id=recipient_id, kind=kind, text=text, link=link,
                        person_id=person_id)
    notification.once_key = once_key
    try:
        # Another worker may have just written the same key: the unique index refuses the second,
        # and only this savepoint is undone.
        with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        return None
    _email_after_commit(session, notification.id)
    return notification


def _new(*, recipient_id: int, kind: str, text: str, link: str, person_id: int | None) -> Notification:
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError(f"A notification links to a page on this site, not {link!r}")
    return Notification(recipient_id=recipient_id, kind=kind, link=link, person_id=person_id,
                        text=text if len(text) <= MAXIMUM_TEXT_LENGTH else text[:MAXIMUM_TEXT_LENGTH - 1] + "…")


def _email_after_commit(session: Session, notification_id: int) -> None:
    """Queue the email only once the transaction has committed: a job must never see (or send
    about) a notification that may still be rolled back."""
    pending = session.info.setdefault(_TO_EMAIL, [])
    pending.append(notification_id)
    if not event.contains(session, "after_commit", _queue_emails):
        event.listen(session, "after_commit", _queue_emails)
        event.listen(session, "after_rollback", _forget_emails)


def _queue_emails(session: Session) -> None:
    from marketplace.notifications.jobs import queue_notification_emails

    ids = session.info.pop(_TO_EMAIL, [])
    if not ids:
        return
    try:
        queue_notification_emails(ids)
    except Exception:  # the queue is down: the event stands and shows on /notifications
        logger.exception("Could not queue emails for notifications %s", ids)


def _forget_emails(session: Session) -> None:
    session.info.pop(_TO_EMAIL, None)


# Reading and marking read ----------------------------------------------------------------------

def unread_count_of(user_id_column):
    """The unread count as a column, so it can be read with the user in one statement."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.recipient_id == user_id_column, col(Notification.read_at).is_(None))
            .scalar_subquery())


def unread_count(session: Session, *, user_id: int) -> int:
    return session.exec(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, col(Notification.read_at).is_(None))).one()


@dataclass(frozen=True)
class NotificationPage:
    days: list[tuple[date, list[Notification]]]  # newest day first, newest first within a day
    page: int
    pages: int
    total: int
    unread: int


def page_of(session: Session, *, user_id: int, page: int, day_of) -> NotificationPage:
    """One page of a user's notifications, grouped by day (day_of turns a datetime into the
    user's calendar day)."""
    mine = Notification.recipient_id == user_id
    total = session.exec(select(func.count()).select_from(Notification).where(mine)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.exec(select(Notification).where(mine)
                        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
                        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    days: list[tuple[date, list[Notification]]] = []
    for notification in rows:
        day = day_of(notification.created_at)
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(notification)
    return NotificationPage(days=days, page=page, pages=pages, total=total,
                            unread=unread_count(session, user_id=user_id))


def notification_of(session: Session, *, user_id: int, notification_id: int) -> Notification | None:
    """One of this user's notifications; anyone else's id gives None (404)."""
    return session.exec(select(Notification).where(
        Notification.id == notification_id, Notification.recipient_id == user_id)).first()


def mark_read(session: Session, *, notification: Notification, now: datetime | None = None) -> None:
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        session.add(notification)
        session.flush()


def mark_all_read(session: Session, *, user_id: int) -> int:
    result = session.execute(update(Notification).where(
        Notification.recipient_id == user_id, col(Notification.read_at).is_(None)
    ).values(read_at=utcnow()))
    return result.rowcount


def wants_email(session: Session, user_id: int) -> bool:
    setting = session.get(NotificationSetting, user_id)
    return setting is None or setting.email


def set_email_choice(session: Session, *, user_id: int, email: bool) -> None:
    setting = session.get(NotificationSetting, user_id) or NotificationSetting(user_id=user_id)
    setting.email = email
    setting.updated_at = utcnow()
    session.add(setting)
    session.flush()


def waiting_for_advocate(session: Session, *, advocate: User) -> dict[int, list[Notification]]:
    """An advocate's unread notifications that need action, per person they concern."""
    rows = session.exec(select(Notification).where(
        Notification.recipient_id == advocate.id, col(Notification.read_at).is_(None),
        col(Notification.kind).in_(ACTION_KINDS), col(Notification.person_id).is_not(None),
    ).order_by(col(Notification.created_at).desc(), col(Notification.id).desc())).all()
    waiting: dict[int, list[Notification]] = {}
    for notification in rows:
        waiting.setdefault(notification.person_id, []).append(notification)
    return waiting
