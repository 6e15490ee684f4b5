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
from flask_login import current_user, login_user, logout_user

from marketplace.auth import service
from marketplace.auth.delivery import send_registration_email
from marketplace.auth.forms import RegisterForm, SignInForm
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


@login_manager.user_loader
def load_user(session_id: str):
    from marketplace.notifications.service import unread_count_of

    db = get_session()
    user = service.load_user_from_session_id(db, session_id, also=unread_count_of(User.id))
    if user is not None:
        g.unread_notifications = db.info.pop("loaded_with_user", 0)
    return user


def _start_signed_in_session(user) -> None:
    # A fresh session on sign-in, so a session made before it cannot be reused after it.
    session.clear()
    login_user(user)


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
            user = service.sign_in(db, email=form.email.data, password=form.password.data,
                                   ip=request.remote_addr)
        except service.SignInRefused as refused:
            db.commit()  # the failed attempt counts towards slowing down this address
            form.email.errors.append(refused.message)
            if not refused.waiting:
                form.password.errors.append(refused.message)
        else:
            db.commit()
            _start_signed_in_session(user)
            return redirect(local_path(request.args.get("next")) or url_for("pages.home"))
    return render_template("auth/sign_in.html", form=form), 200 if not form.errors else 400


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out():
    if current_user.is_authenticated:
        service.sign_out(get_session(), user=current_user)
        get_session().commit()
        logout_user()
    session.clear()
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
