"""Faster provider search and vetting lists

Revision ID: 0006_faster_provider_search
Revises: 0005_statement_index_by_budget_d
Create Date: 2026-11-26 03:39:17.026795
"""
from alembic import op


revision = '0006_faster_provider_search'
down_revision = '0005_statement_index_by_budget_d'
branch_labels = None
depends_on = None

TRIGRAM_INDEXES = {
    "ix_provider_name_trgm": ("provider", "name"),
    "ix_service_title_trgm": ("service", "title"),
    "ix_service_description_trgm": ("service", "description"),
}


def upgrade() -> None:
    with op.batch_alter_table('vettingcheck', schema=None) as batch_op:
        batch_op.create_index('ix_vettingcheck_expiry', ['status', 'expires_on'], unique=False)

    # Trigram (GIN) indexes on PostgreSQL make ILIKE '%word%' an index search; SQLite ignores
    # the PostgreSQL options and builds plain indexes, so both match the models.
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        op.create_index(name, table, [column], unique=False, postgresql_using="gin",
                        postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    for name, (table, _column) in TRIGRAM_INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('vettingcheck', schema=None) as batch_op:
        batch_op.drop_index('ix_vettingcheck_expiry')
