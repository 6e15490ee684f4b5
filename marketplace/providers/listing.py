"""Vetting as a date kept on each row, so browse finds listed providers through an index.

`Provider.listed_until` is the last day the provider is listed: the earliest expiry among the
checks its kind needs (for each, the verified check of that kind that runs longest). It is
empty while the provider is suspended or lacks a verified check it needs.

`Service.shown_until` is the last day people may see the service: the earlier of its
provider's `listed_until` and the earliest expiry among the checks its category needs
(CATEGORY_CHECKS). It is empty while the service is unpublished or withdrawn, or a check is
missing.

Pages ask `listed_until >= today` (providers.vetting), so a check that expires at midnight
still hides its provider and services with no job running. The dates are worked out again
whenever a check, a provider's kind or suspension, or a service's category, publishing or
withdrawal changes: an ORM hook runs after every flush that touches those rows, in the same
transaction (and around bulk UPDATE and DELETE statements on those tables); loads that write
past the ORM (the benchmark's data) call refresh_listings themselves.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, bindparam, event, func, inspect, select, update
from sqlalchemy.orm import Session, attributes

from marketplace.models import Provider, Service, VettingCheck
from marketplace.providers.catalogue import CATEGORY_CHECKS, REQUIRED_CHECKS

_PROVIDER_FIELDS = ("kind", "suspended_at")
_SERVICE_FIELDS = ("provider_id", "category", "published", "withdrawn_at")
_CHECK_FIELDS = ("provider_id", "kind", "status", "expires_on")
_BATCH = 5000


def _earliest_expiry(needed: Iterable[str], best_expiry: dict[str, date]) -> date | None:
    """The day the first needed check runs out, or None if one is missing."""
    expiries = [best_expiry.get(kind) for kind in needed]
    return None if not expiries or None in expiries else min(expiries)


def refresh_listings(connection: Connection, provider_ids: Iterable[int] | None = None
                     ) -> tuple[dict[int, date | None], dict[int, date | None]]:
    """Work out again the dates of these providers (every provider if None) and their
    services; write the ones that changed. Returns (provider id → listed_until, service id →
    shown_until) for the rows written."""
    ids = None if provider_ids is None else sorted(set(provider_ids))
    changed_providers: dict[int, date | None] = {}
    changed_services: dict[int, date | None] = {}
    batches = [None] if ids is None else [ids[i:i + _BATCH] for i in range(0, len(ids), _BATCH)]
    for batch in batches:
        providers, services, checks = Provider.__table__, Service.__table__, VettingCheck.__table__

        def of_batch(query, provider_column, batch=batch):
            return query if batch is None else query.where(provider_column.in_(batch))

        best_expiry: dict[int, dict[str, date]] = defaultdict(dict)
        for provider_id, kind, expiry in connection.execute(of_batch(
                select(checks.c.provider_id, checks.c.kind, func.max(checks.c.expires_on))
                .where(checks.c.status == "verified")
                .group_by(checks.c.provider_id, checks.c.kind), checks.c.provider_id)):
            best_expiry[provider_id][kind] = expiry

        listed_until: dict[int, date | None] = {}
        for provider_id, kind, suspended_at, current in connection.execute(of_batch(
                select(providers.c.id, providers.c.kind, providers.c.suspended_at, providers.c.listed_until),
                providers.c.id)):
            until = None if suspended_at is not None else _earliest_expiry(
                REQUIRED_CHECKS.get(kind, ("unknown",)), best_expiry[provider_id])
            listed_until[provider_id] = until
            if until != current:
                changed_providers[provider_id] = until

        for service_id, provider_id, category, published, withdrawn_at, current in connection.execute(of_batch(
                select(services.c.id, services.c.provider_id, services.c.category, services.c.published,
                       services.c.withdrawn_at, services.c.shown_until), services.c.provider_id)):
            until = listed_until.get(provider_id)
            if not published or withdrawn_at is not None or until is None:
                until = None
            else:
                category_until = _earliest_expiry(CATEGORY_CHECKS.get(category, ("unknown",)),
                                                  best_expiry[provider_id])
                until = None if category_until is None else min(until, category_until)
            if until != current:
                changed_services[service_id] = until

    _write(connection, Provider.__table__, "listed_until", changed_providers)
    _write(connection, Service.__table__, "shown_until", changed_services)
    return changed_providers, changed_services


def _write(connection: Connection, table, column: str, values: dict[int, date | None]) -> None:
    if values:
        connection.execute(
            update(table).where(table.c.id == bindparam("row_id")).values({column: bindparam("until")}),
            [{"row_id": row_id, "until": until} for row_id, until in values.items()],
        )


def _changed(obj, fields: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _providers_touched(session: Session) -> set[int]:
    touched: set[int] = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        new = obj in session.new
        if isinstance(obj, Provider) and (new or _changed(obj, _PROVIDER_FIELDS)):
            touched.add(obj.id)
        elif isinstance(obj, Service | VettingCheck):
            fields = _SERVICE_FIELDS if isinstance(obj, Service) else _CHECK_FIELDS
            if new or obj in session.deleted or _changed(obj, fields):
                touched.add(obj.provider_id)
                touched.update(inspect(obj).attrs["provider_id"].history.deleted or ())
    touched.discard(None)
    return touched


@event.listens_for(Session, "after_flush")
def _refresh_after_flush(session: Session, _flush_context) -> None:
    _refresh(session, _providers_touched(session))


def _refresh(session: Session, touched: set[int]) -> None:
    if not touched:
        return
    providers, services = refresh_listings(session.connection(), touched)
    # Rows already loaded in this session see their new dates without another query.
    for model, column, values in ((Provider, "listed_until", providers), (Service, "shown_until", services)):
        for row_id, until in values.items():
            loaded = session.identity_map.get(session.identity_key(model, row_id))
            if loaded is not None:
                attributes.set_committed_value(loaded, column, until)


_PROVIDER_OF = {Provider: Provider.id, Service: Service.provider_id, VettingCheck: VettingCheck.provider_id}


@event.listens_for(Session, "do_orm_execute")
def _refresh_around_bulk_changes(orm_execute_state):
    """An UPDATE or DELETE statement on providers, services or checks: the providers it touches
    are found first (a DELETE leaves nothing to find afterwards) and refreshed after it."""
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return None
    model = orm_execute_state.bind_mapper.class_ if orm_execute_state.bind_mapper else None
    if model not in _PROVIDER_OF:
        return None
    statement = orm_execute_state.statement
    session = orm_execute_state.session
    touched = set(session.execute(
        select(_PROVIDER_OF[model]).where(*([statement.whereclause] if statement.whereclause is not None else []))
    ).scalars())
    result = orm_execute_state.invoke_statement()
    _refresh(session, touched)
    return result
