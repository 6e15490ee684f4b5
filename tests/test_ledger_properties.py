"""Random sequences of money events never break the ledger's rules.

After every step: each transaction sums to zero; available, every commitment and every amount
owed to a provider stay at or above zero; balances() equals both the sum of the postings and
an independent model of what should have happened; replaying a key changes nothing.

200 examples by default; `pytest --hypothesis-profile=long tests/test_ledger_properties.py`
runs 1,000 examples of up to 50 steps.
"""

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import Session, select

from marketplace import ledger
from marketplace.models import Posting
from tests.factories import create_provider
from tests.factories_budget import create_budget
from tests.ledger_checks import assert_ledger_sound

amounts = st.integers(min_value=1, max_value=300_000)
packages = st.sampled_from(["package:1", "package:2", "package:3"])


def machine_settings() -> settings:
    if settings.get_current_profile_name() == "long":
        return settings()
    return settings(max_examples=200, stateful_step_count=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def test_random_money_events_keep_the_ledger_sound(app, session):
    engine = app.extensions["engine"]
    providers = [create_provider(session).id, create_provider(session).id]
    keys = itertools.count(1)

    class LedgerMachine(RuleBasedStateMachine):
        @initialize()
        def new_budget(self):
            self.budget_id = create_budget(session).id
            self.expected: Counter[str] = Counter()
            self.done: list[tuple] = []  # (function, arguments, transaction id) for replays

        def _post(self, function, expected_legs: dict[str, int] | None, **arguments):
            """Run one ledger call; expected_legs None means it must be refused for lack of money."""
            arguments = {"budget_id": self.budget_id, "actor": None,
                         "idempotency_key": f"{self.budget_id}:{next(keys)}", **arguments}
            with Session(engine, expire_on_commit=False) as db:
                try:
                    transaction = function(db, **arguments)
                    db.commit()
                except ledger.NotEnoughMoney:
                    assert expected_legs is None, f"{function.__name__} was refused but should not be"
                    return
                assert expected_legs is not None, f"{function.__name__} should have been refused"
                self.expected.update(expected_legs)
                self.done.append((function, arguments, transaction.id))

        def _room(self, account: str) -> int:
            return self.expected[account]

        @rule(amount=amounts, instalment=st.booleans())
        def allocate(self, amount, instalment):
            self._post(ledger.allocate, {"funding": -amount, "available": amount},
                       amount_pence=amount, instalment=instalment, memo="Paid in")

        @rule(amount=amounts)
        def contribute(self, amount):
            self._post(ledger.record_contribution, {"contribution": -amount, "available": amount},
                       amount_pence=amount, memo="Contribution")

        @rule(package=packages, amount=amounts)
        def commit(self, package, amount):
            enough = amount <= self._room("available")
            self._post(ledger.commit,
                       {"available": -amount, f"committed:{package}": amount} if enough else None,
                       commitment=package, amount_pence=amount, memo="Package approved")

        @rule(package=packages, amount=st.none() | amounts)
        def release(self, package, amount):
            left = self._room(f"committed:{package}")
            if amount is None and left == 0:
                return  # nothing to release: release() records nothing
            moved = left if amount is None else amount
            enough = moved <= left
            self._post(ledger.release,
                       {f"committed:{package}": -moved, "available": moved} if enough else None,
                       commitment=package, amount_pence=amount, memo="Package ended")

        @rule(package=packages, provider=st.sampled_from([0, 1]), amount=amounts)
        def approve_invoice(self, package, provider, amount):
            provider_id = providers[provider]
            enough = amount <= self._room(f"committed:{package}")
            self._post(ledger.approve_invoice,
                       {f"committed:{package}": -amount, f"payable:provider:{provider_id}": amount}
                       if enough else None,
                       commitment=package, provider_id=provider_id, amount_pence=amount, memo="Invoice")

        @rule(provider=st.sampled_from([0, 1]), amount=amounts)
        def pay(self, provider, amount):
            provider_id = providers[provider]
            enough = amount <= self._room(f"payable:provider:{provider_id}")
            self._post(ledger.record_payment,
                       {f"payable:provider:{provider_id}": -amount, "paid": amount} if enough else None,
                       provider_id=provider_id, amount_pence=amount, memo="Paid")

        @rule(amount=st.integers(min_value=-300_000, max_value=300_000).filter(bool))
        def adjust(self, amount):
            enough = amount > 0 or -amount <= self._room("available")
            self._post(ledger.adjust, {"funding": -amount, "available": amount} if enough else None,
                       amount_pence=amount, reason="Reassessed needs")

        @rule(amount=amounts)
        def claw_back(self, amount):
            enough = amount <= self._room("available")
            self._post(ledger.claw_back, {"available": -amount, "funding": amount} if enough else None,
                       amount_pence=amount, reason="Unspent for over 8 weeks")

        @precondition(lambda self: self.done)
        @rule(data=st.data())
        def replay_a_key(self, data):
            function, arguments, transaction_id = data.draw(st.sampled_from(self.done))
            with Session(engine, expire_on_commit=False) as db:
                again = function(db, **arguments)
                db.commit()
            assert again.id == transaction_id

        @precondition(lambda self: self.done)
        @rule(data=st.data())
        def reuse_a_key_for_something_else(self, data):
            _function, arguments, _transaction_id = data.draw(st.sampled_from(self.done))
            with Session(engine, expire_on_commit=False) as db:
                with pytest.raises(ledger.IdempotencyConflict):
                    ledger.allocate(db, budget_id=self.budget_id, amount_pence=1, actor=None,
                                    memo="Something else", idempotency_key=arguments["idempotency_key"])
                db.rollback()

        @invariant()
        def the_ledger_rules_hold(self):
            session.rollback()  # end the last read, so this one sees every commit since
            figures = assert_ledger_sound(session, self.budget_id)
            assert figures.accounts == {k: v for k, v in self.expected.items() if v}
            transactions = set(session.exec(
                select(Posting.transaction_id).where(Posting.budget_id == self.budget_id)).all())
            assert len(transactions) == len(self.done), "one transaction per successful call"

    run_state_machine_as_test(LedgerMachine, settings=machine_settings())
