"""The council's pages (/admin/…), for commissioners. Each module's routes attach to bp."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from marketplace.admin import budget_views, insight_views, package_views, vetting_views, voice_views  # noqa: E402,F401
