"""The council's rolled-up money figures equal the ledger, whatever happened to the money:
each figure is worked out again here from the postings themselves and compared."""

import uuid
from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from marketplace import ledger
from marketplace.categories import category_label
from marketplace.insight import money
from marketplace.insight.council_figures import refresh_council_figures
from marketplace.insight.filters import read_filters
from marketplace.models import (
    BudgetCategory,
    CouncilTopProvider,
    LedgerTransaction,
    Posting,
    Provider,
)
from tests.factories import create_provider
from tests.factories_budget import create_budget

START = date(2026, 1, 1)
TODAY = date(2026, 12, 1)
FUNDING = ["council", "nhs"]
CATEGORIES = ["personal_care", "short_breaks"]

operation = st.tuples(
    st.sampled_from(["set aside", "invoice", "pay", "give back", "change", "contribute"]),
    st.integers(0, 1),  # which budget
    st.integers(0, 2),  # which category: one of two, or none
    st.integers(0, 1),  # which provider
    st.integers(0, 330),  # day
    st.integers(1, 50_000),  # pence
)


def _history(session, operations):
    """Two budgets (council money and NHS money), each with two categories, and the operations
    applied where the money allows (as users would be refused otherwise)."""
    providers = [create_provider(session), create_provider(session)]
    budgets = [create_budget(session, funding_source=source, schedule="up_front", allocation_pence=500_000,
                             period_start=START, period_end=START + timedelta(days=364),
                             categories={key: 200_000 for key in CATEGORIES}, instalments_due_by=START)
               for source in FUNDING]
    categories = {budget.id: [c.id for c in session.exec(select(BudgetCategory).where(
        BudgetCategory.budget_id == budget.id).order_by(BudgetCategory.key))] + [None] for budget in budgets}
    run = uuid.uuid4().hex[:8]  # Hypothesis runs many histories in one database
    for number, (what, which, category, provider, day, amount) in enumerate(operations):
        budget, provider = budgets[which], providers[provider]
        number = f"{run}-{number}"
        figures = ledger.balances(session, budget.id)
        common = {"budget_id": budget.id, "idempotency_key": f"test:{number}", "actor": None, "memo": what,
                  "effective_on": START + timedelta(days=day), "category_id": categories[budget.id][category]}
        commitment, room = f"test:{which}", figures.committed_to(f"test:{which}")
        if what == "set aside" and amount <= figures.available:
            ledger.commit(session, commitment=commitment, amount_pence=amount, provider_id=provider.id, **common)
        elif what == "invoice" and 0 < min(amount, room):
            ledger.approve_invoice(session, commitment=commitment, provider_id=provider.id,
                                   amount_pence=min(amount, room), **common)
        elif what == "pay" and figures.payable_to(provider.id):
            ledger.record_payment(session, provider_id=provider.id, amount_pence=figures.payable_to(provider.id),
                                  **common)
        elif what == "give back" and room:
            ledger.release(session, commitment=commitment, **common)
        elif what == "change" and room and amount - room <= figures.available and amount != room:
            # A new version of the agreement: the old one's money moves to the new one.
            ledger.post(session, kind="commitment", provider_id=provider.id, legs={
                ledger.committed_account(commitment): -room, ledger.committed_account(f"test:{which}-{number}"): amount,
                ledger.AVAILABLE: room - amount}, **common)
        elif what == "contribute":
            ledger.record_contribution(session, budget_id=budget.id, amount_pence=amount,
                                       idempotency_key=f"test:{number}", actor=None, memo=what,
                                       effective_on=START + timedelta(days=day))
    session.commit()
    return budgets


def _from_the_postings(session, filters):
    """Each month's figures, and the period's by category and by provider, summed here from
    the postings of the budgets and categories the filters choose."""
    funding, category = filters.funding_source, filters.category
    rows = session.exec(
        select(LedgerTransaction.id, LedgerTransaction.effective_on, LedgerTransaction.budget_id,
               BudgetCategory.key, LedgerTransaction.provider_id, Posting.account, Posting.amount_pence)
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .outerjoin(BudgetCategory, BudgetCategory.id == LedgerTransaction.category_id)).all()
    funding_of = {budget.id: budget.funding_source for budget in session.exec(select(ledger.Budget))}
    months = defaultdict(lambda: defaultdict(int))
    by_category = defaultdict(lambda: [0, 0])
    by_provider = defaultdict(int)
    into_set_aside = defaultdict(int)  # each transaction's net move into set-aside accounts
    for transaction_id, day, budget_id, key, provider_id, account, amount in rows:
        if (funding and funding_of[budget_id] != funding) or (category and key != category):
            continue
        month = day.replace(day=1)
        if account in (ledger.FUNDING, ledger.CONTRIBUTION):
            months[month]["paid_in"] -= amount
        if account == ledger.AVAILABLE:
            months[month]["free"] += amount
        if account.startswith(ledger.COMMITTED_PREFIX):
            into_set_aside[(transaction_id, month, key)] += amount
        if account == ledger.PAID or account.startswith(ledger.PAYABLE_PREFIX):
            months[month]["spent"] += amount
            if not filters.first_month <= month <= filters.last_month:
                continue
            if key:
                by_category[category_label(key)][1] += amount
            if provider_id:
                by_provider[provider_id] += amount
    for (_, month, key), moved in into_set_aside.items():
        if moved > 0:
            months[month]["set_aside"] += moved
            if key and filters.first_month <= month <= filters.last_month:
                by_category[category_label(key)][0] += moved
    return months, by_category, by_provider


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=20), funding=st.sampled_from([None, *FUNDING]),
       category=st.sampled_from([None, *CATEGORIES]), first=st.integers(1, 12))
