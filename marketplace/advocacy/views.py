"""Advocate pages: the budget holder's advocates, invitations, the advocate's home and acting
for someone, a professional's authorised people, and the activity page."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from marketplace.advocacy import activity, service
from marketplace.advocacy.delivery import deliver_invitation
from marketplace.advocacy.forms import (
    ActForForm,
    AdvocateRegisterForm,
    AuthorisedPersonForm,
    ConfirmForm,
    InviteForm,
    PermissionsForm,
)
from marketplace.audit import audit
from marketplace.auth import acting, sessions
from marketplace.auth.acting import current_scope, require_or_403
from marketplace.auth.permissions import public, roles, signed_in
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.extensions import limiter
from marketplace.forms import show_service_error
from marketplace.models import AdvocateLink, LegalBasis, Person, Role, User
from marketplace.models.types import utcnow
from marketplace.notifications.service import waiting_for_advocate
from marketplace.query import page_number, record_id
from marketplace.redirects import local_path
from marketplace.scope import PERMISSION_LABELS, Scope, active_link, can, for_caseload_person

bp = Blueprint("advocacy", __name__)

# Kept for one page view after inviting, so a developer can follow the link without email.
LINK_TO_SHOW_KEY = "advocacy_invitation_link"


@bp.app_context_processor
def _acting_for_banner():
    chosen = acting.acting_for()
    return {"acting_for_person": chosen[0] if chosen else None}


@bp.app_template_filter("permission_list")
def _permission_list(link: AdvocateLink) -> list[str]:
    return [PERMISSION_LABELS[p].capitalize() for p in link.permissions]


def _status_tag(link: AdvocateLink) -> dict:
    status = link.status_now(utcnow()).value
    colours = {"invited": "blue", "active": "green", "declined": "grey", "expired": "grey",
               "revoked": "red"}
    texts = {"revoked": "Access stopped"}
    return {"text": texts.get(status, status.capitalize()), "classes": f"govuk-tag--{colours[status]}"}


@bp.app_context_processor
def _helpers():
    return {"advocate_status_tag": _status_tag, "legal_basis_label": lambda value: LegalBasis(value).label}


def _form_status(form) -> int:
    return 400 if form.errors else 200


def _show_delivery(invitation: service.NewInvitation, *, person: Person) -> None:
    delivery = deliver_invitation(invitation, person_name=person.name, inviter_name=current_user.name)
    who = invitation.link.invited_name
    if delivery.emailed:
        flash(f"We have emailed an invitation to {who}.")
    elif delivery.email_failed:
        flash(f"The invitation for {who} is saved, but we could not email it. "
              "Try again later by stopping it and inviting them again.", "warning")
    elif current_app.config["APP_ENV"] == "production":
        flash(f"The invitation for {who} is saved. No email was sent: copy the link below and "
              "send it to them yourself.")
    else:
        flash(f"The invitation for {who} is saved.")
    if delivery.link_to_show:
        session[LINK_TO_SHOW_KEY] = delivery.link_to_show


# The budget holder's advocates ---------------------------------------------------------------

@bp.route("/advocates")
@roles(Role.PERSON)
def advocates():
    person = require_or_403("manage_advocates").person
    links = service.links_for_person(get_session(), person_id=person.id)
    return render_template("advocacy/advocates.html", person=person, links=links,
                           link_to_show=session.pop(LINK_TO_SHOW_KEY, None))


@bp.route("/advocates/invite", methods=["GET", "POST"])
@roles(Role.PERSON)
def invite():
    person = require_or_403("manage_advocates").person
    form = InviteForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            invitation = service.invite(db, scope=current_scope(), name=form.name.data,
                                        email=form.email.data, permissions=form.permissions.chosen)
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            _show_delivery(invitation, person=person)
            return redirect(url_for("advocacy.advocates"))
    return render_template("advocacy/invite.html", form=form), _form_status(form)


def _managed_link(link_id: int) -> tuple[AdvocateLink, Scope]:
    """A link this user may change, and the scope they change it in: their own advocate, or an
    authorised person for someone on their caseload. Anyone else's link is 'not found'."""
    db = get_session()
    if current_user.role == Role.PERSON:
        scope = require_or_403("manage_advocates")
        link = service.link_of_person(db, person_id=scope.person.id, link_id=link_id)
        if link is None:
            abort(404)
        if link.is_authorised_person:
            abort(403, "A professional recorded this authorised person, so only a professional "
                       "who supports you can change it. Ask your social worker.")
        return link, scope
    link = db.get(AdvocateLink, link_id)
    if link is None or not link.is_authorised_person:
        abort(404)
    for_person = for_caseload_person(db, current_scope(), link.person_id)
    if for_person is None or not can(for_person, "manage_authorised_people", link):
        abort(404)
    return link, for_person


