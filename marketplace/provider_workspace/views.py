"""The provider workspace: provider staff manage their own organisation, and only that."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import sessions
from marketplace.auth.acting import current_provider, current_scope
from marketplace.auth.permissions import public, roles
from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.extensions import limiter
from marketplace.forms import BaseForm as ConfirmForm
from marketplace.forms import show_service_error
from marketplace.models import Provider, Role
from marketplace.provider_workspace.delivery import deliver_staff_invitation
from marketplace.providers import reviews as provider_reviews
from marketplace.providers import service
from marketplace.providers import staff as staff_service
from marketplace.providers.catalogue import (
    CHECK_KINDS,
    PROVIDER_KINDS,
    days_from_mask,
)
from marketplace.providers.changes import changes_of, waiting_kind_change
from marketplace.providers.forms import (
    CheckForm,
    OrganisationForm,
    ReplyForm,
    ServiceForm,
    StaffAccountForm,
    StaffForm,
)
from marketplace.providers.profile import areas_of, languages_of

bp = Blueprint("provider_workspace", __name__, url_prefix="/provider")

LABELS = {"kinds": PROVIDER_KINDS, "categories": SUPPORT_CATEGORIES, "check_kinds": CHECK_KINDS}


def _my_service(provider: Provider, service_id: int):
    return service.service_of(get_session(), provider=provider, service_id=service_id) or abort(404)


@bp.route("/organisation", methods=["GET", "POST"])
@roles(Role.PROVIDER)
def profile():
    db = get_session()
    provider = current_provider()
    form = OrganisationForm(obj=provider if request.method == "GET" else None)
    kind_change = waiting_kind_change(db, provider)
    refused = next((c for c in changes_of(db, provider) if c.field == "kind"
                    and c.status in ("refused", "approved", "withdrawn")), None)
    if request.method == "GET":
        if kind_change is not None:
            form.kind.data = kind_change.new_value
        form.areas.data = ", ".join(areas_of(db, provider.id))
        form.languages.data = languages_of(db, provider.id)
    if form.validate_on_submit():
        try:
            kind_change_asked = service.update_organisation(
                db, scope=current_scope(), name=form.name.data, kind=form.kind.data,
                description=form.description.data, contact_email=form.contact_email.data,
                contact_phone=form.contact_phone.data or "",
                areas=[a.strip() for a in form.areas.data.split(",") if a.strip()],
                languages=form.languages.data or [], access_notes=form.access_notes.data or "",
                cqc_number=form.cqc_number.data or "",
            )
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            flash("Your organisation’s details are saved." + (
                " The council will check the change to what kind of provider you are. Until they"
                " approve it, you stay listed as before." if kind_change_asked else ""))
            return redirect(url_for("provider_workspace.profile"))
    return render_template("provider_workspace/organisation.html", form=form, provider=provider,
                           kind_change=kind_change,
                           last_refusal=refused if refused and refused.status == "refused" else None, **LABELS), 400 if form.errors else 200


@bp.route("/staff", methods=["GET", "POST"])
@roles(Role.PROVIDER)
@limiter.limit("20 per hour", methods=["POST"])
def staff():
    db = get_session()
    provider = current_provider()
    member = service.membership_of(db, current_user)
    form = StaffForm()
    sent = None
    if not member.is_owner and request.method == "POST":
        abort(403, "Only the owner of your organisation’s account can add staff.")
    if form.validate_on_submit():
        invitation = staff_service.invite_staff(db, scope=current_scope(),
                                                name=form.name.data, email=form.email.data)
        db.commit()
        sent = deliver_staff_invitation(invitation, provider_name=provider.name, inviter_name=current_user.name)
        form = StaffForm(formdata=None)
    return render_template("provider_workspace/staff.html", form=form, provider=provider,
                           staff=service.staff_of(db, provider), is_owner=member.is_owner,
                           sent=sent), 400 if form.errors else 200


@bp.route("/staff/<int:user_id>/remove", methods=["GET", "POST"])
@roles(Role.PROVIDER)
def remove_staff(user_id: int):
    db = get_session()
    provider = current_provider()
    if not service.membership_of(db, current_user).is_owner:
        abort(403, "Only the owner of your organisation’s account can remove staff.")
    person = next((user for user, is_owner in service.staff_of(db, provider)
                   if user.id == user_id and not is_owner), None) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        staff_service.remove_staff(db, scope=current_scope(), user_id=person.id)
        db.commit()
        flash(f"{person.name} can no longer use your organisation’s account.")
        return redirect(url_for("provider_workspace.staff"))
    return render_template("provider_workspace/staff_remove.html", person=person, provider=provider, form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30 per hour", methods=["POST"])
def staff_invitation(token: str):
    """Accept an invitation: with the account already signed in, or by making one."""
    db = get_session()
    found = staff_service.open_invitation(db, token)
    if found is None:
        return render_template("provider_workspace/staff_invitation_gone.html"), 410
    invitation, provider = found
    signed_in = current_user.is_authenticated
    form = ConfirmForm() if signed_in else StaffAccountForm()
    if form.validate_on_submit():
        try:
            if signed_in:
                staff_service.accept_as(db, token=token, user=current_user)
            else:
                user = staff_service.accept_with_new_account(db, token=token, name=form.name.data,
                                                             password=form.password.data)
        except ServiceError as problem:
            db.rollback()
            show_service_error(form, problem)
        else:
            db.commit()
            if not signed_in:
                sessions.begin(user)
            flash(f"You are now on {provider.name}’s account.")
            return redirect(url_for("pages.home"))
    if request.method == "GET" and not signed_in:
        form.name.data = invitation.invited_name
    return render_template("provider_workspace/staff_invitation.html", form=form, invitation=invitation,
                           provider=provider, signed_in=signed_in), 400 if form.errors else 200


@bp.route("/services")
@roles(Role.PROVIDER)
def services():
    provider = current_provider()
    return render_template("provider_workspace/services.html", provider=provider,
                           services=service.services_of(get_session(), provider), **LABELS)


def _service_form_page(provider: Provider, existing=None):
    db = get_session()
    form = ServiceForm(obj=existing if request.method == "GET" else None)
    if request.method == "GET" and existing is not None:
        form.price.data = existing.price_pence
        form.days.data = days_from_mask(existing.days)
    if form.validate_on_submit():
        try:
            saved = service.save_service(
                db, scope=current_scope(), service=existing, category=form.category.data,
                title=form.title.data, description=form.description.data, unit=form.unit.data,
                price_pence=form.price.data, minimum_units=form.minimum_units.data, days=form.days.data or [],
            )
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            flash(f"“{saved.title}” is saved." + ("" if saved.published else " Publish it when you are ready for people to see it."))
            return redirect(url_for("provider_workspace.services"))
    return render_template("provider_workspace/service_form.html", form=form, existing=existing,
                           **LABELS), 400 if form.errors else 200


@bp.route("/services/new", methods=["GET", "POST"])
@roles(Role.PROVIDER)
def new_service():
    return _service_form_page(current_provider())


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@roles(Role.PROVIDER)
def edit_service(service_id: int):
    provider = current_provider()
    return _service_form_page(provider, _my_service(provider, service_id))


@bp.route("/services/<int:service_id>/publish", methods=["POST"])
@roles(Role.PROVIDER)
def publish_service(service_id: int):
    provider = current_provider()
    listing = service.set_published(get_session(), scope=current_scope(),
                                    service=_my_service(provider, service_id), published=True)
    get_session().commit()
    flash(f"“{listing.title}” is published. People can find it once your checks are in order.")
    return redirect(url_for("provider_workspace.services"))


@bp.route("/services/<int:service_id>/withdraw", methods=["POST"])
@roles(Role.PROVIDER)
def withdraw_service(service_id: int):
    provider = current_provider()
    listing = service.set_published(get_session(), scope=current_scope(),
                                    service=_my_service(provider, service_id), published=False)
    get_session().commit()
    flash(f"“{listing.title}” is withdrawn. People cannot see it now.")
    return redirect(url_for("provider_workspace.services"))


@bp.route("/checks")
@roles(Role.PROVIDER)
def checks():
    db = get_session()
    provider = current_provider()
    statuses = service.required_check_status(db, provider=provider, today=today_in_uk())
    return render_template(
        "provider_workspace/checks.html", provider=provider, statuses=statuses,
        vetted=provider.suspended_at is None and all(status.in_order for status in statuses),
        recorded=service.checks_recorded(db, provider=provider), **LABELS,
    )


@bp.route("/checks/new", methods=["GET", "POST"])
@roles(Role.PROVIDER)
def record_check():
    current_provider()
    form = CheckForm()
    if request.method == "GET" and request.args.get("kind") in CHECK_KINDS:
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        db = get_session()
        try:
            service.record_check(db, scope=current_scope(), kind=form.kind.data,
                                 reference=form.reference.data, issued_on=form.issued_on.data,
                                 expires_on=form.expires_on.data)
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            flash("Thank you. The council will check it, usually within 5 working days.")
            return redirect(url_for("provider_workspace.checks"))
    return render_template("provider_workspace/check_form.html", form=form, **LABELS), 400 if form.errors else 200


@bp.route("/reviews")
@roles(Role.PROVIDER)
def reviews():
    provider = current_provider()
    return render_template("provider_workspace/reviews.html", provider=provider,
                           reviews=provider_reviews.reviews_of_provider(get_session(), provider))


@bp.route("/reviews/<int:review_id>/reply", methods=["GET", "POST"])
@roles(Role.PROVIDER)
def reply_to_review(review_id: int):
    db = get_session()
    provider = current_provider()
    review = provider_reviews.review_of_provider(db, provider=provider, review_id=review_id) or abort(404)
    if review.reply_text is not None:
        flash("You have already replied to this review.", "error")
        return redirect(url_for("provider_workspace.reviews"))
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            provider_reviews.reply_to_review(db, scope=current_scope(), review=review, text=form.text.data)
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            flash("Your reply is on your page, under the review.")
            return redirect(url_for("provider_workspace.reviews"))
    return render_template("provider_workspace/reply.html", form=form, review=review), 400 if form.errors else 200
