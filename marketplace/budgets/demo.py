"""Demo budgets for the current financial year: Sam's with months of history, Jo's smaller one.

The period is always the council's year around today, so the demo never goes stale. Sam's
support went online four weeks ago (`packages_online_from`): from then on it is a real care
package, billed by real invoices (marketplace/invoices/demo.py). The history before that is
set aside under an example reference ("example:home-care") for exactly what was invoiced in
each 4-week block, and the memo says so; nothing is left set aside once a block's invoices are
in. Every money movement goes through the ledger with a fixed key, so a second run adds nothing.
"""

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import select

from marketplace import ledger
from marketplace.budgets.service import allocate_budget, instalments, post_due_instalments
from marketplace.dates import add_months, financial_year
from marketplace.demo_data import DemoData
from marketplace.models import Budget, BudgetCategory, CarePackage, LedgerTransaction, Person, User
from marketplace.scope import scope_for

SAM_CATEGORIES = {
    "personal_care": 1_170_000,
    "community_activities": 312_000,
    "short_breaks": 200_000,
    "transport": 100_000,
    "equipment": 90_000,
}
SAM_ALLOCATION = 1_872_000
JO_ALLOCATION = 650_000
HOME_CARE_PER_WEEK = 24_000  # 12 hours at £20
DAY_SERVICE_PER_WEEK = 5_000
MONTHLY_CONTRIBUTION = 2_500
WEEKS_PER_BLOCK = 4
EXAMPLE = "example history, before care packages were online"
SAMS_AGREED_PACKAGE = "Mornings and evenings out"
WEEKS_ONLINE = 4


def packages_online_from(demo: DemoData, budget: Budget) -> date:
    """The day Sam's agreed package started: four weeks ago (or the budget's first day), kept
    once the package exists so a run on a later day agrees with the first."""
    started = demo.session.exec(select(CarePackage.start_on).where(
        CarePackage.budget_id == budget.id, CarePackage.title == SAMS_AGREED_PACKAGE)).first()
    return started or max(budget.period_start, demo.today - timedelta(weeks=WEEKS_ONLINE))


def load_budget_demo(demo: DemoData) -> None:
    before = _transaction_count(demo)
    council = demo.users["council@example.org"]
    start, end = financial_year(demo.today)
    sam_budget = _budget(demo, demo.people["sam@example.org"], council, start, end, SAM_ALLOCATION,
                         funding_source="council", schedule="four_weekly", categories=SAM_CATEGORIES)
    jo_budget = _budget(demo, demo.people["jo@example.org"], council, start, end, JO_ALLOCATION,
                        funding_source="joint", schedule="up_front", categories={"equipment": 150_000})
    post_due_instalments(demo.session, today=demo.today, actor=council)
    sam_categories = {c.key: c for c in demo.session.exec(
        select(BudgetCategory).where(BudgetCategory.budget_id == sam_budget.id)).all()}
    jo_equipment = demo.session.exec(select(BudgetCategory).where(
        BudgetCategory.budget_id == jo_budget.id, BudgetCategory.key == "equipment")).one()
    _sam_history(demo, sam_budget, sam_categories)
    _jo_history(demo, jo_budget, jo_equipment)
    demo.created += _transaction_count(demo) - before


def _transaction_count(demo: DemoData) -> int:
    return demo.session.exec(select(func.count()).select_from(LedgerTransaction)).one()


def _budget(demo: DemoData, person: Person, council: User, start, end, allocation: int, *,
            funding_source: str, schedule: str, categories: dict[str, int]) -> Budget:
    """This year's budget and its split, given by the council as a commissioner would."""
    budget = demo.session.exec(select(Budget).where(Budget.person_id == person.id,
                                                    Budget.period_start == start)).first()
    if budget is None:
        budget = allocate_budget(demo.session, person_id=person.id, period_start=start, period_end=end,
                                 allocation_pence=allocation, funding_source=funding_source,
                                 schedule=schedule, categories=categories,
                                 scope=scope_for(demo.session, council), today=demo.today)
        demo.created += 1
    return budget


