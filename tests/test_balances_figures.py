"""Spent, set aside, free to use and not yet spent are defined once, on Balances: the sums done
in SQL (statement, quarterly return, the council's list) mean exactly what the overview says."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace import ledger
from marketplace.budgets.budget_list import budget_list
from marketplace.ledger import Balances
from marketplace.models import Posting
from tests.factories import create_provider
from tests.factories_budget import create_budget


@pytest.fixture
def busy_budget(session):
    """Money in every kind of account: free, set aside, owed to a provider, paid."""
    budget = create_budget(session, paid_in_pence=100_000)
    provider = create_provider(session)
    common = {"session": session, "budget_id": budget.id, "actor": None}
    ledger.commit(**common, commitment="package:1", amount_pence=40_000, idempotency_key="set-aside", memo="Care")
    ledger.approve_invoice(**common, commitment="package:1", provider_id=provider.id, amount_pence=15_000,
                           idempotency_key="invoice", memo="Invoice")
    ledger.record_payment(**common, provider_id=provider.id, amount_pence=5_000, idempotency_key="paid", memo="Paid")
    ledger.record_contribution(**common, amount_pence=2_500, idempotency_key="own", memo="Own money")
    session.commit()
    return budget


@pytest.mark.parametrize(("figure", "expected"), [
    ("available", 62_500), ("committed", 25_000), ("spent", 15_000), ("unspent", 87_500)])
def test_each_figure_sums_the_same_in_sql_as_in_python(session, busy_budget, figure, expected):
    in_sql = session.exec(select(func.sum(Posting.amount_pence)).where(
        Posting.budget_id == busy_budget.id, Balances.where(figure, Posting.account))).one()
    assert in_sql == ledger.balances(session, busy_budget.id).total(figure) == expected


def test_the_councils_list_shows_the_overviews_figures(session, busy_budget):
    figures = ledger.balances(session, busy_budget.id)
    [row], _total = budget_list(session)
    assert (row.allocated, row.committed, row.spent, row.available) == (
        figures.allocated, figures.committed, figures.spent, figures.available)


def test_an_unknown_figure_is_a_mistake_in_the_code(session):
    with pytest.raises(KeyError):
        Balances().total("left over")
