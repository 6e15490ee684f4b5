"""What is waiting for an advocate, per person they support (drafts to co-sign, invoices to
approve). Each area that has such work registers a source with @waiting_source; the advocate's
home lists the items the link's permissions allow."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from marketplace.models import AdvocateLink, Person


@dataclass(frozen=True)
class WaitingItem:
    text: str  # "Co-sign the care package from Brightpath Home Care"
    href: str  # a page on this site, opened while acting for the person
    permission: str  # the permission the advocate needs to act on it


WaitingSource = Callable[[Session, Person], list[WaitingItem]]

_SOURCES: list[WaitingSource] = []


def waiting_source(source: WaitingSource) -> WaitingSource:
    _SOURCES.append(source)
    return source


def waiting_for(db: Session, *, person: Person, link: AdvocateLink) -> list[WaitingItem]:
    return [item for source in _SOURCES for item in source(db, person) if link.allows(item.permission)]
