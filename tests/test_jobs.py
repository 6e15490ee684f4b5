"""The job queue and the periodic sweeps: each sweep has one effect however often it runs, a
failing job is retried and then recorded, and a real worker runs jobs from SQLite or Redis."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from marketplace import jobs
from marketplace.config import PROJECT_ROOT
from marketplace.dates import today_in_uk
from marketplace.models import JobFailure, LedgerTransaction, Notification, Role
from tests.factories import create_provider, create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget, pay_provider
from tests.factories_providers import add_check

TODAY = date(2026, 12, 1)


def _count(session, model, *where) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _texts(session, user) -> list[str]:
    session.expire_all()
    return list(session.exec(select(Notification.text).where(Notification.recipient_id == user.id)
                             .order_by(Notification.id)))


@pytest.fixture
def brightpath(session):
    return create_provider(session, name="Brightpath Home Care", kind="care_agency")


def test_check_expiry_warnings_go_to_staff_and_council_once_each(app, session, brightpath):
    staff = create_user(session, role=Role.PROVIDER, provider=brightpath)
    council = create_user(session, role=Role.COMMISSIONER)
    add_check(session, brightpath, "public_liability_insurance", expires_on=TODAY + timedelta(days=30))

    assert jobs.run_sweep("expiring-checks", TODAY) == 2
    assert jobs.run_sweep("expiring-checks", TODAY) == 0  # run again: nothing new
    assert jobs.run_sweep("expiring-checks", TODAY + timedelta(days=10)) == 0  # still the 30-day warning
    assert _texts(session, staff) == [
        "Your Public liability insurance runs out on 31 December 2026, in 30 days. "
        "Send the new one so you stay listed."]
    assert _texts(session, council) == [
        "Brightpath Home Care's Public liability insurance runs out on 31 December 2026, in 30 days."]

    # 7 days before: the second warning, once.
    assert jobs.run_sweep("expiring-checks", TODAY + timedelta(days=24)) == 2
    assert jobs.run_sweep("expiring-checks", TODAY + timedelta(days=25)) == 0
    assert _texts(session, staff)[-1].endswith("in 6 days. Send the new one so you stay listed.")


def test_a_check_first_seen_a_week_before_expiry_gets_only_the_7_day_warning(app, session, brightpath):
    staff = create_user(session, role=Role.PROVIDER, provider=brightpath)
    add_check(session, brightpath, "cqc_registration", expires_on=TODAY + timedelta(days=6))
    jobs.run_sweep("expiring-checks", TODAY)
    assert len(_texts(session, staff)) == 1


def test_a_renewed_check_is_not_warned_about(app, session, brightpath):
    staff = create_user(session, role=Role.PROVIDER, provider=brightpath)
    add_check(session, brightpath, "cqc_registration", expires_on=TODAY + timedelta(days=6))
    add_check(session, brightpath, "cqc_registration", expires_on=TODAY + timedelta(days=700))
    assert jobs.run_sweep("expiring-checks", TODAY) == 0
    assert _texts(session, staff) == []


def _at_once(function, times: int = 2) -> list:
    """Run function on several threads released together, like several workers."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        barrier.wait()
        try:
            results.append(function())
        except Exception as error:  # collected, so the test shows it
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_two_workers_sweeping_at_once_warn_once(app, session, brightpath):
    staff = [create_user(session, role=Role.PROVIDER, provider=brightpath) for _ in range(3)]
    create_user(session, role=Role.COMMISSIONER)
    add_check(session, brightpath, "employers_liability_insurance", expires_on=TODAY + timedelta(days=5))
    assert sum(_at_once(lambda: jobs.run_sweep("expiring-checks", TODAY))) == 4
    assert _count(session, Notification) == 4
    assert all(len(_texts(session, member)) == 1 for member in staff)


def test_instalments_are_paid_in_once_however_often_and_however_many_workers_sweep(app, session):
    budget = create_budget(session, period_start=date(2026, 4, 1), period_end=date(2027, 3, 31))
    instalments = LedgerTransaction.budget_id == budget.id
    _at_once(lambda: jobs.run_sweep("instalments", date(2026, 5, 1)))
    assert _count(session, LedgerTransaction, instalments) == 2  # 1 April and 29 April
    jobs.run_sweep("instalments", date(2026, 5, 1))
    assert _count(session, LedgerTransaction, instalments) == 2


