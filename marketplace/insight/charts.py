"""Bar charts drawn on the server as SVG (no JavaScript). Each bar carries its own label and
figure as text, so a chart reads without telling colours apart; the page's table has the same
figures."""

from collections.abc import Callable, Sequence

from marketplace.money import format_money

WIDTH = 640


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
