"""Sending one email. Everything the service emails goes through send_email(), so delivery can
move onto the job queue in one place."""

import smtplib
from email.message import EmailMessage

from flask import current_app

SMTP_TIMEOUT_SECONDS = 10


def send_email(*, to: str, subject: str, body: str) -> None:
    """Raises OSError or smtplib.SMTPException when the mail server cannot take it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)
