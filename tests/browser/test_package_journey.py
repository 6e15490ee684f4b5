"""The heart of the service, in a real browser, by keyboard alone, with JavaScript on and off:
Sam writes an outcome, finds Brightpath, adds support to a new care package and sends it; Alex
co-signs; Brightpath accepts; Priya agrees it; Sam sees the money set aside.

Every step focuses a control and uses the keys a keyboard user would (typing, Space for a radio
button, Enter to follow a link or press a button); nothing is clicked with a mouse.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page

from marketplace.dates import today_in_uk
from tests.browser.pages import DEMO_PASSWORD, pass_two_step

pytestmark = pytest.mark.browser


def press(page: Page, control: Locator) -> None:
    """Enter on a link or a button, and wait for the page it leads to."""
    control.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page: Page, field: Locator, text: str) -> None:
    field.focus()
    page.keyboard.type(text)


def choose(page: Page, radio: Locator) -> None:
    radio.focus()
    page.keyboard.press("Space")
    assert radio.is_checked()


def signed_in(browser: Browser, live_server: str, email: str, *, javascript: bool) -> Page:
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.goto(live_server + "/sign-in")
    type_into(page, page.get_by_label("Email address"), email)
    type_into(page, page.get_by_label("Password", exact=True), DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    def enter(code: str) -> None:
        page.get_by_label("Code", exact=True).focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(code)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    pass_two_step(page, live_server, enter)
    return page


def pence(text: str) -> int:
    return int(text.replace("£", "").replace(",", "").replace(".", ""))


def set_aside(page: Page, live_server: str) -> int:
    page.goto(live_server + "/budget")
    row = page.locator("#figures .govuk-summary-list__row").filter(has_text="Set aside")
    return pence(row.locator("dd p").first.inner_text())


def type_date(page: Page, prefix: str, day) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        type_into(page, page.locator(f"#{prefix}-{part}"), str(value))


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript on", "javascript off"])
def test_sam_builds_a_package_and_everyone_agrees_it_by_keyboard(browser, live_server, javascript):
    name = f"Swimming support ({'with' if javascript else 'without'} JavaScript)"
    outcome = f"Go swimming on Saturdays ({'with' if javascript else 'without'} JavaScript)"
    # Each run has its own dates, so each provider request can be told apart.
    start = today_in_uk() + timedelta(days=7 if javascript else 8)
    end = start + timedelta(days=13)

    sam = signed_in(browser, live_server, "sam@example.org", javascript=javascript)
    sam.goto(live_server + "/plan")
    type_into(sam, sam.get_by_label("Outcome", exact=True), outcome)
    press(sam, sam.get_by_role("button", name="Add outcome"))
    assert outcome in sam.locator("#outcome-list").inner_text()

    sam.goto(live_server + "/packages/new")
    type_into(sam, sam.get_by_label("Name for this package"), name)
    type_date(sam, "start_on", start)
    type_date(sam, "end_on", end)
    press(sam, sam.get_by_role("button", name="Start building"))
    package_url = sam.url

    sam.goto(live_server + "/providers?q=Brightpath")
    press(sam, sam.get_by_role("link", name="Brightpath Home Care"))
    press(sam, sam.get_by_role("link", name="Add to my care package").filter(has_text="Personal care at home"))
    choose(sam, sam.get_by_label(name))
    choose(sam, sam.get_by_label(outcome))
    type_into(sam, sam.locator("#quantity"), "2")
    press(sam, sam.get_by_role("button", name="Add to my care package"))
    assert sam.url.split("#")[0] == package_url
    cost = sam.locator("#cost").locator("xpath=following-sibling::dl[1]").inner_text()
    total = pence(re.search(r"Total for these dates\s+(£[\d,]+\.\d\d)", cost).group(1))
    assert total > 0
    press(sam, sam.get_by_role("button", name="Send the package for agreement"))
    assert "Waiting for an advocate to co-sign." in sam.locator("main").inner_text()

    alex = signed_in(browser, live_server, "alex@example.org", javascript=javascript)
    alex.goto(live_server + "/advocacy")
    press(alex, alex.get_by_role("button", name="Act for Sam Taylor"))
    alex.goto(package_url)
    press(alex, alex.get_by_role("button", name="Co-sign the package"))

    brightpath = signed_in(browser, live_server, "care@brightpath.example", javascript=javascript)
    brightpath.goto(live_server + "/provider/requests")
    request = brightpath.locator(".govuk-summary-card").filter(
        has_text="Personal care at home for Sam Taylor").filter(has_text=f"{start.day} {start:%B %Y}")
    choose(brightpath, request.get_by_label("Yes, we can provide this"))
    type_into(brightpath, request.get_by_label("Note for Sam Taylor"), "We can do Saturday mornings")
    press(brightpath, request.get_by_role("button", name="Send answer"))

    set_aside_before = set_aside(sam, live_server)
    priya = signed_in(browser, live_server, "priya@example.org", javascript=javascript)
    priya.goto(live_server + "/caseload")
    press(priya, priya.get_by_role("link", name=f"{name} for Sam Taylor"))
    choose(priya, priya.get_by_label("Agree the package and set the money aside"))
    press(priya, priya.get_by_role("button", name="Send decision"))

    sam.goto(package_url)
    timeline = sam.locator("main").inner_text()
    assert "Agreed the package: the money is set aside – Priya Shah" in timeline
    assert "We can do Saturday mornings" in timeline
    assert set_aside(sam, live_server) == set_aside_before + total
    for page in (sam, alex, brightpath, priya):
        page.context.close()
