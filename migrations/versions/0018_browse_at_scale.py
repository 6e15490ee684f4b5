"""Browse at scale: indexes so browse and the council's lists read only what a page shows, and
on PostgreSQL the search documents carry their service's provider and shown date, so a search
finds matching providers from the full-text index without visiting every matching service

Revision ID: 0018_browse_at_scale
Revises: 0017_council_money
Create Date: 2026-12-01 18:00:00.000000
"""
import sqlalchemy as sa
from alembic import op


revision = '0018_browse_at_scale'
down_revision = '0017_council_money'
branch_labels = None
depends_on = None

# The document's service's provider and its shown_until (see providers.listing), kept by the
# same trigger as the document, in the same transaction. A change of the shown date alone (the
# vetting dates being worked out again) copies the date without making the document again.
POSTGRESQL_UP = [
    "ALTER TABLE service_search ADD COLUMN provider_id integer, ADD COLUMN shown_until date",
    """
    UPDATE service_search SET provider_id = service.provider_id, shown_until = service.shown_until
    FROM service WHERE service.id = service_search.service_id
    """,
    "ALTER TABLE service_search ALTER COLUMN provider_id SET NOT NULL",
    "CREATE INDEX ix_service_search_provider_id ON service_search (provider_id)",
    """
    CREATE OR REPLACE FUNCTION service_search_refresh_service() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.published AND NEW.withdrawn_at IS NULL
           AND OLD.published AND OLD.withdrawn_at IS NULL AND NEW.provider_id = OLD.provider_id
           AND NEW.title = OLD.title AND NEW.description = OLD.description THEN
            UPDATE service_search SET shown_until = NEW.shown_until WHERE service_id = NEW.id;
        ELSIF NEW.published AND NEW.withdrawn_at IS NULL THEN
            INSERT INTO service_search (service_id, document, provider_id, shown_until)
            SELECT NEW.id, service_search_document(provider.name, NEW.title, NEW.description),
                   NEW.provider_id, NEW.shown_until
            FROM provider WHERE provider.id = NEW.provider_id
            ON CONFLICT (service_id) DO UPDATE SET document = EXCLUDED.document,
                provider_id = EXCLUDED.provider_id, shown_until = EXCLUDED.shown_until;
        ELSE
            DELETE FROM service_search WHERE service_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER service_search_on_service ON service",
    """
    CREATE TRIGGER service_search_on_service
    AFTER INSERT OR UPDATE OF title, description, provider_id, published, withdrawn_at, shown_until
    ON service FOR EACH ROW EXECUTE FUNCTION service_search_refresh_service()
    """,
]

POSTGRESQL_DOWN = [
    "DROP TRIGGER service_search_on_service ON service",
    """
    CREATE OR REPLACE FUNCTION service_search_refresh_service() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.published AND NEW.withdrawn_at IS NULL THEN
            INSERT INTO service_search (service_id, document)
            SELECT NEW.id, service_search_document(provider.name, NEW.title, NEW.description)
            FROM provider WHERE provider.id = NEW.provider_id
            ON CONFLICT (service_id) DO UPDATE SET document = EXCLUDED.document;
        ELSE
            DELETE FROM service_search WHERE service_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER service_search_on_service
    AFTER INSERT OR UPDATE OF title, description, provider_id, published, withdrawn_at ON service
    FOR EACH ROW EXECUTE FUNCTION service_search_refresh_service()
    """,
    "DROP INDEX ix_service_search_provider_id",
    "ALTER TABLE service_search DROP COLUMN shown_until, DROP COLUMN provider_id",
]


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_index('ix_service_shown_category_price', 'service',
                    ['category', 'price_pence', 'provider_id', 'days', 'shown_until'], unique=False,
                    postgresql_where=sa.text('shown_until IS NOT NULL'),
                    sqlite_where=sa.text('shown_until IS NOT NULL'))
    op.create_index(op.f('ix_person_name'), 'person', ['name'], unique=False)
    if _postgresql():
        for statement in POSTGRESQL_UP:
            op.execute(statement)


def downgrade() -> None:
    if _postgresql():
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)
    op.drop_index(op.f('ix_person_name'), table_name='person')
    op.drop_index('ix_service_shown_category_price', table_name='service')
