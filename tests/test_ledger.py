"""The ledger: balanced, append-only, idempotent, and never overspent — even under concurrency."""

from datetime import date

import pytest
from sqlmodel import Session, select

from marketplace import ledger
from marketplace.models import LedgerTransaction, Posting
from marketplace.models.audit import AppendOnlyError
from tests.factories import create_provider
from tests.factories_budget import create_budget
from tests.race import at_once


def test_an_allocation_moves_money_from_funding_to_available(session):
    budget = create_budget(session)
    ledger.allocate(session, budget_id=budget.id, amount_pence=144_000, idempotency_key="k1",
                    actor=None, memo="First instalment", instalment=True)
    session.commit()
    figures = ledger.balances(session, budget.id)
    assert figures.accounts == {"funding": -144_000, "available": 144_000}
    assert (figures.allocated, figures.available, figures.committed, figures.spent) == (144_000, 144_000, 0, 0)


def test_the_full_money_path_keeps_every_figure_consistent(session):
    budget = create_budget(session, paid_in_pence=100_000)
    provider_id = create_provider(session).id
    common = {"budget_id": budget.id, "actor": None}
    ledger.record_contribution(session, **common, amount_pence=5_000, idempotency_key="c", memo="Contribution")
    ledger.commit(session, **common, commitment="package:7", amount_pence=60_000, idempotency_key="p", memo="Package 7")
    ledger.approve_invoice(session, **common, commitment="package:7", provider_id=provider_id, amount_pence=25_000,
                           idempotency_key="i", memo="Invoice 1")
    ledger.record_payment(session, **common, provider_id=provider_id, amount_pence=25_000, idempotency_key="pay", memo="Paid")
    released = ledger.release(session, **common, commitment="package:7", idempotency_key="r", memo="Ended")
    session.commit()
    figures = ledger.balances(session, budget.id)
    assert released.kind == "release"
    assert figures.allocated == 100_000
    assert figures.contributions == 5_000
    assert figures.committed == 0
    assert figures.spent == figures.paid == 25_000
    assert figures.available == 80_000
    assert figures.allocated + figures.contributions == figures.available + figures.committed + figures.spent


@pytest.mark.parametrize("legs, message", [
    ({"funding": -100, "available": 99}, "add up to zero"),
    ({"available": 100}, "at least two legs"),
    ({"funding": -100, "wallet": 100}, "not a ledger account"),
    ({"funding": -1.5, "available": 1.5}, "whole pence"),
    ({"funding": 0, "available": 0}, "cannot be zero"),
    ([("funding", -100), ("available", 50), ("available", 50)], "appears twice"),
])
def test_malformed_transactions_are_refused_and_nothing_is_written(session, legs, message):
    budget = create_budget(session)
    with pytest.raises(ledger.UnbalancedTransaction, match=message):
        ledger.post(session, budget_id=budget.id, kind="allocation", legs=legs,
                    idempotency_key="bad", actor=None, memo="Bad")
    session.rollback()
    assert session.exec(select(Posting)).all() == []


def test_available_money_cannot_go_below_zero(session):
    budget = create_budget(session, paid_in_pence=10_000)
    with pytest.raises(ledger.NotEnoughMoney) as refused:
        ledger.commit(session, budget_id=budget.id, commitment="package:1", amount_pence=10_001,
                      idempotency_key="too-much", actor=None, memo="Too much")
    assert str(refused.value) == ("There is not enough money in the budget: £100.00 is free to use "
                                  "and this needs £100.01.")


def test_a_commitment_cannot_go_below_zero(session):
    budget = create_budget(session, paid_in_pence=10_000)
    ledger.commit(session, budget_id=budget.id, commitment="package:1", amount_pence=5_000,
                  idempotency_key="c", actor=None, memo="Package")
    with pytest.raises(ledger.NotEnoughMoney, match="Only £50.00 is set aside"):
        ledger.approve_invoice(session, budget_id=budget.id, commitment="package:1",
                               provider_id=create_provider(session).id,
                               amount_pence=5_001, idempotency_key="i", actor=None, memo="Invoice")


