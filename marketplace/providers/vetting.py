"""The vetting rules, as SQL on dates kept on each row (see providers.listing), compared with
today's date at query time, so a check that expires at midnight hides its provider with no job
running, and browse finds listed providers and shown services through an index.

A provider is listed while it is not suspended and, for every check its kind requires, it has
a verified check of that kind that has not expired. The provider's kind sets a floor; each
service is shown only while it is published, not withdrawn, its provider is listed and also
holds every check that service's category needs, so calling oneself "other" cannot put
personal care in front of people without a CQC registration.
"""

from datetime import date

from sqlalchemy import ColumnElement, and_, or_

import marketplace.providers.listing  # noqa: F401  (keeps the dates below current on every flush)
from marketplace.models import Provider, Service


def service_is_shown(today: date) -> ColumnElement[bool]:
    """True for a service people may see on `today`: published, not withdrawn, its provider
    listed, and vetted for its category."""
    return Service.shown_until >= today


def is_listed(today: date) -> ColumnElement[bool]:
    """Shown to the public: vetted, not suspended, and not someone's own provider."""
    return and_(Provider.private_for_person_id.is_(None), takes_new_work(today))


def takes_new_work(today: date) -> ColumnElement[bool]:
    """May be chosen for a care package: vetted and not suspended, kept as the date it is listed
    until (a person's own provider too, for that person: see may_be_chosen_by)."""
    return Provider.listed_until >= today


def may_be_chosen_by(person_id: int, today: date) -> ColumnElement[bool]:
    """This person may put it in a package: a listed provider, or their own once the council
    has checked it."""
    return and_(or_(Provider.private_for_person_id.is_(None), Provider.private_for_person_id == person_id),
                takes_new_work(today))
