"""Settings from environment variables, with safe defaults for a laptop."""

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

ENVIRONMENTS = ("development", "test", "production")


class ConfigurationError(RuntimeError):
    """The app was asked to start with settings that are unsafe or incomplete."""


def _development_secret_key() -> str:
    """A random key made once and kept in instance/, so sign-ins survive restarts."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _default_database_url() -> str:
    INSTANCE_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'care-budget.sqlite3'}"


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config from the environment, then apply explicit overrides."""
    overrides = overrides or {}
    env = overrides.get("APP_ENV") or os.environ.get("APP_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigurationError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")

    secret_key = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret_key:
        if env == "production":
            raise ConfigurationError("Set SECRET_KEY to a long random value before running in production.")
        secret_key = _development_secret_key() if env == "development" else secrets.token_hex(32)
    if env == "production" and len(secret_key) < 32:
        raise ConfigurationError("SECRET_KEY is too short for production: use at least 32 characters.")

    mail_security = os.environ.get("MAIL_SECURITY", "").lower()
    if mail_security not in ("", "starttls", "tls"):
        raise ConfigurationError("MAIL_SECURITY must be starttls, tls or left empty")

    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or _default_database_url(),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-reply@example.org"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_SECURITY": mail_security,
        # Where emails link to (the address people use, behind any proxy).
        "SERVICE_URL": os.environ.get("SERVICE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"),
        "JOBS_URL": os.environ.get("JOBS_URL", ""),
        "JOBS_IMMEDIATE": env == "test",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        # People may take a long time over a form; the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "PREFERRED_URL_SCHEME": "https" if env == "production" else "http",
        "TESTING": env == "test",
    }
    config.update(overrides)
    config["APP_ENV"] = env
    return config
