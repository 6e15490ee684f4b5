"""The pages the harness drives. Adding a page is one line in PAGES: (name, visitor, path).

A visitor is who asks for the page: a demo role signed in (or nobody), plus forms sent once
beforehand to set their session up, such as filling the compare list. A path or form field
may name values the data generator made, in braces: `{provider_id}`, `{deep_statement_position}` …
(see `bench.data.Dataset.path_values`).
"""

from dataclasses import dataclass

from marketplace.models import Role


@dataclass(frozen=True)
class Visitor:
    role: Role | None
    # Forms sent once after signing in: (page showing the form, address it posts to, fields).
    forms: tuple[tuple[str, str, dict[str, str]], ...] = ()


VISITORS = {
    "anyone": Visitor(None),
    "budget holder": Visitor(Role.PERSON),
    "advocate": Visitor(Role.ADVOCATE),
    "commissioner": Visitor(Role.COMMISSIONER),
    "professional": Visitor(Role.PROFESSIONAL),
    "provider": Visitor(Role.PROVIDER),
    # Someone (not signed in) with three providers on their compare list.
    "comparing": Visitor(None, forms=tuple(
        (f"/providers/{{compare_{n}}}", "/compare/add",
         {"provider_id": f"{{compare_{n}}}", "next": "/compare"})
        for n in (1, 2, 3))),
}


@dataclass(frozen=True)
class Page:
    name: str
    visitor: str
    path: str

    def url(self, values: dict) -> str:
        return self.path.format(**values)


PAGES = [
    Page("start page", "anyone", "/"),
    Page("browse with filters", "anyone",
         "/providers?category=personal_care&area=LS6&max_price=30&day=saturday&sort=price"),
    Page("browse search words", "anyone", "/providers?q=garden+trips"),
    Page("provider profile", "anyone", "/providers/{provider_id}"),
    Page("compare", "comparing", "/compare?category=personal_care"),
    Page("budget overview", "budget holder", "/budget"),
    Page("statement first page", "budget holder", "/budget/statement"),
    Page("statement deep page", "budget holder", "/budget/statement?before={deep_statement_position}"),
    Page("statement CSV", "budget holder", "/budget/statement.csv"),
    Page("commissioner budget list", "commissioner", "/admin/budgets"),
    Page("vetting queue", "commissioner", "/admin/vetting"),
    Page("advocate home", "advocate", "/advocacy"),
    Page("contribute", "budget holder", "/budget/contribute"),
    Page("provider payouts", "provider", "/provider/payouts"),
    Page("provider payments", "provider", "/provider/payments"),
    Page("council payments", "commissioner", "/admin/payments"),
    Page("support plan", "budget holder", "/plan"),
    Page("package builder, 20 lines", "budget holder", "/packages/{big_package_id}"),
    Page("package version 2 with its changes", "budget holder", "/packages/{version_package_id}"),
    Page("caseload, 200 packages", "professional", "/caseload"),
    Page("council packages waiting", "commissioner", "/admin/packages"),
    Page("own providers", "budget holder", "/own-providers"),
    Page("provider requests", "provider", "/provider/requests"),
    Page("notifications", "budget holder", "/notifications"),
    Page("your account", "professional", "/account"),
    Page("change password", "budget holder", "/account/password"),
    Page("forgot password", "anyone", "/forgot-password"),
    Page("invoices to approve", "budget holder", "/invoices"),
    Page("provider invoices", "provider", "/provider/invoices"),
    Page("insight money", "commissioner", "/admin/insight/money"),
    Page("insight waiting", "commissioner", "/admin/insight/waiting"),
    Page("insight choice and gaps", "commissioner", "/admin/insight/choice"),
    Page("insight voice", "commissioner", "/admin/insight/voice"),
]

# Which demo account signs in for each role.
DEMO_ACCOUNTS = {
    Role.PERSON: "sam@example.org",
    Role.ADVOCATE: "alex@example.org",
    Role.PROVIDER: "care@brightpath.example",
    Role.PROFESSIONAL: "priya@example.org",
    Role.COMMISSIONER: "council@example.org",
}


def select_pages(names: list[str] | None) -> list[Page]:
    if not names:
        return list(PAGES)
    known = {page.name: page for page in PAGES}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"Unknown page(s): {', '.join(unknown)}. Known: {', '.join(known)}")
    return [known[name] for name in names]
