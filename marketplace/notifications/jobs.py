"""The notification email, sent by a job after the event has committed.

Like GOV.UK Notify, the email says only that something is waiting and links to the service:
no names, amounts or health details, which may be read by someone else or kept by a mail
provider. A failed send is retried with backoff; it never touches the request that made it.
"""

from sqlmodel import select

from marketplace import jobs
from marketplace.mail import send_email
from marketplace.models import Notification, User
from marketplace.models.types import utcnow
from marketplace.notifications.service import wants_email

SUBJECT = "Something is waiting for you on Manage your care budget"
RETRIES = 5
FIRST_RETRY_SECONDS = 60  # then 2, 4, 8 and 16 minutes


def queue_notification_emails(notification_ids: list[int]) -> None:
    """Called after the commit that made these notifications."""
    if not jobs.setting("MAIL_SERVER"):
        return
    for notification_id in notification_ids:
        email_notification(notification_id)


def email_body(*, name: str, url: str) -> str:
    return (
        f"Hello {name},\n\n"
        "There is something new for you on Manage your care budget.\n\n"
        f"Sign in to see it:\n{url}\n\n"
        "To stop these emails, sign in and change your email settings on your account page.\n"
    )


@jobs.huey.task(retries=RETRIES, retry_delay=FIRST_RETRY_SECONDS, retry_backoff=2,
                name="notifications.email")
def email_notification(notification_id: int) -> bool:
    """Send one notification's email; safe to run twice (a sent one is marked and skipped).
    No database transaction is open while the mail server is talked to."""
    with jobs.job_session() as session:
        row = session.exec(select(Notification, User).join(User, User.id == Notification.recipient_id)
                           .where(Notification.id == notification_id)).first()
        if row is None or row[0].emailed_at is not None or not wants_email(session, row[1].id):
            return False
        recipient = row[1]
        to, name = recipient.email, recipient.name.split()[0] if recipient.name.strip() else "there"
        url = jobs.setting("SERVICE_URL").rstrip("/") + "/notifications"
        session.rollback()  # end the read before the network call
    send_email(jobs.app_config(), to=to, subject=SUBJECT, body=email_body(name=name, url=url))
    with jobs.job_session() as session:
        notification = session.get(Notification, notification_id)
        notification.emailed_at = utcnow()
        session.add(notification)
        session.commit()
    return True
