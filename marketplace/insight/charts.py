"""Bar charts drawn on the server as SVG (no JavaScript). Each bar carries its own label and
figure as text, so a chart reads without telling colours apart; the page's table has the same
figures.

The SVG is written here rather than in a template loop: a page draws up to four charts of a
dozen bars, and a template spends more time escaping each of their numbers than the rest of the
page takes. Every piece of text is still escaped."""

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from marketplace.money import format_money

WIDTH = 640
_TEXT = 'font-family="arial, sans-serif" font-size="13" fill="#0b0c0c"'
_BAR = 'fill="#1d70b8"'


def columns(items: Sequence[tuple[str, int]]) -> dict:
    """Upright bars, one per (label, pence), such as one per month."""
    height, gap, top, bottom = 240, 8, 24, 40
    tallest = max((value for _label, value in items), default=0) or 1
    slot = WIDTH / max(len(items), 1)
    bars = []
    for index, (label, value) in enumerate(items):
        bar_height = round((height - top - bottom) * max(value, 0) / tallest)
        bars.append({"x": round(index * slot + gap / 2, 1), "width": round(slot - gap, 1),
                     "y": height - bottom - bar_height, "height": bar_height,
                     "label_x": round(index * slot + slot / 2, 1), "label": label})
    return {"width": WIDTH, "height": height, "baseline": height - bottom, "bars": bars}


def rows(items: Sequence[tuple[str, int]], *, money: bool = True, suffix: str = "",
         figure: Callable[[int], str] | None = None) -> dict:
    """Bars lying down, one per (label, value), each labelled and with its figure at its end
    (written by `figure` when given, such as a rating kept in tenths)."""
    row_height, label_width, figure_width = 32, 220, 110
    longest = max((value for _label, value in items), default=0) or 1
    room = WIDTH - label_width - figure_width
    bars = []
    for index, (label, value) in enumerate(items):
        length = round(room * max(value, 0) / longest)
        bars.append({"y": index * row_height + 6, "height": row_height - 12, "x": label_width,
                     "width": length, "label": label[:32], "text_y": index * row_height + row_height / 2 + 5,
                     "figure_x": label_width + length + 6,
                     "figure": figure(value) if figure else
                     format_money(value, whole_pounds=True) if money else f"{value}{suffix}"})
    return {"width": WIDTH, "height": max(len(items), 1) * row_height, "label_x": label_width - 8,
            "bars": bars}


def _svg(chart: dict, title: str, chart_id: str, body: list[str]) -> Markup:
    """The chart as an image named by its title, saying where its figures are as text."""
    chart_id, title = escape(chart_id), escape(title)
    return Markup("\n".join([
        f'<svg class="app-chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-description" '
        f'viewBox="0 0 {chart["width"]} {chart["height"]}" width="100%" focusable="false">',
        f'  <title id="{chart_id}-title">{title}</title>',
        f'  <desc id="{chart_id}-description">The same figures are in the table below the chart.</desc>',
        *body, "</svg>"]))


def draw_columns(chart: dict, title: str, chart_id: str) -> Markup:
    """A chart from columns() as SVG."""
    baseline = chart["baseline"]
    body = [f'  <line x1="0" y1="{baseline}" x2="{chart["width"]}" y2="{baseline}" stroke="#0b0c0c" stroke-width="1"></line>']
    for bar in chart["bars"]:
        body += [f'  <rect x="{bar["x"]}" y="{bar["y"]}" width="{bar["width"]}" height="{bar["height"]}" {_BAR}></rect>',
                 f'  <text x="{bar["label_x"]}" y="{baseline + 18}" text-anchor="middle" {_TEXT}>{escape(bar["label"])}</text>']
    return _svg(chart, title, chart_id, body)


def draw_rows(chart: dict, title: str, chart_id: str) -> Markup:
    """A chart from rows() as SVG."""
    body = []
    for bar in chart["bars"]:
        body += [f'  <text x="{chart["label_x"]}" y="{bar["text_y"]}" text-anchor="end" {_TEXT}>{escape(bar["label"])}</text>',
                 f'  <rect x="{bar["x"]}" y="{bar["y"]}" width="{bar["width"]}" height="{bar["height"]}" {_BAR}></rect>',
                 f'  <text x="{bar["figure_x"]}" y="{bar["text_y"]}" {_TEXT}>{escape(bar["figure"])}</text>']
    return _svg(chart, title, chart_id, body)
