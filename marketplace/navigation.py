"""The links in the service navigation, per role. Each area adds its pages here."""

from flask import current_app, g, url_for
from markupsafe import Markup

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
        ("Invoices", "invoices.invoices"),
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
        ("Invoices", "invoices.invoices"),
        ("Find support", "providers.browse"),
        ("Activity", "advocacy.activity"),
    ],
    Role.PROVIDER: [
        ("Home", "pages.home"),
        ("Organisation", "provider_workspace.profile"),
        ("Services", "provider_workspace.services"),
        ("Requests", "provider_requests.requests"),
        ("Invoices", "invoices.provider_invoices"),
        ("Checks", "provider_workspace.checks"),
        ("Reviews", "provider_workspace.reviews"),
        ("Getting paid", "payments.payouts_page"),
        ("Payments", "payments.remittance"),
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
        ("Care packages", "admin.packages_waiting"),
        ("Payments", "payments.council_payments"),
        ("Insight", "admin.insight"),
        ("Find support", "providers.browse"),
    ],
}


NOTIFICATIONS = "notifications.index"
for _role, _links in NAVIGATION.items():
    if _role is not None:
        _links.append(("Notifications", NOTIFICATIONS))
        _links.append(("Your account", "account.account"))


def navigation_for(user: User | None) -> list[dict]:
    role = user.role_enum if user else None
    items = []
    for text, endpoint in NAVIGATION[role]:
        if endpoint not in current_app.view_functions:
            continue
        item = {"text": text, "href": url_for(endpoint)}
        if endpoint == NOTIFICATIONS:
            item["html"] = _notifications_link_text(user)
        items.append(item)
    return items


def _notifications_link_text(user: User) -> Markup:
    """"Notifications (3)", read aloud as "Notifications, 3 unread"."""
    from marketplace.db import get_session
    from marketplace.notifications.service import unread_count

    # Asked once per request: form widgets render templates of their own, and each render asks
    # for the page context again.
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(get_session(), user_id=user.id)
    unread = g.unread_notifications
    if not unread:
        return Markup("Notifications")
    return Markup('Notifications <span aria-hidden="true">({0})</span>'
                  '<span class="govuk-visually-hidden">, {0} unread</span>').format(unread)
