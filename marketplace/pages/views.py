"""The start page, each role's home, and the service's information pages."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import text

from marketplace.auth.permissions import public
from marketplace.db import get_session
from marketplace.jobs import queue_state
from marketplace.navigation import navigation_for

bp = Blueprint("pages", __name__)


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("pages/start.html")
    links = [item for item in navigation_for(current_user) if item["href"] != "/"]
    return render_template(f"pages/home_{current_user.role}.html", links=links)


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/healthz")
@public
def healthz():
    try:
        get_session().execute(text("SELECT 1")).one()
    except Exception:  # any failure to reach the database means "not healthy"
        return {"status": "database unavailable"}, 503
    try:
        queue = queue_state()
    except Exception:  # the app cannot queue jobs (emails, retries) without it
        return {"status": "job queue unavailable"}, 503
    return {"status": "ok", "jobs": {"waiting": queue.waiting,
                                     "oldest_waiting_seconds": queue.oldest_waiting_seconds,
                                     "scheduled": queue.scheduled}}, 200
