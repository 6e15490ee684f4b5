"""Changing a package: versions' lines remember the line they replace; the response clock,
ending early and challenges are recorded on the package

Revision ID: 0014_package_changes
Revises: 0011_payments
Create Date: 2026-12-01 15:10:00
"""
from alembic import op
import sqlalchemy as sa
import marketplace.models.types


revision = '0014_package_changes'
down_revision = '0011_payments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('carepackage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('providers_accepted_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('review_requested_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ended_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('challenged_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('challenged_decision_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_carepackage_ended_by_id_user', 'user', ['ended_by_id'], ['id'])
        batch_op.create_foreign_key('fk_carepackage_challenged_decision_by_id_user', 'user',
                                    ['challenged_decision_by_id'], ['id'])
    with op.batch_alter_table('packageline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces_line_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_packageline_replaces_line_id_packageline', 'packageline',
                                    ['replaces_line_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('packageline', schema=None) as batch_op:
        batch_op.drop_constraint('fk_packageline_replaces_line_id_packageline', type_='foreignkey')
        batch_op.drop_column('replaces_line_id')
    with op.batch_alter_table('carepackage', schema=None) as batch_op:
        batch_op.drop_constraint('fk_carepackage_challenged_decision_by_id_user', type_='foreignkey')
        batch_op.drop_constraint('fk_carepackage_ended_by_id_user', type_='foreignkey')
        batch_op.drop_column('challenged_decision_by_id')
        batch_op.drop_column('challenged_at')
        batch_op.drop_column('ended_by_id')
        batch_op.drop_column('ended_from')
        batch_op.drop_column('review_requested_at')
        batch_op.drop_column('providers_accepted_at')
