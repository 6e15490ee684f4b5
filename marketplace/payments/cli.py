"""`flask payments …`: pay, retry, reconcile, and serve the fake Stripe for trying things out."""

import sys
from datetime import UTC, datetime, time, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from marketplace.db import engine
from marketplace.errors import ServiceError
from marketplace.payments import gateway, stripe_client, stripe_enabled
from marketplace.payments.jobs import reconcile_period, retry_due_payments, send_payment

payments_cli = AppGroup("payments", help="Payments to providers and Stripe.")


def _client_or_exit():
    client = stripe_client()
    if client is None:
        raise click.ClickException("Stripe is not set up (no STRIPE_SECRET_KEY): payments are made by hand.")
    return client


@payments_cli.command("pay")
@click.option("--budget", "budget_id", type=int, required=True)
@click.option("--provider", "provider_id", type=int, required=True)
@click.option("--amount", "amount_pence", type=click.IntRange(min=1), required=True, help="In pence.")
@click.option("--key", "idempotency_key", required=True, help="What is paid, e.g. payment-invoice-12.")
@click.option("--description", default="Payment for support", show_default=True)
def pay(budget_id: int, provider_id: int, amount_pence: int, idempotency_key: str, description: str) -> None:
    """Pay money owed to a provider from a budget (once per key, however often it is run)."""
    from marketplace.payments.service import request_payment

    with Session(engine(), expire_on_commit=False) as session:
        try:
            payment = request_payment(session, budget_id=budget_id, provider_id=provider_id,
                                      amount_pence=amount_pence, idempotency_key=idempotency_key,
                                      description=description, requested_by=None,
                                      stripe_enabled=stripe_enabled())
        except ServiceError as error:
            raise click.ClickException(error.message) from None
        session.commit()
    if payment.method == "stripe" and payment.status in ("pending", "failed"):
        outcome = send_payment(engine(), _client_or_exit(), payment.id)
        click.echo(f"Payment {payment.id}: {outcome.status}. {outcome.message}".strip())
    else:
        click.echo(f"Payment {payment.id} is recorded ({payment.method}, {payment.status}).")


@payments_cli.command("retry")
def retry() -> None:
    """Send again every Stripe payment that failed or was interrupted. Never pays twice."""
    outcomes = retry_due_payments(engine(), _client_or_exit())
    for outcome in outcomes:
        click.echo(f"Payment {outcome.payment_id}: {outcome.status}. {outcome.message}".strip())
    click.echo(f"Tried {len(outcomes)} payment{'' if len(outcomes) == 1 else 's'}.")


@payments_cli.command("reconcile")
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First day (YYYY-MM-DD); 7 days ago if left out.")
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day (YYYY-MM-DD); today if left out.")
def reconcile_command(start, end) -> None:
    """Compare Stripe's transfers with our payments; exits 1 when they differ."""
    client = _client_or_exit()
    today = datetime.now(UTC).date()
    first = datetime.combine(start.date() if start else today - timedelta(days=7), time.min, UTC)
    last = datetime.combine(end.date() if end else today, time.max, UTC)
    try:
        differences = reconcile_period(engine(), client, first, last)
    except gateway.StripeProblem as problem:
        raise click.ClickException(f"Could not read transfers from Stripe: {problem}") from None
    period = f"{first:%d %B %Y} to {last:%d %B %Y}"
    if not differences:
        click.echo(f"Stripe and our payments agree from {period}: zero differences.")
        return
    click.echo(f"{len(differences)} difference{'' if len(differences) == 1 else 's'} from {period}:")
    for difference in differences:
        click.echo(f"- {difference.kind}: {difference.explanation}")
    sys.exit(1)


@payments_cli.command("fake-stripe")
@click.option("--port", type=int, default=12111, show_default=True)
@click.option("--webhook-url", default="http://127.0.0.1:5000/stripe/webhook", show_default=True,
              help="Where the fake sends its signed events (the app's webhook).")
def fake_stripe(port: int, webhook_url: str) -> None:
    """Serve a stand-in Stripe API on 127.0.0.1 for trying payments without the network.

    Run the app with STRIPE_SECRET_KEY=sk_test_anything, STRIPE_WEBHOOK_SECRET=whsec_anything
    and STRIPE_API_BASE=http://127.0.0.1:PORT; the fake signs its events with the same secret.
    """
    from marketplace.payments.fake_stripe import FakeStripe

    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    if not secret:
        raise click.ClickException("Set STRIPE_WEBHOOK_SECRET (any value) so the fake can sign its events.")
    fake = FakeStripe(port=port, webhook_url=webhook_url, webhook_secret=secret)
    click.echo(f"Fake Stripe on {fake.url}; events go to {webhook_url}. Press Ctrl+C to stop.")
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.server.server_close()
