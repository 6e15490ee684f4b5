"""The GOV.UK date input every form uses: what people type, what they are told, which box is outlined."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from marketplace.date_input import DateInputField
from marketplace.forms import BaseForm
from tests.client_request import date_input


class HolidayForm(BaseForm):
    class Meta:
        csrf = False

    starts_on = DateInputField("Start date")
    ends_on = DateInputField("End date", optional=True, earliest=date(2000, 1, 1), latest=date(2100, 12, 31))


def _submit(app, **boxes) -> tuple[HolidayForm, BeautifulSoup]:
    with app.test_request_context():
        form = HolidayForm(formdata=MultiDict(boxes))
        form.validate()
        return form, BeautifulSoup(str(form.starts_on()) + str(form.ends_on()), "html.parser")


def _outlined(page: BeautifulSoup, name: str) -> list[str]:
    return [box["id"].removeprefix(f"{name}-") for box in page.select(f"#{name} input.govuk-input--error")]


@pytest.mark.parametrize(("day", "month", "year", "message", "outlined"), [
    ("", "", "", "Enter the start date", ["day", "month", "year"]),
    ("27", "", "2026", "Start date must include a month", ["month"]),
    ("", "3", "", "Start date must include a day and year", ["day", "year"]),
    ("31", "2", "2026", "Start date must be a real date", ["day"]),
    ("1", "13", "2026", "Start date must be a real date", ["month"]),
    ("40", "13", "2026", "Start date must be a real date", ["day", "month"]),
    ("27", "3", "26", "Year must include 4 numbers", ["year"]),
    ("27", "3", "0000", "Start date must be a real date", ["year"]),
    ("2\u00b2", "3", "2026", "Start date must be a real date", ["day"]),  # a superscript two
    ("27", "\u0663", "2026", "Start date must be a real date", ["month"]),  # an Arabic-Indic three
    ("1" * 30, "3", "2026", "Start date must be a real date", ["day"]),
    ("27", "3", "1" * 30, "Year must include 4 numbers", ["year"]),
    ("27\x00", "3", "2026", "Start date must not contain hidden characters. Type it in again rather "
     "than copying and pasting it", ["day"]),
])
def test_a_date_that_cannot_be_used_is_explained_by_the_boxes_at_fault(app, day, month, year, message, outlined):
    form, page = _submit(app, **date_input("starts_on", day, month, year))
    assert form.starts_on.errors == [message]
    assert _outlined(page, "starts_on") == outlined
    # The error summary links to the first box to fix; what was typed stays in the boxes.
    assert form.starts_on.id == f"starts_on-{outlined[0]}"
    assert [box["value"] for box in page.select("#starts_on input")] == [day.strip(), month.strip(), year.strip()]
    assert page.select_one("#starts_on-error").get_text(strip=True).endswith(message)


def test_a_real_date_is_read_with_or_without_spaces_and_leading_zeros(app):
    form, page = _submit(app, **date_input("starts_on", " 07 ", "03", "2026"))
    assert form.starts_on.data == date(2026, 3, 7) and form.starts_on.errors == []
    assert page.select_one("#starts_on-hint").get_text(strip=True) == "For example, 27 3 2026"
    assert page.select_one("legend").get_text(strip=True) == "Start date"
    assert [box["name"] for box in page.select("#starts_on input")] == ["starts_on-day", "starts_on-month", "starts_on-year"]
    assert _outlined(page, "starts_on") == []


def test_an_optional_date_left_blank_is_no_date_and_no_error(app):
    form, _page = _submit(app, **date_input("starts_on", "1", "1", "2026"))
    assert form.ends_on.data is None and form.ends_on.errors == []


def test_dates_outside_the_years_allowed_are_refused(app):
    form, page = _submit(app, **date_input("starts_on", "1", "1", "2026"), **date_input("ends_on", "1", "1", "2101"))
    assert form.ends_on.errors == ["End date must be between 1 January 2000 and 31 December 2100"]
    assert _outlined(page, "ends_on") == ["day", "month", "year"]


def test_a_date_already_saved_fills_the_boxes(app):
    with app.test_request_context():
        form = HolidayForm(data={"starts_on": date(2026, 3, 27)})
        page = BeautifulSoup(str(form.starts_on()), "html.parser")
    assert [box["value"] for box in page.select("#starts_on input")] == ["27", "3", "2026"]


box_text = st.text(max_size=6) | st.integers(-5, 3000).map(str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=box_text, month=box_text, year=box_text)
def test_whatever_is_typed_gives_a_date_or_one_message_never_a_crash(app, day, month, year):
    form, page = _submit(app, **date_input("starts_on", day, month, year))
    if form.starts_on.data is not None:
        assert form.starts_on.errors == []
        assert form.starts_on.data == date(int(year), int(month), int(day))
    else:
        assert len(form.starts_on.errors) == 1 and _outlined(page, "starts_on")


@pytest.mark.parametrize("boxes", [{}, date_input("starts_on", "27", "", "2026"), date_input("starts_on", "27", "3", "2026"),
                                   date_input("starts_on", "<b>", "3", "2026")])
@pytest.mark.parametrize("params", [
    {},
    {"fieldset": {"legend": {"classes": "govuk-fieldset__legend--s"}}, "hint": {"text": "For example, 1 <4> 2026"}},
    {"fieldset": {"legend": {"text": "When does it start?", "classes": "govuk-fieldset__legend--m"}}},
])
def test_the_date_boxes_are_written_as_the_gov_uk_date_input_writes_them(app, boxes, params):
    with app.test_request_context():
        form = HolidayForm(formdata=MultiDict(boxes) if boxes else None)
        form.validate()
        widget = form.starts_on.widget
        gov_params = widget.map_gov_params(form.starts_on, id="starts_on", value=None, params=params)
        ours = str(form.starts_on(params=params))
        gov_uk = app.jinja_env.get_template("govuk_frontend_wtf/date.html").render(params=gov_params)
    assert ours == gov_uk


def test_a_styled_legend_still_names_the_boxes(app):
    with app.test_request_context():
        form = HolidayForm(formdata=None)
        page = BeautifulSoup(str(form.starts_on(params={"fieldset": {"legend": {"classes": "govuk-fieldset__legend--s"}}})),
                             "html.parser")
    assert page.select_one("legend.govuk-fieldset__legend--s").get_text(strip=True) == "Start date"
