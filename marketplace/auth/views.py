from functools import cache

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from marketplace.auth import reset, service, sessions, two_step
from marketplace.auth.delivery import (
    send_password_reset_email,
    send_registration_email,
    send_security_notice,
)
from marketplace.auth.forms import (
    CodeForm,
    ForgotPasswordForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
)
from marketplace.auth.permissions import public
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.extensions import limiter, login_manager
from marketplace.forms import show_service_error
from marketplace.models import User
from marketplace.redirects import local_path

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to see this page."


@cache
def _user_with_what_every_page_shows():
    from marketplace.notifications.service import unread_count_of

    return service.user_by_id_with(unread_count_of(User.id), two_step.set_up_column(User.id))


@login_manager.user_loader
def load_user(session_id: str):
    loaded = service.load_user_from_session_id(get_session(), session_id,
                                               statement=_user_with_what_every_page_shows())
    if loaded is None:
        return None
    user, (g.unread_notifications, g.two_step_set_up) = loaded
    return user


# After a right password, an account with two-step sign-in has this long to give its code.
SECOND_STEP_SECONDS = 5 * 60
PENDING_SECOND_STEP = "two_step_pending"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignInForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = service.check_password(db, email=form.email.data, password=form.password.data,
                                          ip=request.remote_addr)
        except service.SignInRefused as refused:
            db.commit()  # the failed attempt counts towards slowing down this address
            form.email.errors.append(refused.message)
            if not refused.waiting:
                form.password.errors.append(refused.message)
        else:
            next_path = local_path(request.args.get("next"))
            if two_step.is_set_up(db, user):
                db.commit()
                session.clear()
                session[PENDING_SECOND_STEP] = {"user_id": user.id, "token": user.session_token,
                                                "at": sessions.now(), "next": next_path}
                return redirect(url_for("auth.second_step"))
            service.start_session(db, user=user, ip=request.remote_addr)
            db.commit()
            sessions.begin(user)
            return redirect(next_path or url_for("pages.home"))
    return render_template("auth/sign_in.html", form=form), 200 if not form.errors else 400


def _pending_second_step(db) -> tuple[User, str | None] | None:
    """The account whose password was just right, while the code may still be given."""
    pending = session.get(PENDING_SECOND_STEP)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None
    if sessions.now() - pending["at"] > SECOND_STEP_SECONDS:
        return None
    user = db.get(User, pending.get("user_id")) if isinstance(pending.get("user_id"), int) else None
    # A sign-in completed elsewhere since then changes the token: this attempt is over.
    if user is None or user.session_token != pending.get("token"):
        return None
    return user, pending.get("next")


@bp.route("/sign-in/two-step", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])
def second_step():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    db = get_session()
    pending = _pending_second_step(db)
    if pending is None:
        session.pop(PENDING_SECOND_STEP, None)
        flash("Sign in again: the time to enter your code ran out.", "error")
        return redirect(url_for("auth.sign_in"))
    user, next_path = pending
    form = CodeForm()
    if form.validate_on_submit():
        try:
            used = two_step.check_code(db, user=user, code=form.code.data, ip=request.remote_addr)
        except two_step.CodeRefused as refused:
            db.commit()  # the failed attempt counts towards slowing down
            show_service_error(form, refused)
        else:
            service.start_session(db, user=user, ip=request.remote_addr, second_step=used)
            left = two_step.recovery_codes_left(db, user=user) if used == "recovery code" else None
            db.commit()
            sessions.begin(user)
            if left is not None:
                flash(f"You used a recovery code. You have {left} left. Each one works once.", "error")
            return redirect(next_path or url_for("pages.home"))
    return render_template("auth/second_step.html", form=form), 200 if not form.errors else 400


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out():
    if current_user.is_authenticated:
        service.sign_out(get_session(), user=current_user)
        get_session().commit()
    sessions.end()
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        fields = {"email": form.email.data, "name": form.name.data, "password": form.password.data}
        db = get_session()
        try:
            if form.account_type.data == "provider":
                service.register_provider(db, organisation_name=form.organisation_name.data, **fields)
            else:
                service.register_person(db, **fields)
        except service.AddressTaken:
            db.rollback()
            send_registration_email(to=service.normalise_email(form.email.data), already_had_account=True)
            return render_template("auth/check_your_email.html", email=form.email.data.strip())
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            send_registration_email(to=service.normalise_email(form.email.data), already_had_account=False)
            return render_template("auth/check_your_email.html", email=form.email.data.strip())
    return render_template("auth/register.html", form=form), 200 if not form.errors else 400


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        db = get_session()
        link = reset.request_reset(db, email=form.email.data)
        db.commit()
        # After the commit: no transaction is open while the mail server answers.
        if link is not None:
            send_password_reset_email(to=link.user.email, token=link.token)
        # The same page whether or not the address has an account.
        return render_template("auth/reset_link_sent.html", email=form.email.data.strip())
    return render_template("auth/forgot_password.html", form=form), 200 if not form.errors else 400


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):
    db = get_session()
    if reset.open_link(db, token) is None:
        return render_template("auth/reset_link_gone.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset.reset_password(db, token=token, new_password=form.password.data)
        except ServiceError as problem:
            db.rollback()
            show_service_error(form, problem)
        else:
            db.commit()
            send_security_notice(to=user.email, event="password.reset")
            if current_user.is_authenticated:
                sessions.end()
            flash("Your password has been changed. Sign in with your new password.")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form), 200 if not form.errors else 400
