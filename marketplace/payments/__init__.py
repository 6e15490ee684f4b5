"""Payments: Stripe Connect for providers, contributions by Checkout, exactly-once webhooks,
reconciliation, and manual mode. The only package that talks to Stripe (see gateway.py).

The two helpers below read the app's settings; they import Flask when called, so the rule
modules of this package (which import the package first) stay free of Flask."""

from marketplace.payments import gateway


def stripe_client():
    """A Stripe client for this app's settings, or None in manual mode (no keys)."""
    from flask import current_app

    settings = gateway.settings_from(current_app.config)
    return gateway.make_client(settings) if settings else None


def stripe_enabled() -> bool:
    from flask import current_app

    return bool(current_app.config.get("STRIPE_SECRET_KEY"))
