"""/account and its pages, for every signed-in role."""

from urllib.parse import quote

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from marketplace.account import your_data as your_data_export
from marketplace.account.forms import DownloadForm, StaySignedInForm
from marketplace.auth import service, sessions, two_step
from marketplace.auth.delivery import send_security_notice
from marketplace.auth.forms import (
    ChangePasswordForm,
    ConfirmAuthenticatorForm,
    RemoveAuthenticatorForm,
)
from marketplace.auth.permissions import roles, signed_in
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.extensions import limiter
from marketplace.forms import show_service_error
from marketplace.models import Role
from marketplace.models.types import utcnow
from marketplace.redirects import local_path

bp = Blueprint("account", __name__)


@bp.route("/account")
@signed_in
def account():
    return render_template("account/account.html", two_step_on=g.get("two_step_set_up", False),
                           two_step_required=two_step.required_for(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per hour", methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = service.change_password(db, user=current_user._get_current_object(), current_password=form.current_password.data,
                                           new_password=form.new_password.data)
        except ServiceError as problem:
            db.commit() if problem.field == "current_password" else db.rollback()  # a wrong guess is logged
            show_service_error(form, problem)
        else:
            db.commit()
            send_security_notice(to=user.email, event="password.changed")
            sessions.begin(user)  # this session goes on with the new token; every other one has ended
            flash("Your password has been changed. You have been signed out on any other devices.")
            return redirect(url_for("account.account"))
    return render_template("account/password.html", form=form), 400 if form.errors else 200


# Two-step sign-in ------------------------------------------------------------------------------

@bp.route("/account/two-step", methods=["GET", "POST"])
@signed_in
@limiter.limit("20 per hour", methods=["POST"])
def two_step_set_up():
    db = get_session()
    if two_step.is_set_up(db, current_user):
        return render_template("account/two_step_on.html",
                               codes_left=two_step.recovery_codes_left(db, user=current_user))
    form = ConfirmAuthenticatorForm()
    new = two_step.pending_set_up(db, user=current_user)
    if new is None or request.method == "GET":
        new = two_step.start_set_up(db, user=current_user)
        db.commit()
    if form.validate_on_submit():
        try:
            codes = two_step.confirm_set_up(db, user=current_user, code=form.code.data)
        except ServiceError as problem:
            db.commit()  # the failed try is in the security log
            show_service_error(form, problem)
        else:
            db.commit()
            # Shown this once: only their hashes are kept.
            return render_template("account/recovery_codes.html", codes=codes)
    return render_template("account/two_step_set_up.html", form=form, new=new,
                           required=two_step.required_for(current_user)), 400 if form.errors else 200


@bp.route("/account/two-step/remove", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per hour", methods=["POST"])
def two_step_remove():
    db = get_session()
    if not two_step.is_set_up(db, current_user):
        return redirect(url_for("account.two_step_set_up"))
    form = RemoveAuthenticatorForm()
    if form.validate_on_submit():
        try:
            two_step.remove(db, user=current_user, password=form.password.data)
        except ServiceError as problem:
            db.commit()
            show_service_error(form, problem)
        else:
            db.commit()
            send_security_notice(to=current_user.email, event="two_step.removed")
            sessions.begin(current_user._get_current_object())
            flash("Two-step sign-in is off." + (" Set it up again with another app to carry on."
                                                if two_step.required_for(current_user) else ""))
            return redirect(url_for("account.two_step_set_up"))
    return render_template("account/two_step_remove.html", form=form,
                           required=two_step.required_for(current_user)), 400 if form.errors else 200


# Your data ---------------------------------------------------------------------------------------

@bp.route("/account/your-data", methods=["GET", "POST"])
@roles(Role.PERSON)
@limiter.limit("10 per hour", methods=["POST"])
def your_data():
    """A POST, so following links never makes a copy; each copy is in the audit log."""
    form = DownloadForm()
    if form.validate_on_submit():
        db = get_session()
        made_at = utcnow()
        archive = your_data_export.export_zip(db, user=current_user._get_current_object(), made_at=made_at)
        db.commit()
        response = make_response(archive)
        response.headers["Content-Type"] = "application/zip"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="your-data-{made_at.date().isoformat()}.zip"')
        return response
    return render_template("account/your_data.html", form=form,
                           parts=your_data_export.PARTS), 400 if form.errors else 200


# Staff must set up two-step sign-in before anything else; these pages stay open meanwhile.
OPEN_BEFORE_TWO_STEP = frozenset({
    "account.two_step_set_up", "account.timeout_warning", "auth.sign_out", "static",
    "pages.accessibility", "pages.privacy",
})


def require_two_step_set_up():
    """before_request: staff who signed in with a password alone are taken to set up two-step
    sign-in, and can do nothing else until they have."""
    if (request.endpoint in OPEN_BEFORE_TWO_STEP or not current_user.is_authenticated
            or not two_step.required_for(current_user) or g.get("two_step_set_up")):
        return None
    flash("Your account needs two-step sign-in. Set it up to carry on.", "error")
    return redirect(url_for("account.two_step_set_up"))


# How long you stay signed in -------------------------------------------------------------------

@bp.route("/session/timeout-warning", methods=["GET", "POST"])
@signed_in
def timeout_warning():
    """Looking at this page does not count as activity; pressing the button does."""
    next_path = local_path(request.args.get("next")) or url_for("pages.home")
    form = StaySignedInForm()
    if form.validate_on_submit():
        # The before_request check counted this request as activity: the idle time starts again.
        flash("You are still signed in.")
        return redirect(next_path)
    return render_template("account/timeout_warning.html", form=form, next_path=next_path,
                           seconds_left=sessions.seconds_left(),
                           idle_minutes=sessions.IDLE_LIMIT_SECONDS // 60)


def session_timing() -> dict:
    """For signed-in pages: when (with JavaScript) to go to the warning page, from this page."""
    if not current_user.is_authenticated or request.endpoint == "account.timeout_warning":
        return {}
    warn_in = max(0, sessions.seconds_left() - sessions.WARN_BEFORE_SECONDS)
    # Back to this page afterwards, unless it answered a form (its address may take only POSTs).
    here = request.full_path.rstrip("?") if request.method == "GET" else url_for("pages.home")
    target = url_for("account.timeout_warning") + "?next=" + quote(here, safe="/")
    return {"session_warning_in": warn_in, "session_warning_url": target}
