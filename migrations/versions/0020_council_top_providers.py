"""The providers paid most in the insight pages' usual period, kept by the council-figures sweep
for every choice of funding source and category; the forecasts' day indexed

Revision ID: 0020_council_top_providers
Revises: 0019_statement_figures
Create Date: 2026-12-01 22:10:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0020_council_top_providers'
down_revision = '0019_statement_figures'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Left empty: the sweep fills it, and until then the money page sums the provider months.
    op.create_table(
        'counciltopprovider',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('first_month', sa.Date(), nullable=False),
        sa.Column('last_month', sa.Date(), nullable=False),
        sa.Column('funding_source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column('category_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('spent_pence', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    # The money page says when the morning sweep last forecast the budgets.
    op.create_index('ix_budgetforecast_worked_out_on', 'budgetforecast', ['worked_out_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_budgetforecast_worked_out_on', table_name='budgetforecast')
    op.drop_table('counciltopprovider')