def test_the_underspend_warning_goes_once_per_four_weeks_to_the_holder_and_advocates_who_can_see(app, session):
    sam = create_user(session, name="Sam Taylor")
    sees = create_user(session, role=Role.ADVOCATE)
    drafts_only = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=person_of(session, sam), advocate=sees, permissions=["view"])
    create_advocate_link(session, person=person_of(session, sam), advocate=drafts_only, permissions=["draft"])
    today = today_in_uk()  # spending is recorded today, so the forecast is made from today
    start = today - timedelta(days=60)
    create_budget(session, person=person_of(session, sam), allocation_pence=52_000_00, schedule="up_front",
                  period_start=start, period_end=today + timedelta(days=300), instalments_due_by=start)
    pay_provider(session, person=person_of(session, sam), provider_id=create_provider(session).id,
                 amount_pence=500_00)  # £500 spent: at that rate most of £52,000 is left over

    assert jobs.run_sweep("underspend", today) == 2
    assert jobs.run_sweep("underspend", today + timedelta(days=1)) == 0  # same 4-week window
    assert sorted(_at_once(lambda: jobs.run_sweep("underspend", today + timedelta(days=28)))) == [0, 2]
    [first, _second] = _texts(session, sam)
    assert first.startswith("At the rate you are spending, about £")
    assert first.endswith("would be left at the end. You could plan more support, or the council may take unspent money back.")
    assert len(_texts(session, sees)) == 2 and _texts(session, drafts_only) == []


def test_flask_jobs_sweep_runs_a_sweep_by_hand(runner, session, brightpath):
    create_user(session, role=Role.PROVIDER, provider=brightpath)
    add_check(session, brightpath, "cqc_registration", expires_on=TODAY + timedelta(days=6))
    result = runner.invoke(args=["jobs", "sweep", "expiring-checks", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 done" in result.output
    assert runner.invoke(args=["jobs", "sweep", "expiring-checks", "--date", TODAY.isoformat()]).output.endswith(": 0 done.\n")


@jobs.huey.task(retries=2, retry_delay=1, name="tests.always_fails")
def _always_fails(reason: str) -> None:
    raise RuntimeError(f"It went wrong: {reason}")


def test_a_failing_job_is_retried_then_recorded_as_failed_with_its_error(app, session):
    _always_fails("the mail server said no")
    assert _count(session, JobFailure) == 0  # first failure: a retry is scheduled
    for _retry in range(2):
        [waiting] = jobs.huey.read_schedule(datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1))
        jobs.huey.execute(waiting, timestamp=waiting.eta)
    assert jobs.huey.scheduled() == []
    [failure] = session.exec(select(JobFailure)).all()
    assert failure.task_name.endswith("tests.always_fails")
    assert "RuntimeError: It went wrong: the mail server said no" in failure.error
    assert "the mail server said no" in failure.arguments


def test_healthz_reports_the_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["jobs"] == {"waiting": 0, "oldest_waiting_seconds": None, "scheduled": 0}


def test_healthz_says_how_long_the_oldest_job_has_waited(app, tmp_path, client):
    jobs.huey.immediate = False
    jobs.huey.storage = jobs.storage_for(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    try:
        _always_fails("never run")
        time.sleep(1.1)
        _always_fails("never run either")
        state = client.get("/healthz").json["jobs"]
        assert state["waiting"] == 2 and 1 <= state["oldest_waiting_seconds"] < 60
    finally:
        jobs.huey.immediate = True


# A real worker process -----------------------------------------------------------------------

def _redis_url() -> str | None:
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return None
    return url


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_the_worker_runs_queued_jobs_from_its_storage(app, database_url, session, tmp_path, storage):
    if storage == "sqlite":
        jobs_url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    else:
        jobs_url = _redis_url()
        if jobs_url is None:
            if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
                pytest.fail("Redis is not running on 127.0.0.1:6379 (CI must start it)")
            pytest.skip("Redis is not running on 127.0.0.1:6379")
    today = today_in_uk()  # the worker's sweep pays in what is due by the real today
    budget = create_budget(session, period_start=today - timedelta(days=30), period_end=today + timedelta(days=300))
    jobs.huey.immediate = False
    jobs.huey.storage = jobs.storage_for(jobs_url)
    try:
        jobs.huey.flush()
        jobs.sweep_instalments()  # queued, not run: no worker yet
        assert _count(session, LedgerTransaction, LedgerTransaction.budget_id == budget.id) == 0
        environment = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url,
                       "JOBS_URL": jobs_url, "FLASK_APP": "app"}
        worker = subprocess.Popen([sys.executable, "-m", "flask", "jobs", "worker", "--no-periodic"],
                                  cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _count(
                    session, LedgerTransaction, LedgerTransaction.budget_id == budget.id) == 0:
                time.sleep(0.5)
            assert _count(session, LedgerTransaction, LedgerTransaction.budget_id == budget.id) == 2
            assert jobs.huey.pending_count() == 0
        finally:
            worker.send_signal(signal.SIGINT)
            output, _ = worker.communicate(timeout=30)
        assert "Executing marketplace.jobs.sweep.instalments" in output
    finally:
        jobs.huey.flush()
        jobs.huey.immediate = True


def test_a_worker_refuses_to_start_in_immediate_mode(runner):
    result = runner.invoke(args=["jobs", "worker"])
    assert result.exit_code != 0
    assert "no queue" in result.output


def test_the_job_store_is_never_the_apps_database(tmp_path):
    storage = jobs.storage_for("")
    assert storage.filename.endswith("instance/jobs.sqlite3")
    with pytest.raises(Exception, match="JOBS_URL"):
        jobs.storage_for("postgresql://somewhere/db")
