"""Page building shared by the budget holder's pages and the commissioner's: one statement,
one CSV, one quarterly return, whoever is looking."""

import io
from collections.abc import Iterable, Iterator
from datetime import date

from flask import Response, abort, render_template, request, stream_with_context, url_for
from sqlmodel import Session

from marketplace import ledger
from marketplace.budgets import overview
from marketplace.budgets import statement as statements
from marketplace.budgets.forecast import forecast
from marketplace.budgets.forms import StatementFilterForm
from marketplace.budgets.quarterly_return import quarterly_return, quarters
from marketplace.budgets.service import instalments
from marketplace.csv_safety import SafeWriter
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.forms import choices
from marketplace.models import Budget
from marketplace.packages.effect import planned_weekly_spend
from marketplace.query import whole_number

CSV_HEADER = ["Date", "What", "Details", "Reason", "By", "On behalf of", "Category", "Provider",
              "Money in", "Money out", "Balance", "Currency"]


def overview_context(session: Session, budget: overview.OverviewBudget, categories: list[overview.CategoryPlan],
                     today: date) -> dict:
    figures = overview.category_and_month_figures(session, budget, categories)
    balances = ledger.balances(session, budget.id)
    return {
        "budget": budget,
        "balances": balances,
        "category_rows": figures.category_rows,
        "months": figures.months,
        "chart": _chart(figures.months),
        "forecast": forecast(session, budget, today=today,
                             weekly_spend_pence=planned_weekly_spend(session, budget.id, today),
                             balances=balances),
        "instalments": instalments(budget),
        "today": today,
    }


def _chart(months: list[overview.MonthSpend]) -> dict:
    """Bar positions for the spend-by-month SVG (drawn on the server, no JavaScript)."""
    width, height, bar_gap, top, bottom = 640, 240, 8, 16, 40
    tallest = max((m.spent for m in months), default=0) or 1
    slot = width / max(len(months), 1)
    bars = []
    for index, month in enumerate(months):
        bar_height = round((height - top - bottom) * month.spent / tallest)
        bars.append({
            "x": round(index * slot + bar_gap / 2, 1), "width": round(slot - bar_gap, 1),
            "y": height - bottom - bar_height, "height": bar_height,
            "label_x": round(index * slot + slot / 2, 1), "month": month,
        })
    return {"width": width, "height": height, "baseline": height - bottom, "bars": bars}


def _filter_form(session: Session, budget: Budget) -> StatementFilterForm:
    form = StatementFilterForm(formdata=request.args if request.args else None)
    form.category.choices = choices(
        [("", "All categories")] + [(str(c.id), c.name) for c in overview.categories(session, budget)])
    form.provider.choices = choices(
        [("", "All providers")] + [(str(p.id), p.name) for p in statements.statement_providers(session, budget.id)])
    return form


def _filters(form: StatementFilterForm) -> statements.StatementFilters | None:
    """The filters asked for, or None when the form has errors (shown on the page)."""
    if request.args and not form.validate():
        return None
    return statements.StatementFilters(
        from_date=form.from_date.data, to_date=form.to_date.data,
        category_id=int(form.category.data) if form.category.data else None,
        provider_id=int(form.provider.data) if form.provider.data else None,
    )


def _filter_arguments(form: StatementFilterForm) -> dict:
    """The filters in the URL, to carry into page links and the CSV link."""
    names = {*form.from_date.input_names, *form.to_date.input_names, "category", "provider"}
    return {k: v for k, v in request.args.items() if k in names and v}


def render_statement(session: Session, budget: Budget, *, heading: str, endpoint: str,
                     csv_endpoint: str, return_endpoint: str, url_values: dict,
                     template: str = "budget/statement.html", **context) -> tuple[str, int]:
    form = _filter_form(session, budget)
    selected = _filters(form)
    if selected is None:
        return render_template(template, form=form, heading=heading, budget=budget,
                               rows=[], total=0, newer_url=None, older_url=None, csv_url=None,
                               return_url=url_for(return_endpoint, **url_values), **context), 400
    before, after = _position("before"), _position("after")
    if before and after:
        abort(404)
    found = statements.statement(session, budget.id, selected, before=before, after=after)
    if (before or after) and not found.rows:
        abort(404)
    arguments = _filter_arguments(form)
    return render_template(
        template, form=form, heading=heading, budget=budget, rows=found.rows, total=found.total,
        more_than_total=found.more_than_limit,
        newer_url=url_for(endpoint, **url_values, **arguments, after=str(found.newer)) if found.newer else None,
        older_url=url_for(endpoint, **url_values, **arguments, before=str(found.older)) if found.older else None,
        csv_url=url_for(csv_endpoint, **url_values, **arguments),
        return_url=url_for(return_endpoint, **url_values), **context,
    ), 200


def _position(name: str) -> statements.Position | None:
    """A page position from the address; one that is not a position is a page that is not there."""
    if name not in request.args:
        return None
    return statements.Position.parse(request.args[name]) or abort(404)


def statement_csv(session: Session, budget: Budget) -> Response:
    """The statement's rows with the same filters, all pages, as UTF-8 CSV in decimal pounds."""
    form = _filter_form(session, budget)
    selected = _filters(form)
    if selected is None:
        abort(400, "Check the dates and filters you chose, then try again.")
    filename = f"budget-statement-{budget.period_start:%Y}-{budget.period_end:%Y}.csv"
    return Response(stream_with_context(_streamed_csv(budget.id, selected)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Content-Type": "text/csv; charset=utf-8"})


def _streamed_csv(budget_id: int, selected: statements.StatementFilters) -> Iterator[bytes]:
    """Runs after the view has returned, so it ends its own use of the database: the request's
    teardown has already happened by then."""
    session = get_session()
    try:
        yield from _csv_lines(statements.statement_csv_chunks(session, budget_id, selected))
    finally:
        session.close()


# Details, reason, by, on behalf of, category and provider: the columns people write. The rest
# are dates, amounts and the service's own words.
CSV_TEXT_COLUMNS = (2, 3, 4, 5, 6, 7)


def _csv_lines(chunks: Iterable[list[tuple[str, ...]]]) -> Iterator[bytes]:
    """The CSV a chunk of rows at a time (written in bulk), so a long statement is never held
    in memory whole and is not sent a line at a time."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(CSV_HEADER)
    for chunk in chunks:
        writer.write_text_columns(chunk, CSV_TEXT_COLUMNS)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def render_quarterly_return(session: Session, budget: Budget, *, endpoint: str,
                            url_values: dict, heading: str) -> str:
    periods = quarters(budget)
    number = (whole_number(request.args["quarter"], minimum=1, maximum=len(periods)) or abort(404)
              if "quarter" in request.args else _current_quarter(periods))
    return render_template(
        "budget/quarterly_return.html", budget=budget, heading=heading,
        report=quarterly_return(session, budget, number),
        quarter_links=[{"number": n, "start": start, "end": end,
                        "href": url_for(endpoint, **url_values, quarter=n), "current": n == number}
                       for n, (start, end) in enumerate(periods, start=1)],
    )


def _current_quarter(periods) -> int:
    today = today_in_uk()
    for number, (start, end) in enumerate(periods, start=1):
        if start <= today <= end:
            return number
    return 1 if today < periods[0][0] else len(periods)
