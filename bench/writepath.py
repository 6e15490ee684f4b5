"""The write path: many people committing money against one budget at the same moment.

Each attempt is ledger.commit() in its own thread, session and database transaction, as a
package approval would make it; the budget row lock must let exactly `room` of them through.
The latency of each is from the common start line to its commit (or refusal).
"""

import threading
import time

from sqlmodel import Session, select

from bench import data, report
from marketplace import ledger
from marketplace.auth.service import register_person
from marketplace.budgets.service import allocate_budget
from marketplace.dates import financial_year, today_in_uk
from marketplace.models import Person, User
from marketplace.scope import scope_for
from marketplace.storage import make_engine

ATTEMPTS = 50
ROOM = 10
AMOUNT_PENCE = 10_000
ROUNDS = 3


def _budget_with_room(session: Session, *, room_pence: int) -> int:
    """A new budget holder whose whole budget is paid in up front: room for `room` commitments."""
    holder = register_person(session, email=f"race{time.time_ns()}@bench.example",
                             name="Race Test", password="a long bench password 1")
    person = session.exec(select(Person).where(Person.user_id == holder.id)).one()
    council = session.exec(select(User).where(User.email == "council@example.org")).one()
    start, end = financial_year(today_in_uk())
    budget = allocate_budget(session, person_id=person.id, period_start=start, period_end=end,
                             allocation_pence=room_pence, funding_source="council",
                             schedule="up_front", categories={}, scope=scope_for(session, council),
                             today=today_in_uk())
    session.commit()
    return budget.id


def _commit(session: Session, budget_id: int, number: int | str, amount_pence: int) -> None:
    ledger.commit(session, budget_id=budget_id, commitment=f"bench-race:{number}",
                  amount_pence=amount_pence, actor=None,
                  idempotency_key=f"bench:race:{budget_id}:{number}",
                  memo="Concurrent commitment (benchmark)")


def concurrent_commitments(database_url: str, *, rounds: int = ROUNDS, **race) -> dict:
    """Several rounds, each on a new budget: every round must let exactly the room through;
    the latency reported is the round with the median p95 (a noisy machine makes single
    rounds vary by half)."""
    # One engine for every round, so later rounds run on pooled connections that have been
    # used before, like a server's; the first round shows the cold start.
    engine = make_engine(database_url, pool_size=race.get("attempts", ATTEMPTS), max_overflow=0)
    try:
        results = [one_round(engine, **race) for _ in range(rounds)]
    finally:
        engine.dispose()
    median = sorted(results, key=lambda result: result["p95_ms"])[len(results) // 2]
    all_exact = all(result["succeeded"] == result["room"] and not result["errors"]
                    and result["refused"] == result["attempts"] - result["room"]
                    for result in results)
    broken = [problem for result in results for problem in result["broken_invariants"]]
    met = all_exact and not broken and median["p95_ms"] <= report.WRITE_PATH_MAX_P95_MS
    return {**median, "broken_invariants": broken, "verdict": "met" if met else "missed",
            "rounds": [{key: result[key] for key in ("succeeded", "refused", "errors", "p50_ms",
                                                      "p95_ms")} for result in results]}


def one_round(engine, *, attempts: int = ATTEMPTS, room: int = ROOM,
              amount_pence: int = AMOUNT_PENCE) -> dict:
    with Session(engine, expire_on_commit=False) as session:
        budget_id = _budget_with_room(session, room_pence=room * amount_pence)
        # Once through and rolled back, so the statements are compiled before the start,
        # as in a server that has been running a while.
        _commit(session, budget_id, "warm-up", amount_pence)
        session.rollback()
    outcomes: list[tuple[str, float]] = []
    start_line = threading.Barrier(attempts)

    def attempt(number: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            session.connection()  # connected before the start line: only the commit is timed
            start_line.wait()
            started = time.perf_counter()
            try:
                _commit(session, budget_id, number, amount_pence)
                session.commit()
                outcome = "succeeded"
            except ledger.NotEnoughMoney:
                session.rollback()
                outcome = "refused"
            except Exception as error:  # any other failure is what this check is here to find
                session.rollback()
                outcome = f"error: {type(error).__name__}"
            outcomes.append((outcome, time.perf_counter() - started))

    # Threads with a connection each: the budget row lock queues them in the database, one
    # commitment at a time (about 3 ms each when alone), as fifty requests would queue.
    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with Session(engine) as session:
        balances = ledger.balances(session, budget_id)
    with engine.connect() as connection:
        broken = data.broken_ledger_invariants(connection)

    latencies = sorted(seconds for _outcome, seconds in outcomes)
    succeeded = sum(1 for outcome, _ in outcomes if outcome == "succeeded")
    refused = sum(1 for outcome, _ in outcomes if outcome == "refused")
    if (balances.available != (room - succeeded) * amount_pence
            or balances.committed != succeeded * amount_pence):
        broken.append(f"balances do not match the outcomes: {balances.available} available, "
                      f"{balances.committed} committed after {succeeded} commitments")
    return {
        "database": "PostgreSQL", "attempts": attempts, "room": room, "amount_pence": amount_pence,
        "succeeded": succeeded, "refused": refused, "errors": attempts - succeeded - refused,
        "p50_ms": round(report.percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(report.percentile(latencies, 0.95) * 1000, 1),
        "broken_invariants": broken,
    }
