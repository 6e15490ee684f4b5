"""Everything we ask Stripe, in plain values: the one place that builds a Stripe client.

The rest of the service never sees a Stripe object: these functions take and return ids,
pence and our own small records, and turn Stripe's errors into StripeProblem with a message.
Each call is made with no database transaction open (the callers make sure of it).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import stripe

from marketplace.models import PayoutStatus

# The Stripe API version this code was written and tested against (stripe 16.1.0's own).
API_VERSION = "2026-10-28.endive"
DEFAULT_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class StripeSettings:
    secret_key: str
    webhook_secret: str
    api_base: str = ""  # another address for the API (the test stand-in); empty = Stripe's
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS


def settings_from(config) -> StripeSettings | None:
    """The Stripe settings in the app's config, or None: no key means manual mode."""
    if not config.get("STRIPE_SECRET_KEY"):
        return None
    return StripeSettings(
        secret_key=config["STRIPE_SECRET_KEY"], webhook_secret=config.get("STRIPE_WEBHOOK_SECRET", ""),
        api_base=config.get("STRIPE_API_BASE", ""),
        timeout_seconds=float(config.get("STRIPE_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS),
    )


def make_client(settings: StripeSettings) -> stripe.StripeClient:
    # No retries inside the library: our jobs retry, always with the same idempotency key.
    base = {"api": settings.api_base, "connect": settings.api_base} if settings.api_base else None
    return stripe.StripeClient(
        settings.secret_key, stripe_version=API_VERSION, base_addresses=base, max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=settings.timeout_seconds),
    )


class StripeProblem(Exception):
    """Stripe refused the request or did not answer. str() is Stripe's message, or ours."""


def _problem(error: stripe.StripeError) -> StripeProblem:
    if isinstance(error, stripe.APIConnectionError):
        return StripeProblem("Stripe did not answer in time. It will be tried again with the same key.")
    return StripeProblem(error.user_message or str(error) or "Stripe refused the request.")


# --- transfers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    id: str
    amount_pence: int
    destination: str
    payment_key: str  # our idempotency key, kept in the transfer's metadata
    created_at: datetime


def create_transfer(client: stripe.StripeClient, *, amount_pence: int, destination: str,
                    idempotency_key: str, description: str) -> Transfer:
    try:
        transfer = client.v1.transfers.create(
            {"amount": amount_pence, "currency": "gbp", "destination": destination,
             "description": description[:350], "metadata": {"payment_key": idempotency_key}},
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _problem(error) from error
    return _transfer(transfer)


def _transfer(transfer) -> Transfer:
    metadata = transfer.metadata.to_dict() if transfer.metadata else {}
    return Transfer(id=transfer.id, amount_pence=transfer.amount, destination=transfer.destination,
                    payment_key=metadata.get("payment_key", ""),
                    created_at=datetime.fromtimestamp(transfer.created, UTC))


def transfers_between(client: stripe.StripeClient, start: datetime, end: datetime) -> Iterator[Transfer]:
    """Every transfer created from start to end (inclusive), page by page."""
    try:
        pages = client.v1.transfers.list({"created": {"gte": int(start.timestamp()),
                                                      "lte": int(end.timestamp())}, "limit": 100})
        for transfer in pages.auto_paging_iter():
            yield _transfer(transfer)
    except stripe.StripeError as error:
        raise _problem(error) from error


# --- connected accounts (Accounts v2) ----------------------------------------------------------


def create_recipient_account(client: stripe.StripeClient, *, provider_id: int, name: str,
                             email: str) -> str:
    """A connected account the platform transfers money to: recipient configuration, Express
    dashboard, fees and losses collected by the platform, in the UK. Returns its id."""
    try:
        account = client.v2.core.accounts.create(
            {
                "display_name": name[:100],
                **({"contact_email": email} if email else {}),
                "dashboard": "express",
                "identity": {"country": "gb"},
                "defaults": {"currency": "gbp", "responsibilities": {
                    "fees_collector": "application", "losses_collector": "application"}},
                "configuration": {"recipient": {"capabilities": {
                    "stripe_balance": {"stripe_transfers": {"requested": True}}}}},
                "include": ["configuration.recipient", "requirements"],
                "metadata": {"provider_id": str(provider_id)},
            },
            {"idempotency_key": f"provider-account-{provider_id}"},
        )
    except stripe.StripeError as error:
        raise _problem(error) from error
    return account.id


def onboarding_link(client: stripe.StripeClient, *, account_id: str, refresh_url: str,
                    return_url: str) -> str:
    try:
        link = client.v2.core.account_links.create({
            "account": account_id,
            "use_case": {"type": "account_onboarding", "account_onboarding": {
                "configurations": ["recipient"], "refresh_url": refresh_url, "return_url": return_url}},
        })
    except stripe.StripeError as error:
        raise _problem(error) from error
    return link.url


def payout_status(client: stripe.StripeClient, account_id: str) -> PayoutStatus:
    """Read the account afresh: ready when the transfers capability is active."""
    try:
        account = client.v2.core.accounts.retrieve(
            account_id, {"include": ["configuration.recipient", "requirements"]})
    except stripe.StripeError as error:
        raise _problem(error) from error
    return status_of_account(account.to_dict())


def status_of_account(account: dict) -> PayoutStatus:
    recipient = (account.get("configuration") or {}).get("recipient") or {}
    capability = ((recipient.get("capabilities") or {}).get("stripe_balance") or {}).get("stripe_transfers") or {}
    if capability.get("status") == "active":
        return PayoutStatus.READY
    entries = (account.get("requirements") or {}).get("entries") or []
    if any(entry.get("awaiting_action_from") == "user" for entry in entries):
        return PayoutStatus.DETAILS_NEEDED
    return PayoutStatus.IN_REVIEW


# --- Checkout ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    paid: bool
    amount_pence: int
    currency: str
    budget_id: int | None


def create_checkout(client: stripe.StripeClient, *, budget_id: int, amount_pence: int,
                    success_url: str, cancel_url: str, idempotency_key: str) -> CheckoutSession:
    """A hosted Checkout page for a contribution: no card details ever reach this service."""
    try:
        checkout = client.v1.checkout.sessions.create(
            {
                "mode": "payment",
                "line_items": [{"quantity": 1, "price_data": {
                    "currency": "gbp", "unit_amount": amount_pence,
                    "product_data": {"name": "Contribution to your personal budget"}}}],
                "metadata": {"budget_id": str(budget_id)},
                "client_reference_id": f"budget-{budget_id}",
                "success_url": success_url, "cancel_url": cancel_url,
            },
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _problem(error) from error
    return _checkout(checkout)


def read_checkout(client: stripe.StripeClient, session_id: str) -> CheckoutSession:
    try:
        return _checkout(client.v1.checkout.sessions.retrieve(session_id))
    except stripe.StripeError as error:
        raise _problem(error) from error


def _checkout(checkout) -> CheckoutSession:
    budget_id = (checkout.metadata.to_dict() if checkout.metadata else {}).get("budget_id", "")
    return CheckoutSession(
        id=checkout.id, url=checkout.url or "", paid=checkout.payment_status == "paid",
        amount_pence=checkout.amount_total or 0, currency=checkout.currency or "",
        budget_id=int(budget_id) if budget_id.isdigit() else None)


# --- webhooks ----------------------------------------------------------------------------------


class BadSignature(Exception):
    """The webhook was not signed with our secret, was changed, or is too old."""


@dataclass(frozen=True)
class IncomingEvent:
    id: str
    type: str
    object_id: str  # the Checkout session or account the event is about


def read_webhook(client: stripe.StripeClient, payload: bytes, signature: str | None,
                 secret: str) -> IncomingEvent:
    """Verify the signature (and that it is under 5 minutes old) and read the event.

    v1 snapshot events ("object": "event") and v2 thin events ("object": "v2.core.event")
    arrive at the same address; both are checked against the same secret.
    """
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature, secret,
                                              stripe.Webhook.DEFAULT_TOLERANCE)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
        raise BadSignature(str(error)) from error
    try:
        if b'"v2.core.event"' in payload:
            notification = client.parse_event_notification(payload, signature, secret)
            related = getattr(notification, "related_object", None)
            return IncomingEvent(notification.id, notification.type, related.id if related else "")
        event = client.construct_event(payload, signature, secret)
    except (ValueError, KeyError, stripe.SignatureVerificationError) as error:
        raise BadSignature(f"Not a Stripe event: {error}") from error
    data_object = event.to_dict().get("data", {}).get("object") or {}
    return IncomingEvent(event.id, event.type, data_object.get("id", ""))
