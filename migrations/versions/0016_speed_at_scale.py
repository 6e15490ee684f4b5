"""Speed at scale: full-text search documents kept by the database; vetting kept as dates;
balances kept by the ledger

Revision ID: 0016_speed_at_scale
Revises: 0015_package_changes
Create Date: 2026-12-01 15:20:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0016_speed_at_scale'
down_revision = '0015_package_changes'
branch_labels = None
depends_on = None

# The search document of every shown service (see marketplace/providers/search.py). Triggers
# keep it current in the same transaction as the change: a new or edited service, a service
# published, unpublished or withdrawn, a provider renamed, a service deleted.

POSTGRESQL_SEARCH = [
    """
    CREATE TABLE service_search (
        service_id integer PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX ix_service_search_document ON service_search USING gin (document)",
    """
    CREATE FUNCTION service_search_document(provider_name text, title text, description text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
        SELECT setweight(to_tsvector('english', coalesce(provider_name, '')), 'A')
            || setweight(to_tsvector('english', coalesce(title, '')), 'B')
            || setweight(to_tsvector('english', coalesce(description, '')), 'C')
    $$
    """,
    """
    CREATE FUNCTION service_search_refresh_service() RETURNS trigger LANGUAGE plpgsql AS $$
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
    """
    CREATE FUNCTION service_search_refresh_provider() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE service_search
        SET document = service_search_document(NEW.name, service.title, service.description)
        FROM service
        WHERE service.id = service_search.service_id AND service.provider_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER service_search_on_provider_name
    AFTER UPDATE OF name ON provider
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION service_search_refresh_provider()
    """,
    """
    INSERT INTO service_search (service_id, document)
    SELECT service.id, service_search_document(provider.name, service.title, service.description)
    FROM service JOIN provider ON provider.id = service.provider_id
    WHERE service.published AND service.withdrawn_at IS NULL
    """,
]

SQLITE_SEARCH = [
    """
    CREATE VIRTUAL TABLE service_search USING fts5(
        name, title, description, tokenize = 'porter unicode61'
    )
    """,
    # Relevance: a match in the name or title counts more than one in the description.
    "INSERT INTO service_search (service_search, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)')",
    """
    CREATE TRIGGER service_search_on_insert AFTER INSERT ON service
    WHEN NEW.published AND NEW.withdrawn_at IS NULL
    BEGIN
        INSERT INTO service_search (rowid, name, title, description)
        SELECT NEW.id, provider.name, NEW.title, NEW.description
        FROM provider WHERE provider.id = NEW.provider_id;
    END
    """,
    """
    CREATE TRIGGER service_search_on_update
    AFTER UPDATE OF title, description, provider_id, published, withdrawn_at ON service
    BEGIN
        DELETE FROM service_search WHERE rowid = OLD.id;
        INSERT INTO service_search (rowid, name, title, description)
        SELECT NEW.id, provider.name, NEW.title, NEW.description
        FROM provider
        WHERE provider.id = NEW.provider_id AND NEW.published AND NEW.withdrawn_at IS NULL;
    END
    """,
    """
    CREATE TRIGGER service_search_on_delete AFTER DELETE ON service
    BEGIN
        DELETE FROM service_search WHERE rowid = OLD.id;
    END
    """,
    """
    CREATE TRIGGER service_search_on_provider_name AFTER UPDATE OF name ON provider
    WHEN OLD.name IS NOT NEW.name
    BEGIN
        UPDATE service_search SET name = NEW.name
        WHERE rowid IN (SELECT id FROM service WHERE provider_id = NEW.id);
    END
    """,
    """
    INSERT INTO service_search (rowid, name, title, description)
    SELECT service.id, provider.name, service.title, service.description
    FROM service JOIN provider ON provider.id = service.provider_id
    WHERE service.published AND service.withdrawn_at IS NULL
    """,
]

POSTGRESQL_SEARCH_DOWN = [
    "DROP TRIGGER service_search_on_provider_name ON provider",
    "DROP TRIGGER service_search_on_service ON service",
    "DROP FUNCTION service_search_refresh_provider()",
    "DROP FUNCTION service_search_refresh_service()",
    "DROP TABLE service_search",
    "DROP FUNCTION service_search_document(text, text, text)",
]

SQLITE_SEARCH_DOWN = [
    "DROP TRIGGER service_search_on_provider_name",
    "DROP TRIGGER service_search_on_delete",
    "DROP TRIGGER service_search_on_update",
    "DROP TRIGGER service_search_on_insert",
    "DROP TABLE service_search",
]


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


# The kept balances and month totals as the ledger defined them at this revision, written out
# here so that later changes to the ledger's code cannot change what this revision does.
ACCOUNT_KIND = ("CASE WHEN p.account LIKE 'committed:%' THEN 'committed' "
                "WHEN p.account LIKE 'payable:provider:%' THEN 'payable' ELSE p.account END")


def _month_of(day: str) -> str:
    return f"CAST(date_trunc('month', {day}) AS date)" if _postgresql() else f"date({day}, 'start of month')"


def _keep_balances_from_postings() -> None:
    op.execute("INSERT INTO ledgerbalance (budget_id, account, balance_pence) "
               "SELECT budget_id, account, SUM(amount_pence) FROM posting GROUP BY budget_id, account")
    month = _month_of("t.effective_on")
    op.execute("INSERT INTO ledgermonthtotal (budget_id, month, category_id, kind, amount_pence) "
               f"SELECT p.budget_id, {month}, t.category_id, {ACCOUNT_KIND}, SUM(p.amount_pence) "
               "FROM posting p JOIN ledgertransaction t ON t.id = p.transaction_id "
               f"GROUP BY p.budget_id, {month}, t.category_id, {ACCOUNT_KIND}")


def upgrade() -> None:
    # Columns first: on SQLite a table rebuilt by batch mode would lose the search triggers.
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_provider_listed_until'), ['listed_until'], unique=False)
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_service_shown_until'), ['shown_until'], unique=False)
        batch_op.create_index('ix_service_category_shown_until', ['category', 'shown_until'], unique=False)
    op.create_table(
        'ledgerbalance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('account', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('balance_pence', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('budget_id', 'account'),
    )
    op.create_table(
        'ledgermonthtotal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('amount_pence', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], ),
        sa.ForeignKeyConstraint(['category_id'], ['budgetcategory.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ledgermonthtotal_budget_month', 'ledgermonthtotal',
                    ['budget_id', 'month', 'category_id', 'kind'], unique=False)
    _keep_balances_from_postings()

    # Today's providers and services get their dates from their checks, as every change will.
    from marketplace.providers.listing import refresh_listings
    refresh_listings(op.get_bind())

    for statement in POSTGRESQL_SEARCH if _postgresql() else SQLITE_SEARCH:
        op.execute(statement)


def downgrade() -> None:
    for statement in POSTGRESQL_SEARCH_DOWN if _postgresql() else SQLITE_SEARCH_DOWN:
        op.execute(statement)
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index('ix_service_category_shown_until')
        batch_op.drop_index(batch_op.f('ix_service_shown_until'))
        batch_op.drop_column('shown_until')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_listed_until'))
        batch_op.drop_column('listed_until')
    op.drop_index('ix_ledgermonthtotal_budget_month', table_name='ledgermonthtotal')
    op.drop_table('ledgermonthtotal')
    op.drop_table('ledgerbalance')
