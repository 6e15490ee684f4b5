"""Where the money goes, across every budget: each figure a SQL sum over the ledger's postings,
using the ledger's own definitions (`Balances.where`). Every query lives here so the sums can
later read from kept balance tables without the pages changing."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, extract, func
from sqlmodel import Session, col, select

from marketplace.budgets.forecast import RUN_RATE_WEEKS, Forecast, project, weekly_rate
from marketplace.budgets.service import instalments
from marketplace.categories import category_label
from marketplace.insight.filters import InsightFilters
from marketplace.ledger import CONTRIBUTION, FUNDING, Balances
from marketplace.models import Budget, BudgetCategory, LedgerTransaction, Person, Posting, Provider

TOP_PROVIDERS = 10


@dataclass(frozen=True)
class MonthMoney:
    month: date  # the first day of the month
    paid_in: int  # by the council and by people's contributions, less anything taken back
    set_aside: int  # newly set aside for agreed support, less any given back
    spent: int  # invoices approved
    free_at_end: int  # free to use across the budgets at the end of the month


@dataclass(frozen=True)
class CategoryMoney:
    name: str
    set_aside: int
    spent: int


@dataclass(frozen=True)
class ProviderMoney:
    provider_id: int
    name: str
    spent: int


def _paid_in(account):
    return case((account.in_([FUNDING, CONTRIBUTION]), -Posting.amount_pence), else_=0)


def _figure(figure: str):
    return case((Balances.where(figure, Posting.account), Posting.amount_pence), else_=0)


def _newly_set_aside():
    """Money going into set-aside accounts; what leaves them (spent, or given back) is not counted."""
    return case((and_(Balances.where("committed", Posting.account), Posting.amount_pence > 0),
                 Posting.amount_pence), else_=0)


def _filtered(query, filters: InsightFilters, *, period: bool = True):
    """The postings the filters choose: by the budget's funding source, the transaction's
    category and (unless asked not to) the day the money moved."""
    query = query.join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
    if filters.funding_source:
        query = query.join(Budget, Budget.id == Posting.budget_id).where(
            Budget.funding_source == filters.funding_source)
    if filters.category:
        query = query.join(BudgetCategory, BudgetCategory.id == LedgerTransaction.category_id).where(
            BudgetCategory.key == filters.category)
    if period:
        query = query.where(LedgerTransaction.effective_on >= filters.from_date,
                            LedgerTransaction.effective_on <= filters.to_date)
    return query


def money_by_month(session: Session, filters: InsightFilters) -> list[MonthMoney]:
    year = extract("year", LedgerTransaction.effective_on)
    month = extract("month", LedgerTransaction.effective_on)
    sums = {
        date(int(y), int(m), 1): (int(paid_in), int(set_aside), int(spent), int(free))
        for y, m, paid_in, set_aside, spent, free in session.exec(_filtered(
            select(year, month, func.sum(_paid_in(Posting.account)), func.sum(_newly_set_aside()),
                   func.sum(_figure("spent")), func.sum(_figure("available"))),
            filters).group_by(year, month))
    }
    free = int(session.exec(_filtered(select(func.coalesce(func.sum(_figure("available")), 0)), filters,
                                      period=False)
                            .where(LedgerTransaction.effective_on < filters.from_date)).one())
    rows = []
    for first_day in filters.months():
        paid_in, set_aside, spent, free_change = sums.get(first_day, (0, 0, 0, 0))
        free += free_change
        rows.append(MonthMoney(first_day, paid_in, set_aside, spent, free))
    return rows


def money_by_category(session: Session, filters: InsightFilters) -> list[CategoryMoney]:
    """Set aside and spent per kind of support in the period, largest spend first. Money that
    moved without a category (paying in, for one) is left out: it is not spending on anything."""
    query = _filtered(select(BudgetCategory.key, func.sum(_newly_set_aside()), func.sum(_figure("spent"))),
                      filters)
    if not filters.category:
        query = query.join(BudgetCategory, BudgetCategory.id == LedgerTransaction.category_id)
    rows = session.exec(query.group_by(BudgetCategory.key)).all()
    by_name: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, set_aside, spent in rows:
        by_name[category_label(key)][0] += int(set_aside)
        by_name[category_label(key)][1] += int(spent)
    return sorted((CategoryMoney(name, s, p) for name, (s, p) in by_name.items()),
                  key=lambda row: (-row.spent, row.name))


def top_providers(session: Session, filters: InsightFilters) -> list[ProviderMoney]:
    spent = func.sum(_figure("spent"))
    rows = session.exec(_filtered(select(Provider.id, Provider.name, spent), filters)
                        .join(Provider, Provider.id == LedgerTransaction.provider_id)
                        .group_by(Provider.id, Provider.name)
                        .having(spent > 0).order_by(spent.desc(), Provider.name).limit(TOP_PROVIDERS)).all()
    return [ProviderMoney(provider_id, name, int(total)) for provider_id, name, total in rows]


@dataclass(frozen=True)
class BudgetAtRisk:
    budget_id: int
    person_name: str
    forecast: Forecast


def forecasts(session: Session, filters: InsightFilters, *, today: date) -> list[BudgetAtRisk]:
    """The forecast (budgets/forecast.py, at the rate of the last 12 weeks' spending) for every
    budget running today, from three grouped queries rather than three per budget."""
    running = select(Budget, Person.name).join(Person, Person.id == Budget.person_id).where(
        Budget.period_start <= today, Budget.period_end >= today)
    if filters.funding_source:
        running = running.where(Budget.funding_source == filters.funding_source)
    budgets = session.exec(running.order_by(Person.name, Budget.id)).all()
    if not budgets:
        return []
    running_ids = running.with_only_columns(Budget.id).scalar_subquery()
    cutoff = today - timedelta(weeks=RUN_RATE_WEEKS) + timedelta(days=1)
    recent = and_(Balances.where("spent", Posting.account), LedgerTransaction.effective_on >= cutoff,
                  LedgerTransaction.effective_on >= Budget.period_start,
                  LedgerTransaction.effective_on <= today)
    sums = {budget_id: (int(unspent), int(spent)) for budget_id, unspent, spent in session.exec(
        select(Posting.budget_id, func.sum(_figure("unspent")),
               func.sum(case((recent, Posting.amount_pence), else_=0)))
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .join(Budget, Budget.id == Posting.budget_id)
        .where(col(Posting.budget_id).in_(running_ids)).group_by(Posting.budget_id))}
    posted = set(session.exec(
        select(LedgerTransaction.idempotency_key).where(
            col(LedgerTransaction.budget_id).in_(running_ids),
            col(LedgerTransaction.idempotency_key).like("budget:%:instalment:%"))).all())
    results = []
    for budget, name in budgets:
        unspent, recent_spent = sums.get(budget.id, (0, 0))
        since = max(budget.period_start, cutoff)
        to_come = [(max(i.due_on, today), i.amount_pence) for i in instalments(budget)
                   if i.idempotency_key(budget.id) not in posted]
        results.append(BudgetAtRisk(budget.id, name, project(
            unspent=unspent, to_come=to_come, weekly_spend_pence=weekly_rate(recent_spent, (today - since).days + 1),
            today=today, period_end=budget.period_end)))
    return results


def at_risk(session: Session, filters: InsightFilters, *, today: date) -> tuple[list[BudgetAtRisk], list[BudgetAtRisk]]:
    """(more than 8 weeks' worth forecast to go unused, largest first; forecast to run out, soonest first)."""
    everyone = forecasts(session, filters, today=today)
    unused = sorted((b for b in everyone if b.forecast.surplus_over_clawback_threshold),
                    key=lambda b: (-b.forecast.left_at_end, b.person_name))
    running_out = sorted((b for b in everyone if b.forecast.runs_out_on is not None),
                         key=lambda b: (b.forecast.runs_out_on, b.person_name))
    return unused, running_out
