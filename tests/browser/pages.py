"""Sign in as a demo role and find the pages that role can reach by following links."""

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from marketplace.auth.demo import demo_codes

DEMO_PASSWORD = "care-budget-demo"

DEMO_ROLES = {
    "anonymous": None,
    "person": "sam@example.org",
    "advocate": "alex@example.org",
    "provider": "care@brightpath.example",
    "professional": "priya@example.org",
    "commissioner": "council@example.org",
}

WCAG_A_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Links that are not pages to check: downloads, and anything that changes state on GET.
NOT_PAGES = (".csv", "/static/", "/sign-out", "/healthz")
MAX_PAGES_PER_ROLE = 80
# The same page for another id or query is the same template with other data: a few of each
# kind show its problems, and checking every budget's statement would only make the sweep slow.
MAX_VARIANTS_PER_PAGE_KIND = 3

_axe = Axe()


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    def enter(code: str) -> None:
        page.get_by_label("Code", exact=True).fill(code)
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()

    pass_two_step(page, base_url, enter)
    page.wait_for_url(base_url + "/")


def pass_two_step(page: Page, base_url: str, enter: Callable[[str], None]) -> None:
    """Staff: type the demo authenticator's code (the README's key) until it is taken."""
    for code in demo_codes():
        if page.url != base_url + "/sign-in/two-step":
            return
        enter(code)
    if page.url == base_url + "/sign-in/two-step":
        raise AssertionError("The demo authenticator's codes were not taken")


def links_on(page: Page, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if not url.startswith(base_url) or parts.scheme not in ("http", "https"):
            continue
        if any(marker in parts.path for marker in NOT_PAGES) or href.startswith("#"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(page: Page, base_url: str, start: list[str]):
    """Visit every page reachable from `start` by links (breadth first); yield each as loaded."""
    queue, seen, variants = list(start), set(), {}
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        target = queue.pop(0)
        kind = page_kind(target)
        if target in seen or variants.get(kind, 0) >= MAX_VARIANTS_PER_PAGE_KIND:
            continue
        seen.add(target)
        variants[kind] = variants.get(kind, 0) + 1
        response = page.goto(base_url + target)
        yield target, response.status if response else None
        queue.extend(link for link in links_on(page, base_url) if link not in seen)


def page_kind(target: str) -> str:
    """/admin/budgets/12/statement?page=2 -> /admin/budgets/<id>/statement"""
    return re.sub(r"/[0-9]+(?=/|$)", "/<id>", target.split("?")[0])


def accessibility_violations(page: Page) -> list[str]:
    # target-size (WCAG 2.2 2.5.8, 24 x 24 px) is off in axe unless asked for.
    return _described(_axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA_TAGS},
                                              "rules": {"target-size": {"enabled": True}}}))


def axe_rule_violations(page: Page, rule_id: str) -> list[str]:
    return _described(_axe.run(page, options={"runOnly": {"type": "rule", "values": [rule_id]}}))


def _described(results) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
    ]