def test_a_replayed_key_returns_the_same_transaction_and_changes_nothing(session):
    budget = create_budget(session, paid_in_pence=10_000)
    arguments = {"budget_id": budget.id, "commitment": "package:1", "amount_pence": 4_000,
                 "idempotency_key": "approve-package-1", "actor": None, "memo": "Package 1"}
    first = ledger.commit(session, **arguments)
    session.commit()
    again = ledger.commit(session, **arguments)
    session.commit()
    assert again.id == first.id
    assert ledger.balances(session, budget.id).available == 6_000


def test_a_key_reused_for_different_content_is_an_error(session):
    budget = create_budget(session, paid_in_pence=10_000)
    ledger.commit(session, budget_id=budget.id, commitment="package:1", amount_pence=4_000,
                  idempotency_key="same-key", actor=None, memo="Package 1")
    with pytest.raises(ledger.IdempotencyConflict):
        ledger.commit(session, budget_id=budget.id, commitment="package:1", amount_pence=4_001,
                      idempotency_key="same-key", actor=None, memo="Package 1")


@pytest.mark.parametrize("change", [ledger.adjust, ledger.claw_back])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_adjustments_and_clawbacks_need_a_reason(session, change, reason):
    budget = create_budget(session, paid_in_pence=10_000)
    with pytest.raises(ledger.LedgerError, match="reason"):
        change(session, budget_id=budget.id, amount_pence=100, reason=reason,
               idempotency_key="no-reason", actor=None)


def test_a_clawback_cannot_take_more_than_is_available(session):
    budget = create_budget(session, paid_in_pence=10_000)
    with pytest.raises(ledger.NotEnoughMoney):
        ledger.claw_back(session, budget_id=budget.id, amount_pence=10_001, reason="Unspent",
                         idempotency_key="claw", actor=None)


def test_a_reversal_undoes_a_transaction_with_a_new_one(session):
    budget = create_budget(session, paid_in_pence=10_000)
    mistake = ledger.adjust(session, budget_id=budget.id, amount_pence=5_000, reason="Typo",
                            idempotency_key="adj", actor=None)
    ledger.reverse(session, transaction_id=mistake.id, reason="Entered twice",
                   idempotency_key="undo-adj", actor=None)
    session.commit()
    assert ledger.balances(session, budget.id).available == 10_000
    assert len(session.exec(select(LedgerTransaction)).all()) == 3


def test_postings_and_transactions_are_never_changed_or_deleted(session):
    budget = create_budget(session, paid_in_pence=10_000)
    posting = session.exec(select(Posting)).first()
    posting.amount_pence = 1
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()
    with pytest.raises(AppendOnlyError):
        session.delete(session.exec(select(LedgerTransaction)).first())
        session.commit()
    session.rollback()
    assert ledger.balances(session, budget.id).available == 10_000


def test_balances_between_dates_count_only_those_days(session):
    budget = create_budget(session)
    for number, day in enumerate([date(2026, 4, 1), date(2026, 4, 29), date(2026, 5, 27)], start=1):
        ledger.allocate(session, budget_id=budget.id, amount_pence=144_000, instalment=True,
                        idempotency_key=f"inst-{number}", actor=None, memo="Instalment", effective_on=day)
    session.commit()
    assert ledger.balances(session, budget.id, to_date=date(2026, 4, 30)).allocated == 288_000
    assert ledger.balances(session, budget.id, from_date=date(2026, 5, 1)).allocated == 144_000


def test_fifty_people_committing_at_once_cannot_overspend(app, session):
    """50 threads each try to set aside £100 from £1,000: exactly 10 succeed."""
    budget = create_budget(session, paid_in_pence=100_000)
    engine = app.extensions["engine"]

    def try_to_commit(number: int) -> str:
        with Session(engine, expire_on_commit=False) as thread_session:
            try:
                ledger.commit(thread_session, budget_id=budget.id, commitment=f"package:{number}",
                              amount_pence=10_000, idempotency_key=f"approve:{number}",
                              actor=None, memo=f"Package {number}")
                thread_session.commit()
                return "committed"
            except ledger.NotEnoughMoney:
                thread_session.rollback()
                return "not enough money"

    outcomes = at_once(50, try_to_commit)

    assert outcomes.count("committed") == 10
    assert outcomes.count("not enough money") == 40
    figures = ledger.balances(session, budget.id)
    assert figures.available == 0
    assert figures.committed == 100_000
    assert len(session.exec(select(LedgerTransaction).where(LedgerTransaction.kind == "commitment")).all()) == 10


