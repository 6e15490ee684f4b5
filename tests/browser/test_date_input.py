"""The statement filter's day, month and year boxes, used with the keyboard alone."""

import re

import pytest
from playwright.sync_api import Page

from tests.browser.layout import layout_problems
from tests.browser.pages import accessibility_violations, axe_rule_violations, sign_in

pytestmark = pytest.mark.browser


def _tab_to(page: Page, element_id: str, most: int = 60) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def _focused() -> str:
    return "document.activeElement.id"


def test_a_keyboard_user_filters_the_statement_by_dates(page, live_server):
    sign_in(page, live_server, "sam@example.org")
    page.goto(live_server + "/budget/statement")
    _tab_to(page, "from_date-day")
    for box, value in [("from_date-day", "1"), ("from_date-month", "5"), ("from_date-year", "2026"),
                       ("to_date-day", "31"), ("to_date-month", "5"), ("to_date-year", "2026")]:
        assert page.evaluate(_focused()) == box, "the boxes come in order: day, month, year"
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    assert page.evaluate(_focused()) == "category"
    _tab_to(page, "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "from_date-day=1&from_date-month=5&from_date-year=2026" in page.url
    dates = page.locator("#statement tbody tr td:first-child").all_inner_texts()
    assert dates and all(text.endswith("May 2026") for text in dates)
    # What was typed stays in the boxes.
    assert page.locator("#to_date-day").input_value() == "31"


def test_a_half_typed_date_is_explained_and_the_error_leads_to_the_box(page, live_server):
    sign_in(page, live_server, "sam@example.org")
    page.goto(live_server + "/budget/statement")
    _tab_to(page, "from_date-day")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # leave the month empty
    page.keyboard.type("2026")
    _tab_to(page, "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link").all_inner_texts() == ["From date must include a month"]
    assert re.search(r"From date must include a month", page.locator("#from_date-error").inner_text())
    assert page.locator("#from_date input.govuk-input--error").evaluate_all("boxes => boxes.map(b => b.id)") == [
        "from_date-month"]
    # GOV.UK Frontend moves focus to the summary; its link goes to the empty box.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate(_focused()) == "from_date-month"
    page.keyboard.type("5")
    _tab_to(page, "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".govuk-error-summary").count() == 0
    assert accessibility_violations(page) == []


def test_the_statement_with_an_error_has_no_violations_and_reflows(page, live_server):
    sign_in(page, live_server, "sam@example.org")
    page.goto(live_server + "/budget/statement?from_date-day=31&from_date-month=2&from_date-year=2026"
              "&to_date-day=1&to_date-month=13&to_date-year=25")
    assert page.locator(".govuk-error-summary").get_by_role("link").all_inner_texts() == [
        "From date must be a real date", "Year must include 4 numbers"]
    assert accessibility_violations(page) + layout_problems(page, axe_rule_violations) == []
