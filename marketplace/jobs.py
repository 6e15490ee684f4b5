"""The background job queue (Huey): work that runs after the request, on a retry, or on a schedule.

Storage: a SQLite file of its own in instance/ by default (never the app's database, whose
BEGIN IMMEDIATE transactions would block it); JOBS_URL=redis://… shares one queue between any
number of worker machines. Tests run tasks inline (immediate mode).

A task is a thin wrapper: it opens a session with `job_session()`, calls a plain service
function, and commits. Every task must be safe to run twice: a retry after a crash, or the
same sweep on two workers, has one effect (idempotency keys, or a state check under a lock).
"""

import logging
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
from flask import Flask
from flask.cli import AppGroup
from huey import Huey, crontab
from huey.signals import SIGNAL_ERROR
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlmodel import Session

from marketplace.config import INSTANCE_DIR, ConfigurationError

QUEUE_NAME = "care-budget"
# A task's id carries when it was first queued ("<uuid>@<unix time>"), so /healthz can tell the
# age of the oldest waiting job without a clock in every task's arguments.
QUEUED_AT_SEPARATOR = "@"


class StampedHuey(Huey):
    """Huey that stamps each task's id with the time it was first queued."""

    def enqueue(self, task):
        if hasattr(task, "id") and QUEUED_AT_SEPARATOR not in task.id:
            task.id = f"{task.id or uuid.uuid4()}{QUEUED_AT_SEPARATOR}{time.time():.3f}"
        return super().enqueue(task)


# Made in immediate mode with memory storage so importing this module touches no file or
# server; init_app() points it at the configured storage.
huey = StampedHuey(QUEUE_NAME, immediate=True, storage_class=MemoryStorage)

_app: Flask | None = None


def storage_for(jobs_url: str):
    """The queue's storage for JOBS_URL: empty = a SQLite file in instance/."""
    if not jobs_url:
        INSTANCE_DIR.mkdir(exist_ok=True)
        return SqliteStorage(QUEUE_NAME, filename=str(INSTANCE_DIR / "jobs.sqlite3"))
    if jobs_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(QUEUE_NAME, url=jobs_url)
    if jobs_url.startswith("sqlite:///"):
        return SqliteStorage(QUEUE_NAME, filename=jobs_url.removeprefix("sqlite:///"))
    raise ConfigurationError("JOBS_URL must start redis://, rediss:// or sqlite:///")


def init_app(app: Flask) -> None:
    global _app
    _app = app
    huey.immediate = app.config["JOBS_IMMEDIATE"]
    # Immediate mode starts each app with an empty in-memory queue (each test its own).
    huey.storage = huey.create_storage() if huey.immediate else storage_for(app.config["JOBS_URL"])


def app_config():
    if _app is None:
        raise RuntimeError("The job queue is not set up: create the app first.")
    return _app.config


def setting(name: str, default=None):
    """A setting of the app the queue belongs to (None before the app exists)."""
    return _app.config.get(name, default) if _app is not None else default


def app_context():
    """The app's context for a task that talks to the network before it opens a session."""
    if _app is None:
        raise RuntimeError("The job queue is not set up: create the app first.")
    return _app.app_context()


@contextmanager
def job_session() -> Iterator[Session]:
    """A database session for a task, in the app's context. The task commits."""
    from marketplace.db import engine

    with app_context(), Session(engine(), expire_on_commit=False) as session:
        yield session


@huey.signal(SIGNAL_ERROR)
def _record_final_failure(signal, task, exc=None) -> None:
    """After the last retry, keep the failure and its error in the database."""
    if task.retries:  # it will be retried
        return
    from marketplace.models import JobFailure

    error = "".join(traceback.format_exception(exc)) if exc is not None else "unknown error"
    with job_session() as session:
        session.add(JobFailure(task_id=task.id, task_name=task.name,
                               arguments=repr((task.args, task.kwargs))[:2000], error=error))
        session.commit()


@dataclass(frozen=True)
class QueueState:
    waiting: int
    oldest_waiting_seconds: float | None
    scheduled: int  # waiting for their time (retries with backoff, delayed jobs)


def queue_state(*, sample: int = 100) -> QueueState:
    """How many jobs wait and how long the oldest has waited (the queue is first in, first out,
    so the oldest is among the first few)."""
    waiting = huey.pending_count()
    oldest = None
    stamps = [_queued_at(task.id) for task in huey.pending(limit=sample)]
    stamps = [stamp for stamp in stamps if stamp is not None]
    if stamps:
        oldest = round(max(0.0, time.time() - min(stamps)), 1)
    return QueueState(waiting=waiting, oldest_waiting_seconds=oldest, scheduled=huey.scheduled_count())


def _queued_at(task_id: str) -> float | None:
    _, _, stamp = task_id.rpartition(QUEUED_AT_SEPARATOR)
    try:
        return float(stamp)
    except ValueError:
        return None


# Periodic sweeps ------------------------------------------------------------------------------
# Each asks the database what is due instead of keeping long timers, so a worker that was down
# catches up at its next run, and each is idempotent, so running it again (by hand, or on a
# second worker) changes nothing.

