"""The schema comes only from numbered Alembic revisions, and they match the models."""

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import marketplace.models  # noqa: F401
from marketplace import migrate
from marketplace.storage import normalise_database_url


def test_there_is_a_single_head(database_url):
    assert len(migrate.heads(database_url)) == 1


def test_revisions_are_numbered_in_order(database_url):
    scripts = ScriptDirectory.from_config(migrate.alembic_config(database_url))
    revisions = list(reversed(list(scripts.walk_revisions())))
    numbers = [int(re.match(r"(\d{4})_", rev.revision).group(1)) for rev in revisions]
    assert numbers == list(range(1, len(revisions) + 1))


def test_models_and_migrations_agree(database_url):
    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": migrate.include_name})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_revision_ids_fit_alembics_version_column(database_url):
    scripts = ScriptDirectory.from_config(migrate.alembic_config(database_url))
    assert all(len(rev.revision) <= 32 for rev in scripts.walk_revisions())
