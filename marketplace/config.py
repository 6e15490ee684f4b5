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


def _whole_number_setting(overrides: dict, name: str, *, default: int) -> int:
    value = overrides.get(name, os.environ.get(name))
    if value is None or value == "":
        return default
    if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit()):
        return int(value)
    raise ConfigurationError(f"{name} must be a whole number, not {value!r}")


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

    trusted_proxy_hops = _whole_number_setting(
        overrides, "TRUSTED_PROXY_HOPS", default=1 if env == "production" else 0)
    rate_limit_storage = overrides.get("RATELIMIT_STORAGE_URI") or os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    workers = str(overrides.get("WEB_CONCURRENCY") or os.environ.get("WEB_CONCURRENCY", ""))
    if env == "production" and rate_limit_storage.startswith("memory://") and workers != "1":
        # Each worker would count on its own, so five workers allow five times the limit and a
        # restart forgets every count.
        raise ConfigurationError(
            "Set RATELIMIT_STORAGE_URI to a shared store such as redis://127.0.0.1:6379 before running "
            "in production (or WEB_CONCURRENCY=1 for a single worker).")
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
        "STRIPE_TIMEOUT_SECONDS": float(os.environ.get("STRIPE_TIMEOUT_SECONDS") or 20),
        "RATELIMIT_STORAGE_URI": rate_limit_storage,
        # How many reverse proxies in front of the app add to X-Forwarded-For. The client address
        # is the one the furthest trusted proxy saw; anything a client writes there is ignored.
        "TRUSTED_PROXY_HOPS": trusted_proxy_hops,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per client address, on top of the slowing down per email address (auth.throttle).
        "SIGN_IN_RATE_LIMIT": "30 per minute",
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-reply@example.org"),
        # __Host-: the browser sends it only over HTTPS, to this host, for the whole site, so a
        # neighbouring subdomain cannot set or overwrite it.
        "SESSION_COOKIE_NAME": "__Host-session" if env == "production" else "session",
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
