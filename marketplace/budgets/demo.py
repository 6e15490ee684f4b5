"""Demo budgets: Sam's with months of history, Jo's smaller one.

Care packages come in a later part of the service, so the history's commitments name an
example reference ("example:home-care") rather than a package, and say so in the memo.
Every money movement goes through the ledger with a fixed key, so a second run adds nothing.
"""

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import select

from marketplace import ledger
from marketplace.budgets.service import instalments, post_due_instalments
from marketplace.models import Budget, BudgetCategory, LedgerTransaction, Person, Provider, User

SAM_CATEGORIES = [
    ("personal_care", "Personal care", 1_170_000),
    ("community_activities", "Community activities", 312_000),
    ("short_breaks", "Short breaks", 200_000),
    ("transport", "Transport", 100_000),
    ("equipment", "Equipment", 90_000),
]
HOME_CARE_PER_WEEK = 24_000  # 12 hours at £20
DAY_SERVICE_PER_WEEK = 5_000
MONTHLY_CONTRIBUTION = 2_500


def load_budget_demo(demo, *, users: dict[str, User], people: dict[str, Person],
                     providers: dict[str, Provider], today: date | None = None) -> None:
    session = demo.session
    today = today or ledger.uk_today()
    before = session.exec(select(func.count()).select_from(LedgerTransaction)).one()
    council = users["council@example.org"]

    sam_budget = demo.get_or_add(Budget, {
        "period_end": date(2027, 3, 31), "allocation_pence": 1_872_000, "funding_source": "council",
        "schedule": "four_weekly", "created_by_id": council.id,
    }, person_id=people["sam@example.org"].id, period_start=date(2026, 4, 1))
    sam_categories = {
        key: demo.get_or_add(BudgetCategory, {"name": name, "allocation_pence": amount},
                             budget_id=sam_budget.id, key=key)
        for key, name, amount in SAM_CATEGORIES
    }
    jo_budget = demo.get_or_add(Budget, {
        "period_end": date(2027, 3, 31), "allocation_pence": 650_000, "funding_source": "joint",
        "schedule": "up_front", "created_by_id": council.id,
    }, person_id=people["jo@example.org"].id, period_start=date(2026, 4, 1))
    jo_equipment = demo.get_or_add(BudgetCategory, {"name": "Equipment", "allocation_pence": 150_000},
                                   budget_id=jo_budget.id, key="equipment")

    post_due_instalments(session, today=today, actor=council)
    _sam_history(session, sam_budget, sam_categories, users, providers, today)
    _jo_history(session, jo_budget, jo_equipment, users, providers, today)

    after = session.exec(select(func.count()).select_from(LedgerTransaction)).one()
    demo.created += after - before


def _sam_history(session, budget, categories, users, providers, today):
    sam, priya, council = users["sam@example.org"], users["priya@example.org"], users["council@example.org"]
    home_care, day_service = providers["Brightpath Home Care"], providers["Meanwood Day Opportunities"]
    plans = [
        ("home-care", home_care, categories["personal_care"], HOME_CARE_PER_WEEK, "Home care from Brightpath"),
        ("day-service", day_service, categories["community_activities"], DAY_SERVICE_PER_WEEK,
         "Day service at Meanwood"),
    ]
    key = f"demo:budget:{budget.id}"
    for instalment in instalments(budget):
        block_start = instalment.due_on
        if block_start > today:
            break
        for slug, provider, category, weekly, description in plans:
            commitment = f"example:{slug}"
            ledger.commit(
                session, budget_id=budget.id, commitment=commitment, amount_pence=weekly * 4 + 1_000,
                idempotency_key=f"{key}:{slug}:commit:{instalment.number}", actor=priya,
                memo=f"{description}, 4 weeks (example history, before care packages were online)",
                category_id=category.id, provider_id=provider.id, effective_on=block_start)
            for week in range(1, 5):
                invoiced_on = block_start + timedelta(weeks=week)
                if invoiced_on > today:
                    break
                ledger.approve_invoice(
                    session, budget_id=budget.id, commitment=commitment, provider_id=provider.id,
                    amount_pence=weekly, idempotency_key=f"{key}:{slug}:invoice:{instalment.number}:{week}",
                    actor=sam, memo=f"{description}, week to {invoiced_on.day} {invoiced_on:%B}",
                    category_id=category.id, effective_on=invoiced_on)
                paid_on = invoiced_on + timedelta(days=3)
                if paid_on <= today:
                    ledger.record_payment(
                        session, budget_id=budget.id, provider_id=provider.id, amount_pence=weekly,
                        idempotency_key=f"{key}:{slug}:payment:{instalment.number}:{week}",
                        actor=council, memo=f"Paid {provider.name}", category_id=category.id,
                        effective_on=paid_on)
    month = date(2026, 5, 1)
    while month <= today:
        ledger.record_contribution(
            session, budget_id=budget.id, amount_pence=MONTHLY_CONTRIBUTION,
            idempotency_key=f"{key}:contribution:{month:%Y-%m}", actor=sam,
            memo=f"Your contribution for {month:%B %Y}", effective_on=month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    adjusted_on = date(2026, 9, 14)
    if adjusted_on <= today:
        ledger.adjust(session, budget_id=budget.id, amount_pence=15_000, actor=council,
                      idempotency_key=f"{key}:adjustment:wheelchair-repair",
                      reason="Review on 10 September agreed a one-off wheelchair repair",
                      memo="Extra money for a wheelchair repair", effective_on=adjusted_on)


def _jo_history(session, budget, equipment, users, providers, today):
    jo, council = users["jo@example.org"], users["council@example.org"]
    supplier = providers["Kirkstall Mobility Aids"]
    key = f"demo:budget:{budget.id}"
    steps = [
        (date(2026, 5, 4), lambda day: ledger.commit(
            session, budget_id=budget.id, commitment="example:bath-lift", amount_pence=120_000,
            idempotency_key=f"{key}:bath-lift:commit", actor=jo,
            memo="Bath lift and fitting (example history, before care packages were online)",
            category_id=equipment.id, provider_id=supplier.id, effective_on=day)),
        (date(2026, 6, 1), lambda day: ledger.approve_invoice(
            session, budget_id=budget.id, commitment="example:bath-lift", provider_id=supplier.id,
            amount_pence=85_000, idempotency_key=f"{key}:bath-lift:invoice", actor=jo,
            memo="Bath lift, fitted", category_id=equipment.id, effective_on=day)),
        (date(2026, 6, 4), lambda day: ledger.record_payment(
            session, budget_id=budget.id, provider_id=supplier.id, amount_pence=85_000,
            idempotency_key=f"{key}:bath-lift:payment", actor=council,
            memo=f"Paid {supplier.name}", category_id=equipment.id, effective_on=day)),
    ]
    for day, step in steps:
        if day <= today:
            step(day)
