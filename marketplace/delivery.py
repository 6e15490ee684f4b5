"""Getting a single-use invitation link to the person invited: by email when a mail server is
set up, and on screen and in the log while developing (there is no mail server on a laptop).
In production the link is shown only when no email went, so the inviter can pass it on."""

import smtplib
from dataclasses import dataclass

from flask import current_app

from marketplace.mail import send_email


@dataclass(frozen=True)
class Delivery:
    emailed: bool
    email_failed: bool
    link_to_show: str | None  # always outside production; in production only if not emailed


def deliver_invitation_link(*, to: str, url: str, subject: str, body: str, what: str) -> Delivery:
    """Called after the commit, so no database transaction is open while the mail server
    answers. `what` names the invitation in the log, never the link in production."""
    in_production = current_app.config["APP_ENV"] == "production"
    if not in_production:
        current_app.logger.info("%s for %s: %s", what, to, url)
    emailed = email_failed = False
    if current_app.config.get("MAIL_SERVER"):
        try:
            send_email(current_app.config, to=to, subject=subject, body=body)
            emailed = True
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("Could not email the %s", what.lower())
            email_failed = True
    return Delivery(emailed=emailed, email_failed=email_failed,
                    link_to_show=None if in_production and emailed else url)


def invitation_email(*, name: str, invitation: str, action: str, url: str) -> str:
    return (f"Hello {name},\n\n{invitation}\n\n{action}, open this link:\n{url}\n\n"
            "The link works once and stops working after 14 days.\n"
            "If you were not expecting this, you can ignore this email.\n")
