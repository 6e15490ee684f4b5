"""The sweep's layout checks fail on real problems and pass a wide table in its own region.

Each case puts a small piece of HTML into a real page of the service (so the service's own
styles apply) and runs the same checks the sweep runs.
"""

import pytest

from tests.browser.layout import layout_problems
from tests.browser.pages import axe_rule_violations

pytestmark = pytest.mark.browser

WIDE_TABLE = "<table class='govuk-table'><caption class='govuk-table__caption'>Money</caption><tr>" + "".join(
    f"<td class='govuk-table__cell govuk-table__cell--numeric'>£{n},000,000.00</td>" for n in range(8)) + "</tr></table>"
LONG_TEXT = "Some words that need room to breathe when the spacing grows. " * 3

CASES = {
    "a wide table in a labelled region": (
        f"<div class='app-table-region' role='region' aria-label='Money' tabindex='0'>{WIDE_TABLE}</div>", "", None),
    "a wide table on its own": (WIDE_TABLE, "", "at 320 px wide the page scrolls sideways"),
    "a box that scrolls but cannot be reached by keyboard": (
        f"<div class='scrolls'>{WIDE_TABLE}</div>", ".scrolls { overflow-x: auto; }",
        "scrolls sideways but is not a labelled region with tabindex=0"),
    "a fixed width": ("<div class='fixed'>Too wide</div>", ".fixed { width: 500px; }",
                      "at 320 px wide the page scrolls sideways"),
    "text cut off by a box of fixed height": (
        f"<p class='govuk-body short'>{LONG_TEXT}</p>", ".short { height: 6em; overflow: hidden; }",
        "is cut off by p.govuk-body.short"),
    "text spilling out of a box of fixed height": (
        f"<p class='govuk-body short'>{LONG_TEXT}</p><p class='govuk-body'>Next</p>", ".short { height: 6em; }",
        "spills out of p.govuk-body.short"),
    "a sticky banner over the links": (
        "<div class='sticky'>Cookies</div>" + "<p class='govuk-body'><a class='govuk-link' href='#'>A link</a></p>" * 40,
        ".sticky { position: fixed; bottom: 0; left: 0; right: 0; height: 50vh; background: white; }",
        "is hidden under div.sticky"),
    "tiny buttons side by side": ("<button class='tiny'>x</button><button class='tiny'>y</button>", ".tiny { width: 10px; height: 10px; padding: 0; }",
                      "target-size"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_layout_checks_find_real_problems_only(page, live_server, case):
    html, css, expected = CASES[case]
    page.goto(live_server + "/accessibility")
    page.evaluate("html => { document.querySelector('main').innerHTML = html; }", html)
    if css:  # a constructed sheet, as inline styles are refused by the page's CSP
        page.evaluate("""css => {
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(css);
            document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        }""", css)
    problems = layout_problems(page, axe_rule_violations)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in problem for problem in problems), problems