def _back_to_list() -> str:
    if current_user.role == Role.PROFESSIONAL:
        return url_for("advocacy.caseload")
    return url_for("advocacy.advocates")


@bp.route("/advocates/<int:link_id>/permissions", methods=["GET", "POST"])
@roles(Role.PERSON, Role.PROFESSIONAL)
def change_permissions(link_id: int):
    link, scope = _managed_link(link_id)
    form = PermissionsForm(data={"permissions": link.permissions} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.change_permissions(get_session(), scope=scope, link_id=link.id,
                                       permissions=form.permissions.chosen)
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            get_session().commit()
            flash(f"You have changed what {link.invited_name} can do.")
            return redirect(_back_to_list())
    return render_template("advocacy/permissions.html", form=form, link=link,
                           back=_back_to_list()), _form_status(form)


@bp.route("/advocates/<int:link_id>/stop-access", methods=["GET", "POST"])
@roles(Role.PERSON, Role.PROFESSIONAL)
def revoke(link_id: int):
    link, scope = _managed_link(link_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.revoke(get_session(), scope=scope, link_id=link.id)
        get_session().commit()
        flash(f"{link.invited_name} can no longer act for {get_session().get(Person, link.person_id).name}.")
        return redirect(_back_to_list())
    return render_template("advocacy/revoke.html", form=form, link=link, back=_back_to_list())


# Invitations --------------------------------------------------------------------------------

def _invitation_or_refusal(token: str):
    try:
        link = service.open_invitation(get_session(), token)
    except service.InvitationRefused as refused:
        return None, refused.message
    return link, None


@bp.route("/advocacy/invitations/<token>")
@public
def invitation(token: str):
    link, refusal = _invitation_or_refusal(token)
    if refusal:
        return render_template("advocacy/invitation_refused.html", message=refusal), 410
    db = get_session()
    return render_template("advocacy/invitation.html", link=link, token=token, form=ConfirmForm(),
                           person=db.get(Person, link.person_id),
                           invited_by=db.get(User, link.invited_by_id))


@bp.route("/advocacy/invitations/<token>/accept", methods=["POST"])
@signed_in
def accept_invitation(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    try:
        link = service.accept(db, token=token, user=current_user)
    except service.InvitationRefused as refused:
        db.commit()  # an invitation found to have run out is recorded as expired
        return render_template("advocacy/invitation_refused.html", message=refused.message), 409
    db.commit()
    flash(f"You are now an advocate for {get_session().get(Person, link.person_id).name}.")
    return redirect(url_for("advocacy.home"))


@bp.route("/advocacy/invitations/<token>/decline", methods=["POST"])
@public
@limiter.limit("30 per hour", methods=["POST"])
def decline_invitation(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = current_user if current_user.is_authenticated else None
    db = get_session()
    try:
        link = service.decline(db, token=token, user=user)
    except service.InvitationRefused as refused:
        db.commit()  # an invitation found to have run out is recorded as expired
        return render_template("advocacy/invitation_refused.html", message=refused.message), 409
    db.commit()
    person = get_session().get(Person, link.person_id)
    return render_template("advocacy/invitation_declined.html", person=person)


@bp.route("/advocacy/invitations/<token>/register", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])  # as on the main registration page
def register_from_invitation(token: str):
    if current_user.is_authenticated:
        return redirect(url_for("advocacy.invitation", token=token))
    link, refusal = _invitation_or_refusal(token)
    if refusal:
        return render_template("advocacy/invitation_refused.html", message=refusal), 410
    form = AdvocateRegisterForm(data={"name": link.invited_name} if request.method == "GET" else None)
    if form.validate_on_submit():
        db = get_session()
        try:
            user = service.register_and_accept(db, token=token, name=form.name.data,
                                               email=form.email.data, password=form.password.data)
        except service.InvitationRefused as refused:
            db.commit()  # an invitation found to have run out is recorded as expired
            return render_template("advocacy/invitation_refused.html", message=refused.message), 409
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            sessions.begin(user)  # a fresh session on sign-in, as on the sign-in page
            flash(f"Your account is ready. You are now an advocate for "
                  f"{get_session().get(Person, link.person_id).name}.")
            return redirect(url_for("advocacy.home"))
    person = get_session().get(Person, link.person_id)
    return render_template("advocacy/register.html", form=form, person=person), _form_status(form)


# The advocate's home and acting for someone ----------------------------------------------------

@bp.route("/advocacy")
@roles(Role.ADVOCATE)
def home():
    db = get_session()
    waiting = waiting_for_advocate(db, advocate=current_user)
    supported = [(person, link, waiting.get(person.id, []))
                 for person, link in service.people_supported(db, advocate=current_user)]
    return render_template("advocacy/home.html", supported=supported, act_for_form=ActForForm(),
                           invitations=service.invitations_waiting(db, advocate=current_user))


@bp.route("/advocacy/acting-for", methods=["POST"])
@roles(Role.ADVOCATE)
def act_for():
    form = ActForForm()
    if not form.validate_on_submit():
        abort(404)
    db = get_session()
    person_id = int(form.person_id.data)
    if active_link(db, advocate=current_user, person_id=person_id) is None:
        abort(404)
    acting.start_acting_for(person_id)
    audit(db, action="advocate.started_acting", actor=current_user, on_behalf_of_id=person_id,
          object_type="person", object_id=person_id)
    db.commit()
    person = db.get(Person, person_id)
    flash(f"You are now acting for {person.name}.")
    next_page = local_path(request.form.get("next"))
    if next_page is None:
        next_page = url_for("budget.overview") if "budget.overview" in current_app.view_functions \
            else url_for("advocacy.home")
    return redirect(next_page)


@bp.route("/advocacy/stop-acting", methods=["POST"])
@roles(Role.ADVOCATE)
def stop_acting():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    chosen = acting.acting_for()
    acting.stop_acting()
    if chosen is not None:
        db = get_session()
        audit(db, action="advocate.stopped_acting", actor=current_user, on_behalf_of_id=chosen[0].id,
              object_type="person", object_id=chosen[0].id)
        db.commit()
        flash(f"You have stopped acting for {chosen[0].name}.")
    return redirect(url_for("advocacy.home"))


# A professional's authorised people --------------------------------------------------------------

@bp.route("/advocacy/caseload")
@roles(Role.PROFESSIONAL)
def caseload():
    db = get_session()
    people = [(person, service.links_for_person(db, person_id=person.id))
              for person in service.caseload(db, professional=current_user)]
    return render_template("advocacy/caseload.html", people=people,
                           link_to_show=session.pop(LINK_TO_SHOW_KEY, None))


@bp.route("/advocacy/caseload/<int:person_id>/authorised-person", methods=["GET", "POST"])
@roles(Role.PROFESSIONAL)
def record_authorised_person(person_id: int):
    db = get_session()
    for_person = for_caseload_person(db, current_scope(), person_id) or abort(404)
    person = for_person.person
    form = AuthorisedPersonForm()
    if form.validate_on_submit():
        try:
            invitation = service.record_authorised_person(
                db, scope=for_person, name=form.name.data,
                email=form.email.data, permissions=form.permissions.chosen,
                legal_basis=LegalBasis(form.legal_basis.data), reason=form.reason.data)
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            _show_delivery(invitation, person=person)
            return redirect(url_for("advocacy.caseload"))
    return render_template("advocacy/authorised_person.html", form=form, person=person), _form_status(form)


# Activity ----------------------------------------------------------------------------------------

def _page_number() -> int:
    return page_number(request.args) or 1


def _chosen_id(name: str, allowed: list[tuple[int, str]]) -> int | None:
    """A filter value from the query string; an id that is not one of the choices is 404."""
    value = request.args.get(name, "")
    if not value:
        return None
    chosen = record_id(value)
    if chosen is None or chosen not in {option_id for option_id, _ in allowed}:
        abort(404)
    return chosen


@bp.route("/activity", endpoint="activity")
@roles(Role.PERSON, Role.ADVOCATE)
def activity_page():
    db = get_session()
    page = _page_number()
    if current_user.role == Role.PERSON:
        person = require_or_403("view_activity").person
        options = activity.actors_for_person(db, person=person)
        chosen = _chosen_id("who", options)
        result = activity.for_person(db, person=person, actor_id=chosen, page=page)
        filter_name = "who"
    else:
        options = activity.people_of_advocate(db, advocate=current_user)
        chosen = _chosen_id("person", options)
        result = activity.for_advocate(db, advocate=current_user, person_id=chosen, page=page)
        filter_name = "person"
    return render_template("advocacy/activity.html", result=result, options=options,
                           chosen=chosen, filter_name=filter_name)
