"""/notifications for every signed-in role, and the email choice at /account/notifications."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth.permissions import signed_in
from marketplace.dates import UK, today_in_uk
from marketplace.db import get_session
from marketplace.notifications import service
from marketplace.notifications.forms import EmailSettingForm, MarkReadForm
from marketplace.query import page_number

bp = Blueprint("notifications", __name__)


def _uk_day(moment):
    return moment.astimezone(UK).date()


def _page_number() -> int:
    """Anything that is not a page number (other scripts' digits like ², huge numbers) is page 1."""
    page = page_number(request.args)
    return page if page is not None and page < 100_000 else 1


@bp.route("/notifications")
@signed_in
def index():
    result = service.page_of(get_session(), user_id=current_user.id, page=_page_number(),
                             day_of=_uk_day)
    return render_template("notifications/index.html", result=result, form=MarkReadForm(),
                           today=today_in_uk())


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@signed_in
def mark_read(notification_id: int):
    if not MarkReadForm().validate_on_submit():
        abort(400)
    db = get_session()
    notification = service.notification_of(db, user_id=current_user.id, notification_id=notification_id)
    if notification is None:
        abort(404)
    service.mark_read(db, notification=notification)
    db.commit()
    return redirect(url_for("notifications.index", page=_page_number()))


@bp.route("/notifications/read-all", methods=["POST"])
@signed_in
def mark_all_read():
    if not MarkReadForm().validate_on_submit():
        abort(400)
    db = get_session()
    marked = service.mark_all_read(db, user_id=current_user.id)
    db.commit()
    if marked:
        flash("All your notifications are marked as read.")
    return redirect(url_for("notifications.index"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@signed_in
def email_setting():
    db = get_session()
    form = EmailSettingForm(data={"email": "yes" if service.wants_email(db, current_user.id) else "no"}
                            if request.method == "GET" else None)
    if form.validate_on_submit():
        wanted = form.email.data == "yes"
        service.set_email_choice(db, user_id=current_user.id, email=wanted)
        db.commit()
        flash("We will email you when something new is waiting." if wanted
              else "We will not email you. New things will still show on your notifications page.")
        return redirect(url_for("notifications.email_setting"))
    return render_template("notifications/email_setting.html", form=form), 400 if form.errors else 200
