"""Changing a package: versions' lines remember the line they replace; the response clock,
ending early and challenges are recorded on the package; people's own providers

Revision ID: 0015_package_changes
Revises: 0014_invoices
Create Date: 2026-12-01 15:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import marketplace.models.types


revision = '0015_package_changes'
down_revision = '0014_invoices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ownproviderrequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('what_they_do', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('price_pence', sa.Integer(), nullable=False),
    sa.Column('relationship', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('why_needed', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', marketplace.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ownproviderrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ownproviderrequest_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ownproviderrequest_status'), ['status'], unique=False)
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_for_person_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_provider_private_for_person_id_person', 'person',
                                    ['private_for_person_id'], ['id'])
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
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_constraint('fk_provider_private_for_person_id_person', type_='foreignkey')
        batch_op.drop_column('private_for_person_id')
    with op.batch_alter_table('ownproviderrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ownproviderrequest_status'))
        batch_op.drop_index(batch_op.f('ix_ownproviderrequest_person_id'))
    op.drop_table('ownproviderrequest')
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
