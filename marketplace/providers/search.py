"""Search words for browse, through each database's own full-text engine.

Every shown (published, not withdrawn) service has a search document: its provider's name, its
title and its description, stemmed, so "trips" finds "trip" and "gardening" finds "garden".
The database keeps the documents itself (triggers made by migrations 0016 and 0017), in the same
transaction as the change to the provider or service, so they are never out of date and a
withdrawn or unpublished service drops out at once.

- PostgreSQL: `service_search(service_id, document tsvector)` with a GIN index, asked through
  `websearch_to_tsquery('english', …)` (words, "quoted phrases", -left-out words, or) and
  ranked by `ts_rank`.
- SQLite: an FTS5 table `service_search(name, title, description)` with the porter stemmer,
  keyed by the service's id (rowid), asked the same way (the question is rewritten in FTS5's
  syntax, leaving out the same English stop words as PostgreSQL) and ranked by `bm25`.

These tables are not models: the schema comparison leaves them out (`is_search_table`).
"""

import re
from functools import cache

from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.sql import Select

from marketplace.models import Service

SEARCH_TABLE = "service_search"
MAX_QUERY_CHARACTERS = 200

# Weights: a match in the provider's name or the service's title counts more than one in the
# description: PostgreSQL's A, B and C weights; on SQLite the FTS5 table's rank is set to
# bm25(10.0, 5.0, 1.0) by the migration (its `rank` column, unlike a bm25() call, still works
# when SQLite folds the search into the browse query).

# PostgreSQL's English stop words (its tsearch_data/english.stop): words too common to search
# for. PostgreSQL leaves them out of documents and questions; SQLite's FTS5 does not, so they
# are left out of the question here, or "help at home" would need the word "at" on SQLite only.
ENGLISH_STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
""".split())

_TERM = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+")


def is_search_table(name: str) -> bool:
    """The search table (and, on SQLite, FTS5's own shadow tables behind it)."""
    return name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_")


def _sqlite_question(words: str) -> str:
    """The person's words as an FTS5 question meaning what websearch_to_tsquery makes of them:
    every word (or "quoted phrase") must be there, a -word must not, and `or` between words
    means either. Empty when nothing searchable is left (only stop words, say)."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for term in _TERM.findall(words):
        if term.lower() == "or":
            if groups[-1][0]:
                groups.append(([], []))
            continue
        negated = term.startswith("-") and len(term) > 1
        kept = [w for w in _WORD.findall(term.lower()) if w not in ENGLISH_STOP_WORDS]
        if not kept:
            continue
        phrase = '"' + " ".join(kept) + '"'
        groups[-1][1 if negated else 0].append(phrase)
    clauses = [" AND ".join(wanted) + "".join(f" NOT {w}" for w in unwanted)
               for wanted, unwanted in groups if wanted]
    return " OR ".join(f"({clause})" for clause in clauses)


def search_question(dialect: str, words: str) -> str | None:
    """The value of the `question` parameter of matching_services_statement for these words,
    or None when nothing searchable is left (only stop words, say: on SQLite FTS5 cannot be
    asked an empty question, and on PostgreSQL it matches nothing either)."""
    words = words[:MAX_QUERY_CHARACTERS]
    if dialect == "postgresql":
        return words
    return _sqlite_question(words) or None


@cache
def matching_services_statement(dialect: str) -> Select:
    """(service_id, provider_id, shown_until, relevance) of every shown service whose document
    matches the `question` parameter (see search_question); a higher relevance is a better
    match. On PostgreSQL the GIN index finds them and the documents carry the rest (migration
    0017), so finding the providers that match visits no service; on SQLite the service is
    joined. Built once: the question is a parameter."""
    question = bindparam("question", type_=String)
    if dialect == "postgresql":
        documents = table(SEARCH_TABLE, column("service_id", Integer), column("provider_id", Integer),
                          column("shown_until", Date), column("document", TSVECTOR))
        query = func.websearch_to_tsquery(literal_column("'english'"), question)
        return select(
            documents.c.service_id.label("service_id"),
            documents.c.provider_id.label("provider_id"),
            documents.c.shown_until.label("shown_until"),
            func.ts_rank(documents.c.document, query, type_=Float).label("relevance"),
        ).where(documents.c.document.op("@@")(query))
    documents = table(SEARCH_TABLE, column("rowid", Integer), column("rank", Float))
    return select(
        documents.c.rowid.label("service_id"),
        Service.provider_id.label("provider_id"),
        Service.shown_until.label("shown_until"),
        (-documents.c.rank).label("relevance"),  # bm25: lower is a better match
    ).join(Service, Service.id == documents.c.rowid).where(literal_column(SEARCH_TABLE).op("MATCH")(question))


def matching_services(dialect: str, words: str) -> Select:
    """matching_services_statement asked these words."""
    question = search_question(dialect, words)
    if question is None:
        return matching_services_statement(dialect).where(text("0 = 1"))
    return matching_services_statement(dialect).params(question=question)
