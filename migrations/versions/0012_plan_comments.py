"""Comments on a support plan

Revision ID: 0012_plan_comments
Revises: 0011_payments
Create Date: 2026-12-01 15:25:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import marketplace.models.types


revision = '0012_plan_comments'
down_revision = '0011_payments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plancomment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_plancomment_person_at', 'plancomment', ['person_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_plancomment_person_at', table_name='plancomment')
    op.drop_table('plancomment')
