"""Every running budget's forecast, worked out together by the morning sweep and kept
(BudgetForecast), so the council can list the people at risk without forecasting 10,000
budgets each time the page is asked for. A budget's own pages always forecast afresh."""

from datetime import date, timedelta

from sqlalchemy import and_, case, delete, func
from sqlmodel import Session, col, select

from marketplace.budgets.forecast import RUN_RATE_WEEKS, Forecast, project, weekly_rate
from marketplace.budgets.service import instalments
from marketplace.ledger import Balances
from marketplace.models import Budget, BudgetForecast, LedgerBalance, LedgerTransaction, Posting
from marketplace.storage import insert_or_update


def forecast_running_budgets(session: Session, *, today: date) -> list[tuple[Budget, Forecast]]:
    """The forecast (budgets/forecast.py, at the rate of the last 12 weeks' spending) of every
    budget running today, from three grouped queries rather than three per budget."""
    running = select(Budget).where(Budget.period_start <= today, Budget.period_end >= today)
    budgets = session.exec(running.order_by(Budget.id)).all()
    if not budgets:
        return []
    running_ids = running.with_only_columns(Budget.id).scalar_subquery()
    unspent = dict(session.exec(
        select(LedgerBalance.budget_id, func.sum(LedgerBalance.balance_pence))
        .where(col(LedgerBalance.budget_id).in_(running_ids), Balances.where("unspent", LedgerBalance.account))
        .group_by(LedgerBalance.budget_id)).all())
    cutoff = today - timedelta(weeks=RUN_RATE_WEEKS) + timedelta(days=1)
    recent = and_(LedgerTransaction.effective_on >= Budget.period_start, LedgerTransaction.effective_on <= today)
    recently_spent = dict(session.exec(
        select(Posting.budget_id, func.sum(case((recent, Posting.amount_pence), else_=0)))
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .join(Budget, Budget.id == Posting.budget_id)
        .where(col(Posting.budget_id).in_(running_ids), Balances.where("spent", Posting.account),
               LedgerTransaction.effective_on >= cutoff)
        .group_by(Posting.budget_id)).all())
    posted = set(session.exec(
        select(LedgerTransaction.idempotency_key).where(
            col(LedgerTransaction.budget_id).in_(running_ids),
            col(LedgerTransaction.idempotency_key).like("budget:%:instalment:%"))).all())
    results = []
    for budget in budgets:
        since = max(budget.period_start, cutoff)
        to_come = [(max(i.due_on, today), i.amount_pence) for i in instalments(budget)
                   if i.idempotency_key(budget.id) not in posted]
        results.append((budget, project(
            unspent=int(unspent.get(budget.id, 0)), to_come=to_come,
            weekly_spend_pence=weekly_rate(int(recently_spent.get(budget.id, 0)), (today - since).days + 1),
            today=today, period_end=budget.period_end)))
    return results


def keep_forecasts(session: Session, *, today: date) -> list[tuple[Budget, Forecast]]:
    """Work out and keep every running budget's forecast; forget those of budgets that have
    ended. Safe to run twice, or on two workers at once."""
    forecasts = forecast_running_budgets(session, today=today)
    insert_or_update(session, BudgetForecast, [
        {"budget_id": budget.id, "worked_out_on": today, "weekly_spend_pence": outlook.weekly_spend,
         "spend_to_come_pence": outlook.spend_to_come, "left_at_end_pence": outlook.left_at_end,
         "runs_out_on": outlook.runs_out_on, "money_left_over": outlook.surplus_over_clawback_threshold}
        for budget, outlook in forecasts], key="budget_id")
    session.execute(delete(BudgetForecast).where(BudgetForecast.worked_out_on < today))
    return forecasts


def kept_forecast(row: BudgetForecast, period_end: date) -> Forecast:
    return Forecast(row.weekly_spend_pence, row.spend_to_come_pence, row.left_at_end_pence, row.runs_out_on,
                    period_end)