def test_the_same_request_arriving_ten_times_at_once_is_recorded_once(app, session):
    """A retried webhook or a double click racing itself: one transaction, every caller gets it."""
    budget = create_budget(session, paid_in_pence=100_000)
    engine = app.extensions["engine"]

    def approve(_number: int) -> int:
        with Session(engine, expire_on_commit=False) as thread_session:
            transaction = ledger.commit(thread_session, budget_id=budget.id, commitment="package:1",
                                        amount_pence=10_000, idempotency_key="approve:package:1",
                                        actor=None, memo="Package 1")
            thread_session.commit()
            return transaction.id

    transaction_ids = at_once(10, approve)

    assert len(transaction_ids) == 10 and len(set(transaction_ids)) == 1
    assert ledger.balances(session, budget.id).available == 90_000


def test_flask_ledger_check_proves_kept_balances_equal_the_postings(runner, session):
    from sqlmodel import update as sql_update

    from marketplace.models import LedgerBalance, LedgerMonthTotal

    budget = create_budget(session, paid_in_pence=50_000)
    result = runner.invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output
    assert "Kept balances, month totals and transaction figures equal the postings for all 1 budgets" in result.output
    session.exec(sql_update(LedgerBalance).where(LedgerBalance.budget_id == budget.id,
                                                 LedgerBalance.account == "available")
                 .values(balance_pence=LedgerBalance.balance_pence + 1))
    session.commit()
    result = runner.invoke(args=["ledger", "check"])
    assert result.exit_code != 0
    assert f"Budget {budget.id}, available: kept" in result.output
    session.exec(sql_update(LedgerMonthTotal).where(LedgerMonthTotal.budget_id == budget.id,
                                                    LedgerMonthTotal.kind == "funding")
                 .values(amount_pence=0))
    session.commit()
    result = runner.invoke(args=["ledger", "check"])
    assert f"Budget {budget.id}, funding in " in result.output
    paid_in = session.exec(select(LedgerTransaction).where(LedgerTransaction.budget_id == budget.id)).one()
    session.exec(sql_update(LedgerTransaction).where(LedgerTransaction.id == paid_in.id)
                 .values(unspent_change_pence=0, moved_pence=1))
    session.commit()
    result = runner.invoke(args=["ledger", "check"])
    assert (f"Budget {budget.id}, transaction {paid_in.id}: change to money not yet spent: kept 0, "
            "postings add up to 50000") in result.output
    assert f"Budget {budget.id}, transaction {paid_in.id}: size: kept 1, postings add up to 50000" in result.output


@pytest.mark.parametrize(("from_date", "to_date"), [
    (date(2026, 4, 1), date(2027, 3, 31)), (date(2026, 4, 15), date(2026, 7, 3)),
    (date(2026, 5, 1), date(2026, 5, 31)), (date(2026, 5, 1), date(2026, 5, 30)),
    (date(2026, 5, 31), date(2026, 6, 1)), (date(2026, 6, 30), date(2026, 8, 31)),
])
def test_spending_between_two_dates_reads_whole_months_from_the_kept_totals(session, from_date, to_date):
    budget = create_budget(session, paid_in_pence=1_000_000)
    provider = create_provider(session)
    ledger.commit(session, budget_id=budget.id, commitment="package:1", amount_pence=500_000,
                  idempotency_key="set-aside", actor=None, memo="Care", effective_on=date(2026, 4, 1))
    for day in (date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 31), date(2026, 6, 1),
                date(2026, 6, 30), date(2026, 7, 3), date(2026, 8, 31)):
        ledger.approve_invoice(session, budget_id=budget.id, commitment="package:1", provider_id=provider.id,
                               amount_pence=day.day * 100 + day.month, idempotency_key=f"invoice:{day}",
                               actor=None, memo="Invoice", effective_on=day)
    session.commit()
    expected = ledger.balances(session, budget.id, from_date=from_date, to_date=to_date).spent
    assert expected > 0
    assert ledger.spent_between(session, budget.id, from_date, to_date) == expected
