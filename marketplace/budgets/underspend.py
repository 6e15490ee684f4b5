"""The morning forecast of every running budget, kept for the council (kept_forecasts.py), and
the 4-weekly underspend warning: when the forecast says more than 8 weeks' worth of money
would be left at the end, the budget holder (and advocates who can see the budget) are told,
once in each 4-week window of the budget's period."""

from datetime import date

from sqlmodel import Session

from marketplace.budgets.kept_forecasts import keep_forecasts
from marketplace.budgets.service import INSTALMENT_DAYS
from marketplace.notifications import events


def warn_about_underspend(session: Session, today: date) -> int:
    """A sweep: safe to run again or on two workers at once (one warning per window, by key)."""
    sent = 0
    for budget, outlook in keep_forecasts(session, today=today):
        if outlook.surplus_over_clawback_threshold:
            window = (today - budget.period_start).days // INSTALMENT_DAYS
            sent += events.budget_underspend(session, budget, window=window,
                                             about_left=outlook.about_left_at_end)
    return sent
