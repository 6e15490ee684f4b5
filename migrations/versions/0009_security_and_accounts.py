"""Security and accounts: provider name and kind changes for the council; sign-in throttle; staff invitations

Revision ID: 0009_security_and_accounts
Revises: 0008_notifications
Create Date: 2026-12-01 11:50:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import marketplace.models.types


revision = '0009_security_and_accounts'
down_revision = '0008_notifications'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('providerchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('old_value', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('new_value', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('requested_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('providerchange', schema=None) as batch_op:
        batch_op.create_index('ix_providerchange_queue', ['status', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_providerchange_provider_id'), ['provider_id'], unique=False)


    op.create_table('signinthrottle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('wait_until', marketplace.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signinthrottle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signinthrottle_key'), ['key'], unique=True)
        batch_op.create_index(batch_op.f('ix_signinthrottle_last_failure_at'), ['last_failure_at'], unique=False)

    op.create_table('staffinvitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('invited_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('invited_email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staffinvitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staffinvitation_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staffinvitation_token_hash'), ['token_hash'], unique=True)

    # The 15-minute lock anyone could put on any account is gone (see auth.throttle).
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_ins')


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', marketplace.models.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('staffinvitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staffinvitation_token_hash'))
        batch_op.drop_index(batch_op.f('ix_staffinvitation_provider_id'))
    op.drop_table('staffinvitation')
    with op.batch_alter_table('signinthrottle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signinthrottle_last_failure_at'))
        batch_op.drop_index(batch_op.f('ix_signinthrottle_key'))
    op.drop_table('signinthrottle')
    with op.batch_alter_table('providerchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_providerchange_provider_id'))
        batch_op.drop_index('ix_providerchange_queue')
    op.drop_table('providerchange')
