"""Public pages: browse providers, a provider's profile, and the compare list."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict

from marketplace.auth.acting import current_scope, require_or_403
from marketplace.auth.permissions import public, roles, user_has_role
from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import show_service_error
from marketplace.models import Role
from marketplace.providers import compare as compare_list
from marketplace.providers import reviews
from marketplace.providers.browse import (
    SORTS,
    BrowseFilters,
    listed_provider,
    listed_providers,
    search_providers,
)
from marketplace.providers.catalogue import (
    CHECK_KINDS,
    DAYS,
    PROVIDER_KINDS,
    describe_days,
)
from marketplace.providers.comparison import comparison_rows
from marketplace.providers.forms import BrowseForm, ReviewForm
from marketplace.providers.profile import provider_profile
from marketplace.query import page_number, record_id
from marketplace.redirects import local_path
from marketplace.scope import Relationship, can

bp = Blueprint("providers", __name__)

COMPARE_SESSION_KEY = "compare"
FILTER_FIELDS = ("q", "category", "area", "max_price", "day", "language", "sort")


def _labels() -> dict:
    return {"kinds": PROVIDER_KINDS, "categories": SUPPORT_CATEGORIES, "check_kinds": CHECK_KINDS,
            "describe_days": describe_days, "days": DAYS, "sorts": SORTS}


def _compare_ids() -> list[int]:
    return compare_list.clean(session.get(COMPARE_SESSION_KEY))


def _page_number() -> int:
    return page_number(request.args) or 1


def _filters_from(form: BrowseForm) -> BrowseFilters:
    """The valid filters only: one mistyped box should not throw away the others."""
    def valid(name):
        # Optional() lets a box of spaces through with no error (its choice not checked), so
        # spaces count as empty here.
        field = getattr(form, name)
        return None if field.errors else ((field.data or "").strip() or None)

    words = valid("q") or ""
    return BrowseFilters(
        q=words,
        category=valid("category"),
        area=valid("area"),
        max_price_pence=None if form.max_price.errors else form.max_price.data,
        day=valid("day"),
        language=valid("language"),
        sort=valid("sort") or ("relevance" if words.strip() else "name"),
    )


@bp.route("/providers")
@public
def browse():
    form = BrowseForm(formdata=MultiDict(request.args))
    form.validate()
    filters = _filters_from(form)
    results = search_providers(get_session(), filters=filters, today=today_in_uk(), page=_page_number())
    active_filters = {name: request.args.get(name) for name in FILTER_FIELDS if request.args.get(name)}

    return render_template(
        "providers/browse.html", form=form, filters=filters, results=results, active_filters=active_filters,
        compare_ids=_compare_ids(), has_filters=bool(active_filters), **_labels(),
    ), 400 if form.errors else 200


@bp.route("/providers/<int:provider_id>")
@public
def profile(provider_id: int):
    db = get_session()
    today = today_in_uk()
    provider = listed_provider(db, provider_id=provider_id, today=today) or abort(404)
    return render_template(
        "providers/profile.html", profile=provider_profile(db, provider=provider, today=today),
        compare_ids=_compare_ids(), review_link=_review_link(provider),
        is_commissioner=user_has_role([Role.COMMISSIONER]), **_labels(),
    )


def _review_link(provider) -> dict | None:
    """Offer a budget holder who has paid this provider (or their advocate who may approve
    invoices) the chance to review it."""
    if not user_has_role([Role.PERSON, Role.ADVOCATE]):
        return None
    db = get_session()
    scope = current_scope()
    person = scope.person if can(scope, "write_review") else None
    if person is None or not reviews.has_paid_provider(db, person.id, provider.id):
        return None
    existing = reviews.review_by(db, person_id=person.id, provider_id=provider.id)
    return {"href": url_for("providers.review", provider_id=provider.id),
            "text": "Change your review" if existing else f"Review {provider.name}"}


def _back_to(default: str) -> str:
    """Return to the page the button was on (only ever a page on this site)."""
    return local_path(request.form.get("next")) or default


@bp.route("/compare")
@public
def compare():
    db = get_session()
    today = today_in_uk()
    providers = listed_providers(db, provider_ids=_compare_ids(), today=today)
    category = request.args.get("category")
    if category not in SUPPORT_CATEGORIES:
        category = None
    return render_template(
        "providers/compare.html", providers=providers, category=category,
        rows=comparison_rows(db, providers=providers, category=category, today=today), **_labels(),
    )


@bp.route("/compare/add", methods=["POST"])
@public
def compare_add():
    provider_id = record_id(request.form.get("provider_id"))
    if provider_id is None or listed_provider(get_session(), provider_id=provider_id, today=today_in_uk()) is None:
        abort(404)
    try:
        session[COMPARE_SESSION_KEY] = compare_list.added(_compare_ids(), provider_id)
    except ServiceError as full:
        flash(full.message, "error")
    else:
        flash("Added to your compare list.")
    return redirect(_back_to(url_for("providers.compare")))


@bp.route("/compare/remove", methods=["POST"])
@public
def compare_remove():
    provider_id = record_id(request.form.get("provider_id"))
    if provider_id is not None:
        session[COMPARE_SESSION_KEY] = compare_list.removed(_compare_ids(), provider_id)
        flash("Removed from your compare list.")
    return redirect(_back_to(url_for("providers.compare")))


@bp.route("/providers/<int:provider_id>/review", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def review(provider_id: int):
    db = get_session()
    provider = listed_provider(db, provider_id=provider_id, today=today_in_uk()) or abort(404)
    scope = require_or_403("write_review")
    person = scope.person
    if not reviews.has_paid_provider(db, person.id, provider.id):
        abort(403, "You can review a provider only after paying them from your budget.")
    existing = reviews.review_by(db, person_id=person.id, provider_id=provider.id)
    form = ReviewForm(obj=existing if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            reviews.save_review(db, scope=scope, provider=provider, rating=int(form.rating.data),
                                text=form.text.data)
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            flash("Thank you. Your review is on the provider’s page.")
            return redirect(url_for("providers.profile", provider_id=provider.id))
    return render_template("providers/review.html", form=form, provider=provider, existing=existing,
                           for_person=person if scope.relationship is not Relationship.SELF else None), \
        400 if form.errors else 200
