"""Getting an invitation link to the invitee: by email when a mail server is set up, and on
screen and in the log while developing (there is no mail server on a laptop). In production
with no email sent, the page shows the link so the inviter can pass it on."""

import smtplib
from dataclasses import dataclass

from flask import current_app, url_for

from marketplace.advocacy.service import NewInvitation
from marketplace.mail import send_email


@dataclass(frozen=True)
class Delivery:
    emailed: bool
    email_failed: bool
    link_to_show: str | None  # always outside production; in production only if not emailed


def deliver_invitation(invitation: NewInvitation, *, person_name: str, inviter_name: str) -> Delivery:
    link = invitation.link
    url = url_for("advocacy.invitation", token=invitation.token, _external=True)
    in_production = current_app.config["APP_ENV"] == "production"
    if not in_production:
        current_app.logger.info("Invitation for %s to support %s: %s", link.invited_email, person_name, url)
    emailed = email_failed = False
    if current_app.config.get("MAIL_SERVER"):
        try:
            send_email(current_app.config, to=link.invited_email,
                       subject=f"{inviter_name} has invited you to help {person_name}",
                       body=_email_body(name=link.invited_name, person_name=person_name,
                                        inviter_name=inviter_name, url=url))
            emailed = True
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("Could not email the invitation for advocate link %s", link.id)
            email_failed = True
    return Delivery(emailed=emailed, email_failed=email_failed,
                    link_to_show=None if in_production and emailed else url)


def _email_body(*, name: str, person_name: str, inviter_name: str, url: str) -> str:
    return (
        f"Hello {name},\n\n"
        f"{inviter_name} has invited you to help {person_name} manage their personal budget "
        f"on Manage your care budget.\n\n"
        f"To accept or decline, open this link:\n{url}\n\n"
        f"The link works once and stops working after 14 days.\n"
        f"If you were not expecting this, you can ignore this email.\n"
    )
