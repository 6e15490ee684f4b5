"""Commissioners allocate budgets, adjust them with a reason, and read any budget's statement."""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from marketplace import ledger
from marketplace.admin import bp
from marketplace.auth.acting import current_scope
from marketplace.auth.permissions import roles
from marketplace.budgets import budget_list, pages, service
from marketplace.budgets.forms import AdjustBudgetForm, AllocateBudgetForm
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import choices, show_service_error
from marketplace.models import Budget, Person, Role
from marketplace.query import page_number


def _budget_or_404(budget_id: int) -> tuple[Budget, Person]:
    session = get_session()
    budget = session.get(Budget, budget_id)
    if budget is None:
        abort(404)
    return budget, session.get(Person, budget.person_id)


@bp.route("/budgets")
@roles(Role.COMMISSIONER)
def budgets():
    sort = request.args.get("sort", "person")
    if sort not in budget_list.BUDGET_LIST_SORTS:
        sort = "person"
    descending = request.args.get("order") == "descending"
    page = page_number(request.args) or abort(404)
    rows, total = budget_list.budget_list(get_session(), sort=sort, descending=descending, page=page)
    page_count = max(1, -(-total // budget_list.BUDGET_LIST_PAGE_SIZE))
    if page > page_count:
        abort(404)
    order = {"order": "descending"} if descending else {}
    return render_template(
        "admin/budgets.html", rows=rows, total=total, sort=sort, descending=descending,
        page_links={"endpoint": "admin.budgets", "arguments": {"sort": sort} | order, "page": page,
                    "page_count": page_count})


@bp.route("/budgets/new", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def new_budget():
    session = get_session()
    form = AllocateBudgetForm()
    people = session.exec(select(Person).order_by(Person.name)).all()
    form.person_id.choices = choices([("", "Select a person")] + [(str(p.id), p.name) for p in people])
    if form.validate_on_submit():
        try:
            budget = service.allocate_budget(
                session, person_id=int(form.person_id.data), period_start=form.period_start.data,
                period_end=form.period_end.data, allocation_pence=form.allocation.data,
                funding_source=form.funding_source.data, schedule=form.schedule.data,
                categories=form.category_amounts(), scope=current_scope(), today=today_in_uk())
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            session.commit()
            flash("Budget allocated")
            return redirect(url_for("admin.budget", budget_id=budget.id))
    return render_template("admin/new_budget.html", form=form), 400 if form.errors else 200


@bp.route("/budgets/<int:budget_id>")
@roles(Role.COMMISSIONER)
def budget(budget_id: int):
    budget, person = _budget_or_404(budget_id)
    return pages.render_statement(
        get_session(), budget, heading=f"Budget for {person.name}", endpoint="admin.budget",
        csv_endpoint="admin.budget_statement_csv", return_endpoint="admin.budget_quarterly_return",
        url_values={"budget_id": budget.id}, template="admin/budget.html",
        balances=ledger.balances(get_session(), budget.id))


@bp.route("/budgets/<int:budget_id>/statement.csv")
@roles(Role.COMMISSIONER)
def budget_statement_csv(budget_id: int):
    budget, _person = _budget_or_404(budget_id)
    return pages.statement_csv(get_session(), budget)


@bp.route("/budgets/<int:budget_id>/quarterly-return")
@roles(Role.COMMISSIONER)
def budget_quarterly_return(budget_id: int):
    budget, person = _budget_or_404(budget_id)
    return pages.render_quarterly_return(
        get_session(), budget, endpoint="admin.budget_quarterly_return",
        url_values={"budget_id": budget.id}, heading=f"Quarterly return for {person.name}")


@bp.route("/budgets/<int:budget_id>/adjust", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def adjust_budget(budget_id: int):
    session = get_session()
    budget, person = _budget_or_404(budget_id)
    form = AdjustBudgetForm()
    if form.validate_on_submit():
        try:
            service.adjust_budget(session, budget_id=budget.id, change=form.change.data,
                                  amount_pence=form.amount.data, reason=form.reason.data,
                                  scope=current_scope(), request_key=form.request_key.data)
        except ServiceError as problem:
            session.rollback()  # the ledger may have locked the budget: let others in now
            show_service_error(form, problem)
        else:
            session.commit()
            flash("Change saved")
            return redirect(url_for("admin.budget", budget_id=budget.id))
    return render_template("admin/adjust_budget.html", form=form, budget=budget, person=person,
                           balances=ledger.balances(session, budget.id)), 400 if form.errors else 200
