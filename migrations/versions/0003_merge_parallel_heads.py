"""Join the budgets, providers and advocates revisions, made in parallel from 0001.

Revision ID: 0003_merge_parallel_heads
Revises: 0002_budgets_and_ledger, 0002_providers_and_vetting, 0002_advocates
"""

revision = '0003_merge_parallel_heads'
down_revision = ('0002_budgets_and_ledger', '0002_providers_and_vetting', '0002_advocates')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
