"""Password reset links, authenticator apps and recovery codes

Revision ID: 0013_account_security
Revises: 0012_plan_comments
Create Date: 2026-12-01 15:05:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import marketplace.models.types


revision = '0013_account_security'
down_revision = '0012_plan_comments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('passwordreset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('passwordreset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passwordreset_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_passwordreset_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_passwordreset_user_id'), ['user_id'], unique=False)

    op.create_table('authenticator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_step', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('authenticator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authenticator_user_id'), ['user_id'], unique=True)

    op.create_table('recoverycode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('used_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recoverycode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recoverycode_code_hash'), ['code_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_recoverycode_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    for table, indexes in (('recoverycode', ['ix_recoverycode_user_id', 'ix_recoverycode_code_hash']),
                           ('authenticator', ['ix_authenticator_user_id']),
                           ('passwordreset', ['ix_passwordreset_user_id', 'ix_passwordreset_token_hash',
                                              'ix_passwordreset_created_at'])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
