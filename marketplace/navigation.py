"""The links in the service navigation, per role. Each area adds its pages here."""

from flask import current_app, url_for

from marketplace.models import Role, User

# (link text, endpoint), in the order shown. An endpoint that is not registered is left out,
# so the navigation never links to a page that does not exist.
NAVIGATION: dict[Role | None, list[tuple[str, str]]] = {
    None: [("Find support", "providers.browse")],
    Role.PERSON: [
        ("Home", "pages.home"),
        ("Budget", "budget.overview"),
        ("Plan", "plan.plan"),
        ("Care packages", "packages.packages"),
        ("Find support", "providers.browse"),
        ("Advocates", "advocacy.advocates"),
        ("Activity", "advocacy.activity"),
    ],
    Role.ADVOCATE: [
        ("Home", "pages.home"),
        ("People you support", "advocacy.home"),
        ("Budget", "budget.overview"),
        ("Plan", "plan.plan"),
        ("Care packages", "packages.packages"),
        ("Find support", "providers.browse"),
        ("Activity", "advocacy.activity"),
    ],
    Role.PROVIDER: [
        ("Home", "pages.home"),
        ("Organisation", "provider_workspace.profile"),
        ("Services", "provider_workspace.services"),
        ("Requests", "provider_requests.requests"),
        ("Checks", "provider_workspace.checks"),
        ("Reviews", "provider_workspace.reviews"),
    ],
    Role.PROFESSIONAL: [
        ("Home", "pages.home"),
        ("Packages to review", "caseload.caseload"),
        ("Advocates", "advocacy.caseload"),
        ("Find support", "providers.browse"),
    ],
    Role.COMMISSIONER: [
        ("Home", "pages.home"),
        ("Budgets", "admin.budgets"),
        ("Vetting", "admin.vetting"),
        ("Find support", "providers.browse"),
    ],
}


def navigation_for(user: User | None) -> list[dict]:
    role = user.role_enum if user else None
    return [
        {"text": text, "href": url_for(endpoint)}
        for text, endpoint in NAVIGATION[role]
        if endpoint in current_app.view_functions
    ]