def _sweeps() -> dict:
    from marketplace.advocacy.service import expire_invitations
    from marketplace.budgets.service import post_due_instalments
    from marketplace.budgets.underspend import warn_about_underspend
    from marketplace.insight.council_figures import refresh_council_figures
    from marketplace.invoices.automatic import auto_approve_due
    from marketplace.models.types import utcnow
    from marketplace.packages.clock import warn_about_slow_reviews
    from marketplace.payments import stripe_enabled
    from marketplace.plans.reviews import warn_about_plan_reviews
    from marketplace.providers.council import warn_about_expiring_checks

    return {
        "instalments": ("Pay in the budget instalments due by today",
                        lambda session, today: post_due_instalments(session, today=today)),
        "expiring-checks": ("Warn providers and the council 30 and 7 days before a check runs out",
                            warn_about_expiring_checks),
        "underspend": ("Forecast every running budget for the council; warn budget holders whose money "
                       "is forecast to be left unspent",
                       warn_about_underspend),
        "invitations": ("Mark unanswered advocate invitations that ran out as expired",
                        expire_invitations),
        # Stripe payments it records are sent by the hourly payments retry, which picks up
        # every pending payment not tried yet.
        "auto-approve-invoices": ("Approve invoices that match the agreement 48 hours after they arrive",
                                  lambda session, today: len(auto_approve_due(
                                      session, now=utcnow(), stripe_enabled=stripe_enabled(), today=today))),
        "slow-reviews": ("Remind professionals of packages waiting 3 working days; tell the council at 5",
                         warn_about_slow_reviews),
        "plan-reviews": ("Tell people and professionals when a support plan review is due or overdue",
                         warn_about_plan_reviews),
        "council-figures": ("Work the council's figures out again: money from every budget's ledger, "
                            "and the vetted providers in each district",
                            lambda session, today: refresh_council_figures(session.connection(), today=today)),
    }


SWEEP_NAMES = ("instalments", "expiring-checks", "underspend", "invitations", "auto-approve-invoices",
               "slow-reviews", "plan-reviews", "council-figures")


def run_sweep(name: str, today=None) -> int:
    """Run one sweep in its own transaction; returns how many things it did."""
    from marketplace.dates import today_in_uk

    _description, sweep = _sweeps()[name]
    with job_session() as session:
        done = sweep(session, today or today_in_uk())
        session.commit()
    return done


@huey.periodic_task(crontab(minute="10"), name="sweep.instalments")
def sweep_instalments() -> int:
    return run_sweep("instalments")


@huey.periodic_task(crontab(minute="20"), name="sweep.expiring-checks")
def sweep_expiring_checks() -> int:
    return run_sweep("expiring-checks")


@huey.periodic_task(crontab(minute="30", hour="6"), name="sweep.underspend")
def sweep_underspend() -> int:
    return run_sweep("underspend")


@huey.periodic_task(crontab(minute="40"), name="sweep.invitations")
def sweep_invitations() -> int:
    return run_sweep("invitations")


@huey.periodic_task(crontab(minute="25"), name="sweep.auto-approve-invoices")
def sweep_auto_approve_invoices() -> int:
    return run_sweep("auto-approve-invoices")


@huey.periodic_task(crontab(minute="0", hour="7"), name="sweep.slow-reviews")
def sweep_slow_reviews() -> int:
    return run_sweep("slow-reviews")


@huey.periodic_task(crontab(minute="15", hour="7"), name="sweep.plan-reviews")
def sweep_plan_reviews() -> int:
    return run_sweep("plan-reviews")


@huey.periodic_task(crontab(minute="*/15"), name="sweep.council-figures")
def sweep_council_figures() -> int:
    return run_sweep("council-figures")


# `flask jobs …` ------------------------------------------------------------------------------

jobs_cli = AppGroup("jobs", help="Background jobs: the worker and the periodic sweeps.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
@click.option("--no-periodic", is_flag=True,
              help="Do not run the periodic sweeps (all workers but one, when there are several).")
def worker(workers: int, no_periodic: bool) -> None:
    """Run queued jobs until stopped (Ctrl-C finishes the running jobs, then stops)."""
    if huey.immediate:
        raise click.ClickException("Jobs run inline in tests; there is no queue to work on.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic,
                                    check_worker_health=True)
    consumer.run()


@jobs_cli.command("sweep")
@click.argument("name", type=click.Choice(SWEEP_NAMES))
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if today were this day (YYYY-MM-DD).")
def sweep_command(name: str, on) -> None:
    """Run one periodic sweep now. Safe to repeat: it does nothing twice."""
    description = _sweeps()[name][0]
    done = run_sweep(name, on.date() if on else None)
    click.echo(f"{description}: {done} done.")


@jobs_cli.command("status")
def status_command() -> None:
    """How many jobs are waiting, and for how long."""
    state = queue_state()
    click.echo(f"Waiting: {state.waiting}; oldest waiting: {state.oldest_waiting_seconds or 0} s; "
               f"scheduled for later: {state.scheduled}")
