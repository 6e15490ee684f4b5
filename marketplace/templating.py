"""Template filters and the values every page needs (navigation, current role)."""

from collections import ChainMap
from datetime import UTC, date, datetime

from flask import Flask, g, request, url_for
from flask.templating import Environment
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from marketplace.dates import UK
from marketplace.insight import cells, charts
from marketplace.money import format_money
from marketplace.navigation import navigation_for


class _TemplateGlobals(ChainMap):
    """A template's globals, as Jinja keeps them, but whose keys() is a plain set.

    Every `{% from ... import ... %}` as a page renders (the layout's own and those inside
    each GOV.UK macro) asks which globals the page has that the imported file lacks, as
    `page_keys - imported.globals.keys()`. Over a ChainMap's live keys view that looks each
    key up map by map: about 0.05 ms an import, more than a millisecond a page. As a set it
    is one C operation with the same answer. Nothing else reads the keys."""

    def keys(self):
        return set().union(*self.maps)


class PageEnvironment(Environment):
    def make_globals(self, d):
        return _TemplateGlobals(*super().make_globals(d).maps)


def init_app(app: Flask) -> None:
    app.add_template_filter(format_money, "money")
    app.add_template_filter(_long_date, "long_date")
    app.add_template_filter(date_time, "date_time")
    app.add_template_global(csrf_field)
    app.add_template_global(charts.draw_columns, "draw_column_chart")
    app.add_template_global(charts.draw_rows, "draw_row_chart")
    app.add_template_global(cells.provider_count_cells)
    app.context_processor(_page_context)


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def _long_date(value: date | datetime | None) -> str:
    """'14 February 2027', as GOV.UK writes dates (Babel's en_GB "d MMMM y", written here
    directly because long tables format hundreds of dates: a test holds the two equal)."""
    if value is None:
        return ""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def date_time(value: datetime | None) -> str:
    """'14 February 2027 at 3:05pm' in UK time (a time without a zone is UTC). Written here
    directly, like _long_date, because a list formats one for every row: a test holds it to
    Babel's answer."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UK)
    hour = local.hour % 12 or 12
    return f"{_long_date(local)} at {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def csrf_field() -> Markup:
    """The hidden field every form sends back for Flask-WTF to check. Written as markup rather
    than drawn by a WTForms field, and once a request: some pages have a small form on every row."""
    if "csrf_field" not in g:
        g.csrf_field = Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())
    return g.csrf_field


def _page_context() -> dict:
    user = current_user if current_user.is_authenticated else None
    items = navigation_for(user)
    for item in items:
        item["current"] = item["href"] == request.path
        item["active"] = not item["current"] and item["href"] != "/" and request.path.startswith(item["href"] + "/")
    return {"navigation_items": items, "sign_out_url": url_for("auth.sign_out")}
