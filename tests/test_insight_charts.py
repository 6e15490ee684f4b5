"""The insight pages' bar charts: an image named by its title, every bar labelled with its
figure as text, and any name a provider typed shown as text, never as markup."""

from bs4 import BeautifulSoup

from marketplace.insight import charts


def _svg(markup) -> BeautifulSoup:
    return BeautifulSoup(str(markup), "html.parser").svg


def test_a_bar_chart_is_an_image_named_by_its_title_with_each_bar_labelled():
    svg = _svg(charts.draw_rows(charts.rows([("Home Care Ltd", 20_000), ("Garden Trips", 10_000)]),
                                "Bar chart of the providers paid the most", "provider-chart"))
    assert svg["role"] == "img"
    assert svg["aria-labelledby"] == "provider-chart-title provider-chart-description"
    assert svg.select_one("#provider-chart-title").text == "Bar chart of the providers paid the most"
    assert [text.text for text in svg.select("text")] == ["Home Care Ltd", "£200", "Garden Trips", "£100"]
    assert [int(rect["width"]) for rect in svg.select("rect")] == [310, 155]  # the longest fills the room


def test_names_in_a_chart_are_shown_as_text_not_markup():
    svg = _svg(charts.draw_rows(charts.rows([('Tom & <b>"Jerry"</b>', 5)], money=False), "A <chart>", "x"))
    assert svg.select("b") == []
    assert svg.select("text")[0].text == 'Tom & <b>"Jerry"</b>'
    assert svg.title.text == "A <chart>"


def test_a_column_chart_labels_each_month_under_its_bar():
    svg = _svg(charts.draw_columns(charts.columns([("Apr", 0), ("May", 10_000), ("Jun", 20_000)]), "Spent", "month"))
    assert [text.text for text in svg.select("text")] == ["Apr", "May", "Jun"]
    assert [int(rect["height"]) for rect in svg.select("rect")] == [0, 88, 176]
