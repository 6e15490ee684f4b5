"""Every page each role can reach passes axe-core's WCAG 2.0/2.1/2.2 A and AA rules, and reflows.

Reflow: at 320 px wide (a 1280 px window at 400% zoom) no page scrolls sideways, targets stay
24 x 24 px and focus is never hidden; with WCAG 1.4.12 text spacing, and with text alone at
200%, no text spills out of its box or is cut off. New pages join the sweep by being linked
from somewhere a role can reach: nothing to edit here.
"""

import pytest

from tests.browser.layout import layout_problems
from tests.browser.pages import (
    DEMO_ROLES,
    accessibility_violations,
    axe_rule_violations,
    crawl,
    sign_in,
)

pytestmark = pytest.mark.browser

# Pages that only a form submission or a query reaches; links do not lead to them.
FIND_SUPPORT_PAGES = [
    "/providers?category=personal_care&area=LS6&max_price=25&day=saturday&sort=price",
    "/providers?q=no+such+provider+anywhere",
    "/providers?max_price=not-a-price",
    "/compare",
]
EXTRA_START_PAGES: dict[str, list[str]] = {
    "anonymous": ["/sign-in", "/register", "/no-such-page", *FIND_SUPPORT_PAGES],
    "person": FIND_SUPPORT_PAGES,
}


@pytest.mark.parametrize("role", DEMO_ROLES)
def test_every_reachable_page_has_no_accessibility_violations(page, live_server, role):
    email = DEMO_ROLES[role]
    if email:
        sign_in(page, live_server, email)
    problems, visited = {}, []
    for url, status in crawl(page, live_server, ["/", *EXTRA_START_PAGES.get(role, [])]):
        visited.append(url)
        assert status is not None and status < 500, f"{url} answered {status}"
        violations = accessibility_violations(page) + layout_problems(page, axe_rule_violations)
        if violations:
            problems[url] = violations
    assert len(visited) >= 3, f"the sweep only reached {visited}"
    assert problems == {}, "\n".join(f"{url}:\n  " + "\n  ".join(v) for url, v in problems.items())


@pytest.mark.parametrize(("url", "fill"), [
    ("/sign-in", {}),
    ("/sign-in", {"Email address": "sam@example.org", "Password": "not the password"}),
    ("/register", {"Your full name": "<b>Zoë</b>", "Create a password": "short"}),
])
def test_pages_showing_errors_have_no_accessibility_violations(page, live_server, url, fill):
    page.goto(live_server + url)
    for label, value in fill.items():
        page.get_by_label(label, exact=True).fill(value)
    page.locator("main button[type=submit], main input[type=submit]").first.click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert accessibility_violations(page) == []


def test_a_keyboard_user_can_skip_to_the_content_and_sign_in(page, live_server):
    page.goto(live_server + "/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("sam@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("care-budget-demo")
    page.keyboard.press("Enter")
    # The browser keeps the #main-content fragment across the redirect.
    page.wait_for_url(live_server + "/#main-content")
    assert "Hello, Sam Taylor" in page.locator("h1").inner_text()


def test_the_site_works_with_javascript_off(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "sam@example.org")
    assert page.locator("h1").inner_text() == "Hello, Sam Taylor"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server + "/sign-in")
    assert "You have signed out." in page.locator(".govuk-notification-banner").inner_text()
    context.close()


def test_comparing_three_providers_works_by_keyboard_and_has_no_violations(page, live_server):
    page.goto(live_server + "/providers?category=personal_care")
    for _ in range(3):
        button = page.get_by_role("button", name="Add to compare").first
        button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    page.goto(live_server + "/compare")
    assert page.locator("main table th[scope=col]").count() >= 3
    assert accessibility_violations(page) == []
