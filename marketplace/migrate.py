"""A thin layer over Alembic's API: the schema changes only through numbered revisions."""

import re

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from marketplace.config import PROJECT_ROOT
from marketplace.providers.search import is_search_table
from marketplace.storage import normalise_database_url

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_database_url(database_url))
    config.set_main_option("file_template", "%%(rev)s")
    return config


def include_name(name: str | None, type_: str, _parent_names) -> bool:
    """What the models describe: not the full-text search tables, which are made and kept by
    the database itself (raw SQL and triggers in revision 0015), on each engine its own way."""
    return not (type_ == "table" and name is not None and is_search_table(name))


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def heads(database_url: str) -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def new_revision(database_url: str, message: str) -> None:
    """Autogenerate the next numbered revision (0002_…, 0003_…) from the models."""
    config = alembic_config(database_url)
    scripts = ScriptDirectory.from_config(config)
    numbers = [int(m.group(1)) for rev in scripts.walk_revisions() if (m := re.match(r"(\d{4})", rev.revision))]
    # alembic_version.version_num is VARCHAR(32): the number, an underscore and 27 characters.
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:27].rstrip("_")
    rev_id = f"{max(numbers, default=0) + 1:04d}_{slug}"
    command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
