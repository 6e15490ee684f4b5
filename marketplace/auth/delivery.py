"""The emails about an account: after registering, and a password reset link. The pages around
them say the same thing whether or not the address has an account, so only the address's owner
learns which."""

import smtplib

from flask import current_app, url_for

from marketplace.mail import send_email

SUBJECT = "Your account for Manage your care budget"


def _body(*, already_had_account: bool, sign_in_url: str) -> str:
    if already_had_account:
        return ("Hello,\n\nSomeone tried to create an account for Manage your care budget with this "
                "email address, but it already has an account.\n\n"
                f"If it was you, sign in here:\n{sign_in_url}\n\n"
                "If it was not you, you do not need to do anything. Nobody has changed your account.\n")
    return ("Hello,\n\nYour account for Manage your care budget is ready.\n\n"
            f"Sign in here:\n{sign_in_url}\n\n"
            "If you did not create this account, tell the council.\n")


def send_registration_email(*, to: str, already_had_account: bool) -> None:
    """Called after the commit: no database transaction is open while it talks to the mail
    server. A failure is logged, never shown, so the page stays the same either way."""
    sign_in_url = url_for("auth.sign_in", _external=True)
    if not current_app.config.get("MAIL_SERVER"):
        if current_app.config["APP_ENV"] != "production":
            current_app.logger.info("Registration email for %s (already had an account: %s)",
                                    to, already_had_account)
        return
    try:
        send_email(current_app.config, to=to, subject=SUBJECT,
                   body=_body(already_had_account=already_had_account, sign_in_url=sign_in_url))
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send the registration email")


def send_password_reset_email(*, to: str, token: str) -> None:
    """The reset link goes only to the address's inbox: never on screen, since the page must
    not show whether the address has an account (outside production it is logged instead)."""
    url = url_for("auth.reset_password", token=token, _external=True)
    if not current_app.config.get("MAIL_SERVER"):
        if current_app.config["APP_ENV"] != "production":
            current_app.logger.info("Password reset link for %s: %s", to, url)
        return
    try:
        send_email(current_app.config, to=to, subject="Reset your password for Manage your care budget",
                   body=("Hello,\n\nSomeone asked to reset the password for your account on Manage your "
                         f"care budget.\n\nTo choose a new password, open this link:\n{url}\n\n"
                         "The link works once and stops working after 1 hour.\n\n"
                         "If you did not ask for this, you do not need to do anything. "
                         "Your password has not changed.\n"))
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send the password reset email")


SECURITY_NOTICES = {
    "password.changed": "The password for your account on Manage your care budget was changed.",
    "password.reset": "The password for your account on Manage your care budget was reset by an emailed link.",
    "two_step.removed": "Two-step sign-in was turned off for your account on Manage your care budget.",
}


def send_security_notice(*, to: str, event: str) -> None:
    """Tell the account's owner something changed about how they sign in, so someone else doing
    it does not go unnoticed. Called after the commit; a failure is logged, never shown."""
    if not current_app.config.get("MAIL_SERVER"):
        return
    body = (f"Hello,\n\n{SECURITY_NOTICES[event]}\n\nIf it was you, you do not need to do anything.\n\n"
            "If it was not you, reset your password now and tell the council:\n"
            f"{url_for('auth.forgot_password', _external=True)}\n")
    try:
        send_email(current_app.config, to=to, subject="Your account’s sign-in details changed", body=body)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send a security notice")
