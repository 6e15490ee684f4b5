"""The council's money figures: month totals also keep what moved in (money newly set aside);
each running budget's forecast is kept by the morning sweep; the council's totals (money, and
the vetted providers in each district) are rolled up every 15 minutes

Revision ID: 0017_council_money
Revises: 0016_speed_at_scale
Create Date: 2026-12-01 17:40:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import marketplace.models.types

revision = '0017_council_money'
down_revision = '0016_speed_at_scale'
branch_labels = None
depends_on = None

# As the ledger defines them at this revision (ledger.month_totals_from_postings), written out so
# that later changes to the ledger's code cannot change what this revision does.
ACCOUNT_KIND = ("CASE WHEN p.account LIKE 'committed:%' THEN 'committed' "
                "WHEN p.account LIKE 'payable:provider:%' THEN 'payable' ELSE p.account END")


def _month_of(day: str) -> str:
    if op.get_context().dialect.name == "postgresql":
        return f"CAST(date_trunc('month', {day}) AS date)"
    return f"date({day}, 'start of month')"


def upgrade() -> None:
    with op.batch_alter_table('ledgermonthtotal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_in_pence', sa.Integer(), nullable=False, server_default='0'))
    # The council's figures read every budget's totals for a run of months.
    op.create_index('ix_ledgermonthtotal_month_kind', 'ledgermonthtotal', ['month', 'kind'], unique=False)
    op.execute("DELETE FROM ledgermonthtotal")
    op.execute(
        "INSERT INTO ledgermonthtotal (budget_id, month, category_id, kind, amount_pence, moved_in_pence) "
        "SELECT budget_id, month, category_id, kind, SUM(moved), "
        "SUM(CASE WHEN moved > 0 THEN moved ELSE 0 END) FROM ("
        f"  SELECT p.budget_id, {_month_of('t.effective_on')} AS month, t.category_id, {ACCOUNT_KIND} AS kind,"
        "   SUM(p.amount_pence) AS moved"
        "  FROM posting p JOIN ledgertransaction t ON t.id = p.transaction_id"
        f"  GROUP BY p.transaction_id, p.budget_id, t.effective_on, t.category_id, {ACCOUNT_KIND}"
        ") AS per_transaction GROUP BY budget_id, month, category_id, kind")

    op.create_table(
        'budgetforecast',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('worked_out_on', sa.Date(), nullable=False),
        sa.Column('weekly_spend_pence', sa.Integer(), nullable=False),
        sa.Column('spend_to_come_pence', sa.Integer(), nullable=False),
        sa.Column('left_at_end_pence', sa.Integer(), nullable=False),
        sa.Column('runs_out_on', sa.Date(), nullable=True),
        sa.Column('money_left_over', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('budget_id'),
    )
    op.create_index('ix_budgetforecast_runs_out_on', 'budgetforecast', ['runs_out_on'], unique=False)
    op.create_index('ix_budgetforecast_money_left_over', 'budgetforecast', ['money_left_over'], unique=False)

    op.create_table(
        'councilmonthtotal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('funding_source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('category_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('amount_pence', sa.Integer(), nullable=False),
        sa.Column('moved_in_pence', sa.Integer(), nullable=False),
        sa.Column('worked_out_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_councilmonthtotal_month', 'councilmonthtotal', ['month'], unique=False)
    op.create_table(
        'councilprovidermonth',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('funding_source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('category_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('spent_pence', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_councilprovidermonth_month', 'councilprovidermonth', ['month'], unique=False)
    op.create_table(
        'councilchoice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('providers', sa.Integer(), nullable=False),
        sa.Column('lowest_pence', sa.Integer(), nullable=False),
        sa.Column('highest_pence', sa.Integer(), nullable=False),
        sa.Column('worked_out_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'councildistrict',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('councildistrict')
    op.drop_table('councilchoice')
    op.drop_index('ix_councilprovidermonth_month', table_name='councilprovidermonth')
    op.drop_table('councilprovidermonth')
    op.drop_index('ix_councilmonthtotal_month', table_name='councilmonthtotal')
    op.drop_table('councilmonthtotal')
    op.drop_index('ix_budgetforecast_money_left_over', table_name='budgetforecast')
    op.drop_index('ix_budgetforecast_runs_out_on', table_name='budgetforecast')
    op.drop_table('budgetforecast')
    op.drop_index('ix_ledgermonthtotal_month_kind', table_name='ledgermonthtotal')
    with op.batch_alter_table('ledgermonthtotal', schema=None) as batch_op:
        batch_op.drop_column('moved_in_pence')
