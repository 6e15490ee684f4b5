"""Whether the money lasts to the end of the budget period.

Everything here is whole pence. Where a share of a weekly amount is worked out (a part
week, an average over some days) it is rounded to the nearest penny with halves rounded
up — never to even ("banker's rounding"), never through a float.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from marketplace import ledger
from marketplace.budgets.service import instalments
from marketplace.models import Budget, LedgerTransaction

RUN_RATE_WEEKS = 12  # spending is averaged over this many recent weeks for the forecast
CLAWBACK_WEEKS = 8  # councils usually ask for a surplus over 8 weeks of spending back
ABOUT = 1_000  # "about" figures are to the nearest £10


def share(pence: int, numerator: int, denominator: int) -> int:
    """pence × numerator ÷ denominator to the nearest penny, halves up (in integers)."""
    return (2 * pence * numerator + denominator) // (2 * denominator)


def weekly_rate(spent_pence: int, days: int) -> int:
    """Average spending per week over `days` days (at least a week, so one early invoice
    does not look like a habit)."""
    return share(spent_pence, 7, max(days, 7))


def spend_over(weekly_spend_pence: int, days: int) -> int:
    """Spending over `days` days at a weekly rate. Part weeks are a share of the week, and the
    sum over consecutive stretches equals the spend over all of them (no penny drifts)."""
    return share(weekly_spend_pence, days, 7)


@dataclass(frozen=True)
class Forecast:
    weekly_spend: int
    spend_to_come: int  # forecast spending from today to the end of the period
    left_at_end: int  # negative when the money runs out first
    runs_out_on: date | None
    period_end: date

    @property
    def surplus_over_clawback_threshold(self) -> bool:
        return self.weekly_spend > 0 and self.left_at_end > self.clawback_threshold

    @property
    def about_left_at_end(self) -> int:
        """Rounded to the nearest £10, halves up: a forecast is not exact to the penny."""
        return share(self.left_at_end, 1, ABOUT) * ABOUT

    @property
    def clawback_threshold(self) -> int:
        return CLAWBACK_WEEKS * self.weekly_spend


def project(*, unspent: int, to_come: list[tuple[date, int]], weekly_spend_pence: int,
            today: date, period_end: date) -> Forecast:
    """The money not yet spent, plus instalments still to come, less spending at the weekly
    rate from today to the end of the period, walked a week at a time to find when (if ever)
    it runs out."""
    money = unspent
    runs_out_on = None
    days_done = 0
    week_start = today
    while week_start <= period_end:
        week_end = min(week_start + timedelta(days=6), period_end)
        money += sum(amount for due_on, amount in to_come if week_start <= due_on <= week_end)
        days = (week_end - week_start).days + 1
        money -= spend_over(weekly_spend_pence, days_done + days) - spend_over(weekly_spend_pence, days_done)
        days_done += days
        if money < 0 and runs_out_on is None:
            runs_out_on = week_end
        week_start = week_end + timedelta(days=1)
    money += sum(amount for due_on, amount in to_come if due_on >= week_start)
    return Forecast(weekly_spend_pence, spend_over(weekly_spend_pence, days_done), money, runs_out_on,
                    period_end)


def forecast(session: Session, budget: Budget, *, today: date,
             weekly_spend_pence: int | None = None,
             balances: ledger.Balances | None = None) -> Forecast:
    """Whether the money lasts to the end of the period.

    `weekly_spend_pence` is the planned spending per week (for example from agreed care
    packages). Without it, the rate is the average weekly spending over the last 12 weeks
    (or since the budget started). `balances` are the budget's current balances when the
    caller has already read them (pages have a budget of SQL statements to keep to).
    """
    if weekly_spend_pence is None:
        since = max(budget.period_start, today - timedelta(weeks=RUN_RATE_WEEKS) + timedelta(days=1))
        recent = ledger.spent_between(session, budget.id, since, today)
        weekly_spend_pence = weekly_rate(recent, (today - since).days + 1)  # since and today both count
    if balances is None:
        balances = ledger.balances(session, budget.id)
    return project(unspent=balances.unspent,
                   to_come=_instalments_still_to_come(session, budget, today),
                   weekly_spend_pence=weekly_spend_pence, today=today, period_end=budget.period_end)


@cache
def _posted_keys_statement():
    """Which of the idempotency keys in the `keys` parameter are in the ledger: built once."""
    return select(LedgerTransaction.idempotency_key).where(
        col(LedgerTransaction.idempotency_key).in_(bindparam("keys", expanding=True)))


def _instalments_still_to_come(session: Session, budget: Budget, today: date) -> list[tuple[date, int]]:
    planned = [(i.idempotency_key(budget.id), i) for i in instalments(budget)]
    posted = set(session.execute(_posted_keys_statement(), {"keys": [key for key, _ in planned]}).scalars())
    return [(max(i.due_on, today), i.amount_pence) for key, i in planned if key not in posted]