def _sam_history(demo: DemoData, budget: Budget, categories: dict[str, BudgetCategory]) -> None:
    users, providers, today = demo.users, demo.providers, demo.today
    sam, priya, council = users["sam@example.org"], users["priya@example.org"], users["council@example.org"]
    home_care, day_service = providers["Brightpath Home Care"], providers["Meanwood Day Opportunities"]
    plans = [
        ("home-care", home_care, categories["personal_care"], HOME_CARE_PER_WEEK, "Home care from Brightpath"),
        ("day-service", day_service, categories["community_activities"], DAY_SERVICE_PER_WEEK,
         "Day service at Meanwood"),
    ]
    key = f"demo:budget:{budget.id}"
    online_from = packages_online_from(demo, budget)
    for instalment in instalments(budget):
        block_start = instalment.due_on
        # Weeks of the block that ended before the care package took over.
        weeks = sum(block_start + timedelta(weeks=week) <= online_from for week in range(1, WEEKS_PER_BLOCK + 1))
        if weeks == 0:
            break
        for slug, provider, category, weekly, description in plans:
            commitment = f"example:{slug}"
            ledger.commit(demo.session, budget_id=budget.id, commitment=commitment,
                  amount_pence=weekly * weeks,
                  idempotency_key=f"{key}:{slug}:commit:{instalment.number}", actor=priya,
                  memo=f"{description}, {weeks} weeks ({EXAMPLE})",
                  category_id=category.id, provider_id=provider.id, effective_on=block_start)
            for week in range(1, weeks + 1):
                invoiced_on = block_start + timedelta(weeks=week)
                ledger.approve_invoice(demo.session, budget_id=budget.id, commitment=commitment,
                      provider_id=provider.id, amount_pence=weekly,
                      idempotency_key=f"{key}:{slug}:invoice:{instalment.number}:{week}",
                      actor=sam, memo=f"{description}, week to {invoiced_on.day} {invoiced_on:%B}",
                      category_id=category.id, effective_on=invoiced_on)
                paid_on = invoiced_on + timedelta(days=3)
                if paid_on <= today:
                    ledger.record_payment(demo.session, budget_id=budget.id, provider_id=provider.id,
                          amount_pence=weekly,
                          idempotency_key=f"{key}:{slug}:payment:{instalment.number}:{week}",
                          actor=council, memo=f"Paid {provider.name}", category_id=category.id,
                          effective_on=paid_on)
    month = add_months(budget.period_start, 1)
    while month <= today:
        ledger.record_contribution(demo.session, budget_id=budget.id, amount_pence=MONTHLY_CONTRIBUTION,
              idempotency_key=f"{key}:contribution:{month:%Y-%m}", actor=sam,
              memo=f"Your contribution for {month:%B %Y}", effective_on=month)
        month = add_months(month, 1)
    adjusted_on = budget.period_start + timedelta(days=166)  # mid-September
    if adjusted_on <= today:
        ledger.adjust(demo.session, budget_id=budget.id, amount_pence=15_000, actor=council,
              idempotency_key=f"{key}:adjustment:wheelchair-repair",
              reason="The September review agreed a one-off wheelchair repair",
              memo="Extra money for a wheelchair repair", effective_on=adjusted_on)


def _jo_history(demo: DemoData, budget: Budget, equipment: BudgetCategory) -> None:
    jo, council = demo.users["jo@example.org"], demo.users["council@example.org"]
    supplier = demo.providers["Kirkstall Mobility Aids"]
    key = f"demo:budget:{budget.id}"
    start = budget.period_start
    steps = [
        (start + timedelta(days=33), ledger.commit, {
            "commitment": "example:bath-lift", "amount_pence": 85_000,
            "idempotency_key": f"{key}:bath-lift:commit", "actor": jo,
            "memo": f"Bath lift and fitting ({EXAMPLE})", "provider_id": supplier.id}),
        (start + timedelta(days=61), ledger.approve_invoice, {
            "commitment": "example:bath-lift", "provider_id": supplier.id, "amount_pence": 85_000,
            "idempotency_key": f"{key}:bath-lift:invoice", "actor": jo, "memo": "Bath lift, fitted"}),
        (start + timedelta(days=64), ledger.record_payment, {
            "provider_id": supplier.id, "amount_pence": 85_000,
            "idempotency_key": f"{key}:bath-lift:payment", "actor": council,
            "memo": f"Paid {supplier.name}"}),
    ]
    for day, move, arguments in steps:
        if day <= demo.today:
            move(demo.session, budget_id=budget.id, category_id=equipment.id, effective_on=day, **arguments)
