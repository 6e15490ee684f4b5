"""The one list of kinds of support. A budget is split into these categories and every service
is listed under one, so money set aside for a service counts against the budget category with
the same key."""

SUPPORT_CATEGORIES = {
    "personal_care": "Personal care",
    "domestic_help": "Help at home",
    "short_breaks": "Short breaks",
    "community_activities": "Community activities",
    "day_services": "Day services",
    "equipment": "Equipment",
    "transport": "Transport",
    "employing_a_pa": "Employing a personal assistant",
    "other": "Other support",
}
OTHER = "other"


def category_label(key: str) -> str:
    return SUPPORT_CATEGORIES.get(key, SUPPORT_CATEGORIES[OTHER])


def budget_category_key_for_service(service_category: str) -> str:
    """The budget category a service's cost counts against: the one with the same key, and
    'other' for a service whose key is not (or no longer) on the list."""
    return service_category if service_category in SUPPORT_CATEGORIES else OTHER
