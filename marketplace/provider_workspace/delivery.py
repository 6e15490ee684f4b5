"""Getting a staff invitation link to the invitee: by email when a mail server is set up, and
on screen and in the log while developing."""

import smtplib

from flask import current_app, url_for

from marketplace.advocacy.delivery import Delivery
from marketplace.mail import send_email
from marketplace.providers.staff import NewStaffInvitation


def deliver_staff_invitation(new: NewStaffInvitation, *, provider_name: str, inviter_name: str) -> Delivery:
    invitation = new.invitation
    url = url_for("provider_workspace.staff_invitation", token=new.token, _external=True)
    in_production = current_app.config["APP_ENV"] == "production"
    if not in_production:
        current_app.logger.info("Staff invitation for %s to join %s: %s", invitation.invited_email, provider_name, url)
    emailed = email_failed = False
    if current_app.config.get("MAIL_SERVER"):
        try:
            send_email(current_app.config, to=invitation.invited_email,
                       subject=f"{inviter_name} has invited you to join {provider_name}",
                       body=(f"Hello {invitation.invited_name},\n\n"
                             f"{inviter_name} has invited you to use {provider_name}’s account on "
                             f"Manage your care budget.\n\nTo accept, open this link:\n{url}\n\n"
                             f"The link works once and stops working after 14 days.\n"
                             f"If you were not expecting this, you can ignore this email.\n"))
            emailed = True
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("Could not email staff invitation %s", invitation.id)
            email_failed = True
    return Delivery(emailed=emailed, email_failed=email_failed, link_to_show=None if in_production else url)
