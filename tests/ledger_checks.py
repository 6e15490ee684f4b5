"""The ledger's rules (DESIGN §4), checked against the database: shared by every money test."""

from collections import Counter

from sqlalchemy import func
from sqlmodel import Session, select

from marketplace import ledger
from marketplace.models import LedgerTransaction, Posting


def assert_ledger_sound(session: Session, budget_id: int) -> ledger.Balances:
    """Every transaction sums to zero; balances summed in SQL match a sum by hand; money is
    conserved; no guarded account is below zero. Returns the balances for further checks."""
    unbalanced = session.exec(
        select(Posting.transaction_id).where(Posting.budget_id == budget_id)
        .group_by(Posting.transaction_id).having(func.sum(Posting.amount_pence) != 0)
    ).all()
    assert unbalanced == [], "every transaction sums to zero"
    by_hand = Counter()
    changes, sizes = Counter(), Counter()
    for transaction_id, account, amount in session.exec(
            select(Posting.transaction_id, Posting.account, Posting.amount_pence).where(Posting.budget_id == budget_id)):
        by_hand[account] += amount
        changes[transaction_id] += amount if account == "available" or account.startswith("committed:") else 0
        sizes[transaction_id] += max(amount, 0)
    kept_figures = {transaction_id: (change, size) for transaction_id, change, size in session.exec(
        select(LedgerTransaction.id, LedgerTransaction.unspent_change_pence, LedgerTransaction.moved_pence)
        .where(LedgerTransaction.budget_id == budget_id))}
    assert kept_figures == {transaction_id: (changes[transaction_id], sizes[transaction_id])
                            for transaction_id in sizes}, "kept transaction figures = sums of postings"
    figures = ledger.balances(session, budget_id)
    assert figures.accounts == {k: v for k, v in by_hand.items() if v}, "kept balances = sums of postings"
    assert ledger.summed_balances(session, budget_id) == figures.accounts
    assert ledger.kept_month_totals(session, budget_id) == ledger.summed_month_totals(session, budget_id), (
        "kept month totals = sums of postings")
    assert figures.allocated + figures.contributions == figures.unspent + figures.spent
    for account, balance in figures.accounts.items():
        if account == "available" or account.startswith(("committed:", "payable:")):
            assert balance >= 0, f"{account} went below zero"
    return figures
