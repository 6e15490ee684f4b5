"""Sending one email through the configured server: plain, STARTTLS or TLS, with or without
a login. Callers decide what to say; nothing here touches the database."""

import smtplib
import ssl
from email.message import EmailMessage

SMTP_TIMEOUT_SECONDS = 10
SECURITY_CHOICES = ("", "starttls", "tls")


class MailNotConfigured(RuntimeError):
    """There is no MAIL_SERVER to send through."""


def send_email(config, *, to: str, subject: str, body: str) -> None:
    """Raises OSError or smtplib.SMTPException when the server cannot take the message."""
    if not config.get("MAIL_SERVER"):
        raise MailNotConfigured("MAIL_SERVER is not set")
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    security = config.get("MAIL_SECURITY", "")
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if security == "tls":
        smtp = smtplib.SMTP_SSL(server, port, timeout=SMTP_TIMEOUT_SECONDS,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(server, port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