def test_the_council_figures_equal_the_ledger_after_any_history(session, operations, funding, category, first):
    _history(session, operations)
    refresh_council_figures(session.connection(), today=TODAY)
    refresh_council_figures(session.connection(), today=TODAY)  # the sweep may run twice
    session.commit()
    filters = read_filters({"from": f"2026-{first:02}", "to": "2026-12", **({"funding": funding} if funding else {}),
                            **({"category": category} if category else {})}, today=TODAY)
    months, by_category, by_provider = _from_the_postings(session, filters)

    free = sum(figures["free"] for month, figures in months.items() if month < filters.first_month)
    expected = []
    for month in filters.months():
        free += months[month]["free"]
        expected.append(money.MonthMoney(month, months[month]["paid_in"], months[month]["set_aside"],
                                         months[month]["spent"], free))
    assert money.money_by_month(session, filters) == expected

    assert {(c.name, c.set_aside, c.spent) for c in money.money_by_category(session, filters)} == {
        (name, set_aside, spent) for name, (set_aside, spent) in by_category.items() if set_aside or spent}
    names = dict(session.exec(select(Provider.id, Provider.name)).all())
    top = sorted(((spent, provider_id) for provider_id, spent in by_provider.items() if spent > 0),
                 key=lambda row: (-row[0], row[1]))[:money.TOP_PROVIDERS]  # ties: the earlier provider
    assert [(p.name, p.spent) for p in money.top_providers(session, filters)] == sorted(
        ((names[provider_id], spent) for spent, provider_id in top), key=lambda row: (-row[1], row[0]))


def _ledger_top(by_provider):
    """The providers paid most, as the page ranks them: largest spend first, ties to the
    earlier provider."""
    return sorted(((spent, provider_id) for provider_id, spent in by_provider.items() if spent > 0),
                  key=lambda row: (-row[0], row[1]))[:money.TOP_PROVIDERS]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=20))
def test_the_kept_providers_paid_most_equal_the_ledger_for_every_funding_and_category(session, operations):
    _history(session, operations)
    refresh_council_figures(session.connection(), today=TODAY)
    refresh_council_figures(session.connection(), today=TODAY)  # the sweep may run twice
    session.commit()
    kept = session.exec(select(CouncilTopProvider)).all()
    for funding in [None, *FUNDING]:
        for category in [None, *CATEGORIES]:
            filters = read_filters({**({"funding": funding} if funding else {}),
                                    **({"category": category} if category else {})}, today=TODAY)
            _months, _by_category, by_provider = _from_the_postings(session, filters)
            top = _ledger_top(by_provider)
            assert sorted((row.spent_pence, row.provider_id) for row in kept
                          if (row.first_month, row.last_month) == (filters.first_month, filters.last_month)
                          and (row.funding_source, row.category_key) == (funding, category)) == sorted(top)
            assert [(p.provider_id, p.spent) for p in money.top_providers(session, filters)] == [
                (provider_id, spent) for spent, provider_id in top]


def test_a_period_the_sweep_did_not_rank_is_summed_from_the_provider_months(session):
    """The sweep ranks only the usual period (the last 12 months); any other is worked out on
    the page from the same provider months, so both give the ledger's answer."""
    _history(session, [("set aside", 0, 0, 0, 10, 40_000), ("invoice", 0, 0, 0, 20, 30_000),
                       ("set aside", 1, 1, 1, 40, 40_000), ("invoice", 1, 1, 1, 45, 10_000)])
    refresh_council_figures(session.connection(), today=TODAY)
    session.commit()
    names = dict(session.exec(select(Provider.id, Provider.name)).all())
    usual = read_filters({}, today=TODAY)
    january = read_filters({"from": "2026-01", "to": "2026-01"}, today=TODAY)
    assert [(p.name, p.spent) for p in money.top_providers(session, usual)] == sorted(
        [(names[p], spent) for spent, p in _ledger_top(_from_the_postings(session, usual)[2])],
        key=lambda row: (-row[1], row[0]))
    assert [p.spent for p in money.top_providers(session, usual)] == [30_000, 10_000]
    assert [p.spent for p in money.top_providers(session, january)] == [30_000]
    assert money.top_providers(session, read_filters({"funding": "nhs", "category": "personal_care"},
                                                     today=TODAY)) == []
