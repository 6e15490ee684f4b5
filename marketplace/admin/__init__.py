"""The council's pages (/admin/…), for commissioners."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from marketplace.admin import budget_views  # noqa: E402,F401  (its routes attach to bp)
