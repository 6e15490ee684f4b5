"""One list of support categories for budgets and services; services are withdrawn, not deleted

Revision ID: 0007_one_list_of_categories
Revises: 0006_faster_provider_search
Create Date: 2026-12-01 11:55:00
"""
import sqlalchemy as sa
from alembic import op

import marketplace.models.types

revision = '0007_one_list_of_categories'
down_revision = '0006_faster_provider_search'
branch_labels = None
depends_on = None

# The list as it stood when this ran (marketplace.categories may change later; this must not).
SUPPORT_CATEGORIES = {
    "personal_care": "Personal care",
    "domestic_help": "Help at home",
    "short_breaks": "Short breaks",
    "community_activities": "Community activities",
    "day_services": "Day services",
    "equipment": "Equipment",
    "transport": "Transport",
    "employing_a_pa": "Employing a personal assistant",
    "other": "Other support",
}

service = sa.table("service", sa.column("category", sa.String))
budget_category = sa.table("budgetcategory", sa.column("id", sa.Integer), sa.column("budget_id", sa.Integer),
                           sa.column("key", sa.String), sa.column("name", sa.String))


def upgrade() -> None:
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', marketplace.models.types.UTCDateTime(timezone=True),
                                      nullable=True))

    known = list(SUPPORT_CATEGORIES)
    # Services under a key that is not on the list are listed as other support.
    op.execute(service.update().where(service.c.category.not_in(known)).values(category="other"))
    # A budget category with a key not on the list becomes other support, unless the budget
    # already has that category (then it keeps its key, and its money shows under its own name).
    other = budget_category.alias("other")
    op.execute(budget_category.update().where(
        budget_category.c.key.not_in(known),
        ~sa.exists().where(other.c.budget_id == budget_category.c.budget_id, other.c.key == "other"),
    ).values(key="other"))
    # Budget categories take the list's names, so a budget and a service say the same words.
    for key, name in SUPPORT_CATEGORIES.items():
        op.execute(budget_category.update().where(budget_category.c.key == key).values(name=name))


def downgrade() -> None:
    # Keys and names stay as they are: every new key was already allowed for services.
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
