"""One list of kinds of support: budget categories and service categories share its keys, so a
service's cost counts against the budget category with the same key."""

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    create_engine,
    select,
)

from marketplace import migrate
from marketplace.budgets.forms import AllocateBudgetForm
from marketplace.budgets.service import budget_category_for_service
from marketplace.categories import SUPPORT_CATEGORIES, budget_category_key_for_service
from marketplace.providers.forms import BrowseForm, ServiceForm
from marketplace.storage import normalise_database_url
from tests.conftest import migrated_database
from tests.factories_budget import create_budget
from tests.factories_providers import add_service, create_listed_provider


@pytest.mark.parametrize("key", list(SUPPORT_CATEGORIES))
def test_a_service_counts_against_the_budget_category_with_the_same_key(key):
    assert budget_category_key_for_service(key) == key


@pytest.mark.parametrize("key", ["respite", "", "PERSONAL_CARE"])
def test_a_service_under_a_key_not_on_the_list_counts_as_other_support(key):
    assert budget_category_key_for_service(key) == "other"


def test_the_budget_category_for_a_service_is_found_in_that_budget_only(session):
    budget = create_budget(session, categories={"personal_care": 100_000, "transport": 20_000})
    other_budget = create_budget(session, categories={"equipment": 50_000})
    provider = create_listed_provider(session, services=0)
    care = add_service(session, provider, category="personal_care")
    bath_lift = add_service(session, provider, category="equipment")

    found = budget_category_for_service(session, budget_id=budget.id, service=care)
    assert (found.budget_id, found.key) == (budget.id, "personal_care")
    assert budget_category_for_service(session, budget_id=budget.id, service=bath_lift) is None
    assert budget_category_for_service(session, budget_id=other_budget.id, service=bath_lift).key == "equipment"


def test_budgets_services_and_browse_offer_the_same_list(app):
    with app.test_request_context():
        allocation_keys = [field.name.removeprefix("category_") for field in AllocateBudgetForm().category_fields()]
        service_keys = [choice.value for choice in ServiceForm().category.choices if choice.value]
        browse_keys = [choice.value for choice in BrowseForm().category.choices if choice.value]
    assert allocation_keys == service_keys == browse_keys == list(SUPPORT_CATEGORIES)


def _insert(connection, metadata, table_name: str, **values) -> int:
    """Add a row, filling the other required columns with plain values of their type."""
    table = metadata.tables[table_name]
    fillers = {Integer: 1, Boolean: False, Float: 0.0, DateTime: datetime(2026, 1, 1, tzinfo=UTC),
               Date: date(2026, 1, 1), JSON: {}}
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key or column.server_default is not None:
            continue
        row[column.name] = next((v for kind, v in fillers.items() if isinstance(column.type, kind)),
                                "x")
    return connection.execute(table.insert().values(**row)).inserted_primary_key[0]


def test_migration_0007_moves_existing_rows_onto_the_one_list(tmp_path_factory):
    with migrated_database(tmp_path_factory, "categories") as url:
        command.downgrade(migrate.alembic_config(url), "0006_faster_provider_search")
        engine = create_engine(normalise_database_url(url))
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.begin() as connection:
            user = _insert(connection, metadata, "user", email="sam@example.org")
            person = _insert(connection, metadata, "person", user_id=user)
            budget = _insert(connection, metadata, "budget", person_id=person, created_by_id=None)
            provider = _insert(connection, metadata, "provider", name="Old Care")
            for key, name in (("short_breaks", "Short breaks and respite"), ("employing_a_pa", "Employing a PA"),
                              ("respite", "Respite")):
                _insert(connection, metadata, "budgetcategory", budget_id=budget, key=key, name=name)
            for category in ("domestic_help", "befriending"):
                _insert(connection, metadata, "service", provider_id=provider, category=category, title=category)
        migrate.upgrade(url)
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            categories = dict(connection.execute(select(metadata.tables["budgetcategory"].c["key", "name"])).all())
            services = dict(connection.execute(select(metadata.tables["service"].c["title", "category"])).all())
        engine.dispose()
    assert categories == {"short_breaks": "Short breaks", "employing_a_pa": "Employing a personal assistant",
                          "other": "Other support"}
    assert services == {"domestic_help": "domestic_help", "befriending": "other"}
