"""Each ledger transaction keeps its change to the money not yet spent and its size, so a
statement reads transactions without summing their postings

Revision ID: 0019_statement_figures
Revises: 0018_browse_at_scale
Create Date: 2026-12-01 17:40:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = '0019_statement_figures'
down_revision = '0018_browse_at_scale'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The indexes come before the figures are filled in: PostgreSQL will not use an index built
    # over rows updated in the same transaction until every older transaction has ended.
    with op.batch_alter_table('ledgertransaction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unspent_change_pence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('moved_pence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_index('ix_ledgertransaction_budget_effective_on_id')
        batch_op.create_index('ix_ledgertransaction_budget_statement',
                              ['budget_id', 'effective_on', 'id', 'unspent_change_pence'], unique=False)
        batch_op.create_index('ix_ledgertransaction_budget_provider', ['budget_id', 'provider_id'], unique=False)
    from marketplace.ledger import rebuild_transaction_figures
    rebuild_transaction_figures(op.get_bind())
    with op.batch_alter_table('ledgertransaction', schema=None) as batch_op:
        batch_op.alter_column('unspent_change_pence', server_default=None)
        batch_op.alter_column('moved_pence', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('ledgertransaction', schema=None) as batch_op:
        batch_op.drop_index('ix_ledgertransaction_budget_provider')
        batch_op.drop_index('ix_ledgertransaction_budget_statement')
        batch_op.create_index('ix_ledgertransaction_budget_effective_on_id',
                              ['budget_id', 'effective_on', 'id'], unique=False)
        batch_op.drop_column('moved_pence')
        batch_op.drop_column('unspent_change_pence')
