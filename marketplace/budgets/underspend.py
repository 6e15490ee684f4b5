"""The 4-weekly underspend warning: when the forecast says more than 8 weeks' worth of money
would be left at the end, the budget holder (and advocates who can see the budget) are told,
once in each 4-week window of the budget's period."""

from datetime import date

from sqlmodel import Session, select

from marketplace.budgets.forecast import forecast
from marketplace.budgets.service import INSTALMENT_DAYS
from marketplace.models import Budget
from marketplace.notifications import events


def warn_about_underspend(session: Session, today: date) -> int:
    """A sweep: safe to run again or on two workers at once (one warning per window, by key)."""
    sent = 0
    budgets = session.exec(select(Budget).where(Budget.period_start <= today, Budget.period_end >= today)
                           .order_by(Budget.id)).all()
    for budget in budgets:
        outlook = forecast(session, budget, today=today)
        if outlook.surplus_over_clawback_threshold:
            window = (today - budget.period_start).days // INSTALMENT_DAYS
            sent += events.budget_underspend(session, budget, window=window,
                                             about_left=outlook.about_left_at_end)
    return sent
