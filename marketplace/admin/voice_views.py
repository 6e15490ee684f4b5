"""/admin/insight/voice: challenges and how they ended, invoices disputed by provider, and
review ratings by provider and month. Each table is built once here and both the page and its
CSV read it, so a download always has what the page shows."""

from dataclasses import dataclass

from flask import abort, render_template, request

from marketplace.admin import bp
from marketplace.admin.insight_views import _filename, _filter_choices, csv_response
from marketplace.auth.permissions import roles
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.insight import charts, voice
from marketplace.insight.filters import InsightFilters, read_filters
from marketplace.models import Role


@dataclass(frozen=True)
class Table:
    key: str  # the table's id on the page, and ?table= for its CSV
    title: str
    header: tuple[str, ...]
    rows: list[list]


def _rating(ratings: voice.Ratings) -> str:
    return "" if ratings.average is None else f"{ratings.average:.1f}"


def voice_tables(filters: InsightFilters) -> tuple[list[Table], dict]:
    session = get_session()
    raised = voice.challenges(session, filters)
    disputed, disputed_providers = voice.disputes(session, filters)
    reviews = voice.reviews(session, filters)
    outcomes = raised.outcomes
    totals = raised.totals
    tables = [
        Table("challenges", "Challenges raised each month, by how they ended", ("Month", "Challenges", *outcomes),
              [["Whole period", sum(totals.values()), *totals.values()]]
              + [[f"{month:%B %Y}", sum(counts.values()), *(counts.get(o, 0) for o in outcomes)]
                 for month, counts in raised.by_month]),
        Table("disputes", "Invoices disputed, by provider",
              ("Provider", "Invoices sent in the period", "Disputed before approval", "Disputed after approval"),
              [[row.name, row.invoices, row.disputed, row.queried] for row in disputed]),
        Table("ratings", "Review ratings each month, every provider together",
              ("Month", "Reviews", "Average rating out of 5"),
              [[f"{month:%B %Y}", r.reviews, _rating(r)] for month, r in reviews.by_month]),
        Table("provider-ratings", "Review ratings of the lowest rated providers, each month",
              ("Provider", "Month", "Reviews", "Average rating out of 5"),
              [row for provider in reviews.providers for row in (
                  [[provider.name, "Whole period", provider.overall.reviews, _rating(provider.overall)]]
                  + [[provider.name, f"{month:%B %Y}", r.reviews, _rating(r)] for month, r in provider.by_month])]),
    ]
    figures = {
        "challenge_chart": charts.rows(list(totals.items()), money=False),
        "dispute_chart": charts.rows([(row.name, row.disputed + row.queried) for row in disputed], money=False),
        "rating_chart": charts.rows([(f"{month:%B %Y}", round(10 * (r.average or 0))) for month, r in reviews.by_month],
                                    figure=lambda tenths: f"{tenths / 10:.1f} out of 5" if tenths else "No reviews"),
        "disputed_providers": disputed_providers, "rated_providers": reviews.provider_count,
        "most": voice.MOST_PROVIDERS,
    }
    return tables, figures


@bp.route("/insight/voice")
@roles(Role.COMMISSIONER)
def insight_voice():
    filters = read_filters(request.args, today=today_in_uk())
    tables, figures = voice_tables(filters)
    return render_template("admin/insight_voice.html", filters=filters, tables={t.key: t for t in tables},
                           **figures, **_filter_choices()), 400 if filters.problems else 200


@bp.route("/insight/voice.csv")
@roles(Role.COMMISSIONER)
def insight_voice_csv():
    filters = read_filters(request.args, today=today_in_uk())
    tables, _figures = voice_tables(filters)
    table = next((t for t in tables if t.key == request.args.get("table")), None) or abort(404)
    return csv_response(_filename(table.key, filters), table.header, table.rows)
