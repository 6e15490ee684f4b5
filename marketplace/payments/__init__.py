"""Payments: Stripe Connect for providers, contributions by Checkout, exactly-once webhooks,
reconciliation, and manual mode. The only package that talks to Stripe (see gateway.py)."""

from flask import current_app

from marketplace.payments import gateway


def stripe_client():
    """A Stripe client for this app's settings, or None in manual mode (no keys)."""
    settings = gateway.settings_from(current_app.config)
    return gateway.make_client(settings) if settings else None


def stripe_enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))
