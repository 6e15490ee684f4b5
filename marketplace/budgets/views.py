"""The budget holder's money pages: overview, statement (and CSV) and quarterly return."""

from datetime import date

from flask import Blueprint, render_template

from marketplace.auth.acting import require_or_403
from marketplace.auth.permissions import roles
from marketplace.budgets import pages
from marketplace.budgets.overview import current_budget, current_budget_and_categories
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.models import Budget, Role
from marketplace.templating import MONTH_NAMES

bp = Blueprint("budget", __name__, url_prefix="/budget")


def _budget_in_scope() -> tuple[Budget | None, str]:
    person = require_or_403("view_budget").person
    return current_budget(get_session(), person.id, today_in_uk()), person.name


@bp.route("")
@roles(Role.PERSON, Role.ADVOCATE)
def overview():
    person, today = require_or_403("view_budget").person, today_in_uk()
    budget, categories = current_budget_and_categories(get_session(), person.id, today)
    if budget is None:
        return render_template("budget/no_budget.html", name=person.name)
    return render_template("budget/overview.html", name=person.name,
                           **pages.overview_context(get_session(), budget, categories, today))


@bp.route("/statement")
@roles(Role.PERSON, Role.ADVOCATE)
def statement():
    budget, name = _budget_in_scope()
    if budget is None:
        return render_template("budget/no_budget.html", name=name)
    return pages.render_statement(
        get_session(), budget, heading="Statement", endpoint="budget.statement",
        csv_endpoint="budget.statement_csv", return_endpoint="budget.quarterly_return", url_values={})


@bp.route("/statement.csv")
@roles(Role.PERSON, Role.ADVOCATE)
def statement_csv():
    budget, name = _budget_in_scope()
    if budget is None:
        return render_template("budget/no_budget.html", name=name), 404
    return pages.statement_csv(get_session(), budget)


@bp.route("/quarterly-return")
@roles(Role.PERSON, Role.ADVOCATE)
def quarterly_return():
    budget, name = _budget_in_scope()
    if budget is None:
        return render_template("budget/no_budget.html", name=name)
    return pages.render_quarterly_return(get_session(), budget, endpoint="budget.quarterly_return",
                                         url_values={}, heading=f"Quarterly return for {name}")


# Babel's en_GB short month names, written here because the overview's chart and table name
# every month of the budget (a test holds them to Babel's answer).
SHORT_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")


@bp.app_template_filter("month_short")
def _month_short(value: date) -> str:
    return SHORT_MONTH_NAMES[value.month - 1]


@bp.app_template_filter("month_year")
def _month_year(value: date) -> str:
    return f"{MONTH_NAMES[value.month - 1]} {value.year}"


@bp.app_template_filter("funding_label")
def _funding_label(value: str) -> str:
    return {"council": "the council", "nhs": "the NHS", "joint": "the council and the NHS"}.get(value, value)
