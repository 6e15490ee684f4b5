"""/admin/insight: the council sees where the money goes and who is waiting."""

import io

from flask import Response, render_template, request

from marketplace.admin import bp
from marketplace.auth.permissions import roles
from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.csv_safety import SafeWriter
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.insight import charts, choice, money, waiting
from marketplace.insight.filters import InsightFilters, read_filters
from marketplace.models import FundingSource, Role
from marketplace.money import pence_to_pounds
from marketplace.providers.catalogue import CHECK_KINDS
from marketplace.templating import date_time

MONEY_COLUMNS = ("Month", "Paid in", "Set aside", "Spent", "Free to use at the end of the month")


@bp.route("/insight")
@roles(Role.COMMISSIONER)
def insight():
    return render_template("admin/insight.html")


def _filter_choices() -> dict:
    return {"funding_sources": [(s.value, s.label) for s in FundingSource],
            "category_choices": list(SUPPORT_CATEGORIES.items())}


def _money_rows(months: list[money.MonthMoney]) -> list[list]:
    return [[f"{m.month:%B %Y}", m.paid_in, m.set_aside, m.spent, m.free_at_end] for m in months]


@bp.route("/insight/money")
@roles(Role.COMMISSIONER)
def insight_money():
    session, today = get_session(), today_in_uk()
    filters = read_filters(request.args, today=today)
    months = money.money_by_month(session, filters)
    categories = money.money_by_category(session, filters)
    providers = money.top_providers(session, filters)
    return render_template(
        "admin/insight_money.html", filters=filters, months=months, money_columns=MONEY_COLUMNS,
        money_rows=_money_rows(months), categories=categories, providers=providers,
        at_risk=money.at_risk(session, filters, today=today), worked_out_at=money.worked_out_at(session),
        **_filter_choices(),
        month_chart=charts.columns([(f"{m.month:%b}", m.spent) for m in months]),
        category_chart=charts.rows([(c.name, c.spent) for c in categories]),
        provider_chart=charts.rows([(p.name, p.spent) for p in providers])), 400 if filters.problems else 200


def csv_response(filename: str, header: tuple[str, ...], rows: list[list]) -> Response:
    """A small table as UTF-8 CSV, every cell made safe."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Content-Type": "text/csv; charset=utf-8"})


def _filename(stem: str, filters: InsightFilters) -> str:
    return f"{stem}-{filters.first_month:%Y-%m}-to-{filters.last_month:%Y-%m}.csv"


@bp.route("/insight/money.csv")
@roles(Role.COMMISSIONER)
def insight_money_csv():
    filters = read_filters(request.args, today=today_in_uk())
    months = money.money_by_month(get_session(), filters)
    in_pounds = [[pence_to_pounds(v) if isinstance(v, int) else v for v in row] for row in _money_rows(months)]
    return csv_response(_filename("money-by-month", filters), MONEY_COLUMNS, in_pounds)


WAITING_COLUMNS = ("Answers", "Of", "Answered", "Median working days", "9 in 10 within (working days)",
                   "Within 5 working days")


def _summary_cells(summary: waiting.Summary) -> list:
    share = summary.share_within_target
    median = "" if summary.median is None else f"{summary.median:g}"
    return [summary.count, median, "" if summary.ninetieth is None else summary.ninetieth,
            "" if share is None else f"{share}%"]


def waiting_rows(measure: waiting.Measure) -> list[list]:
    """One measure's table: the whole council, each month, then each professional or provider."""
    return ([["Whole council", "Everyone", *_summary_cells(measure.overall)]]
            + [[f"{month:%B %Y}", "Month", *_summary_cells(s)] for month, s in measure.by_month]
            + [[who, measure.by_label, *_summary_cells(s)] for who, s in measure.by_whom])


@bp.route("/insight/waiting")
@roles(Role.COMMISSIONER)
def insight_waiting():
    today = today_in_uk()
    filters = read_filters(request.args, today=today)
    measures = waiting.measures(get_session(), filters, today=today)
    return render_template(
        "admin/insight_waiting.html", filters=filters, measures=measures,
        tables={m.key: waiting_rows(m) for m in measures}, columns=WAITING_COLUMNS,
        target=waiting.TARGET_WORKING_DAYS,
        charts={m.key: charts.rows([(f"{month:%B %Y}", s.share_within_target or 0) for month, s in m.by_month],
                                   money=False, suffix="%") for m in measures},
        **_filter_choices()), 400 if filters.problems else 200


@bp.route("/insight/waiting.csv")
@roles(Role.COMMISSIONER)
def insight_waiting_csv():
    filters = read_filters(request.args, today=today_in_uk())
    rows = [[measure.name, *row] for measure in waiting.answer_times(get_session(), filters)
            for row in waiting_rows(measure)]
    return csv_response(_filename("waiting-times", filters), ("Measure", *WAITING_COLUMNS), rows)


WAITING_NOW_COLUMNS = ("Waiting since", "What", "Who", "Working days")


@bp.route("/insight/waiting-now.csv")
@roles(Role.COMMISSIONER)
def insight_waiting_now_csv():
    """Everything in the Waiting page's lists of what waits now, where the page shows only the
    first few of each: the same columns, longest waiting first."""
    today = today_in_uk()
    filters = read_filters(request.args, today=today)
    lists = waiting.everything_waiting(get_session(), filters, today=today)
    rows = [[waiting.MEASURE_NAMES[key][0], date_time(item.started), item.what, item.who, item.working_days]
            for key in waiting.KEYS for item in lists[key]]
    return csv_response(f"waiting-now-{today:%Y-%m-%d}.csv", ("Measure", *WAITING_NOW_COLUMNS), rows)


def _choice(filters: InsightFilters) -> choice.Choice:
    return choice.choice_and_gaps(get_session(), category=filters.category)


@bp.route("/insight/choice")
@roles(Role.COMMISSIONER)
def insight_choice():
    session, today = get_session(), today_in_uk()
    filters = read_filters(request.args, today=today)
    found = _choice(filters)
    own = choice.own_provider_decisions(session, filters)
    return render_template(
        "admin/insight_choice.html", filters=filters, found=found, rows=found.rows(),
        gap_chart=charts.rows(found.gaps(), money=False), expiring=choice.expiring_checks(session, today=today),
        expiring_days=choice.EXPIRING_WITHIN_DAYS, check_kinds=CHECK_KINDS, own=own,
        own_chart=charts.rows(own.counts, money=False), today=today,
        **_filter_choices()), 400 if filters.problems else 200


@bp.route("/insight/choice.csv")
@roles(Role.COMMISSIONER)
def insight_choice_csv():
    filters = read_filters(request.args, today=today_in_uk())
    found = _choice(filters)
    header = ("Postcode district", "Budget holders living there", *(name for _key, name in found.categories))
    return csv_response(f"vetted-providers-{today_in_uk():%Y-%m-%d}.csv", header, found.rows())
