"""The shared lists providers and people choose from: kinds, units, days, checks. Kinds of
support (service categories) are the one list in marketplace.categories."""

import re

PROVIDER_KINDS = {
    "care_agency": "Care agency",
    "personal_assistant": "Personal assistant",
    "day_service": "Day service",
    "equipment_supplier": "Equipment or adaptations supplier",
    "other": "Other",
}

UNITS = {
    "hour": "hour",
    "session": "session",
    "day": "day",
    "night": "night",
    "week": "week",
    "item": "item",
}

# Days are stored as bits in Service.days so one integer holds the whole week.
DAYS = {
    "monday": ("Monday", 1),
    "tuesday": ("Tuesday", 2),
    "wednesday": ("Wednesday", 4),
    "thursday": ("Thursday", 8),
    "friday": ("Friday", 16),
    "saturday": ("Saturday", 32),
    "sunday": ("Sunday", 64),
}

LANGUAGES = [
    "English", "British Sign Language", "Arabic", "Bengali", "Cantonese", "Czech", "Farsi",
    "French", "Gujarati", "Hindi", "Kurdish", "Mandarin", "Polish", "Portuguese", "Punjabi",
    "Romanian", "Slovak", "Somali", "Spanish", "Tigrinya", "Urdu", "Welsh",
]

CHECK_KINDS = {
    "cqc_registration": "CQC registration",
    "enhanced_dbs": "Enhanced DBS check",
    "public_liability_insurance": "Public liability insurance",
    "employers_liability_insurance": "Employer’s liability insurance",
    "references": "References",
    "safeguarding_training": "Safeguarding training",
}

# A provider is vetted only while every check its kind needs is verified and unexpired. The
# kind is only the floor: what a provider offers decides the rest (CATEGORY_CHECKS below), and
# a change of kind waits for the council.
REQUIRED_CHECKS: dict[str, tuple[str, ...]] = {
    "care_agency": ("cqc_registration", "public_liability_insurance", "employers_liability_insurance"),
    "personal_assistant": ("enhanced_dbs", "references", "public_liability_insurance"),
    "day_service": ("public_liability_insurance", "employers_liability_insurance", "safeguarding_training"),
    "equipment_supplier": ("public_liability_insurance",),
    "other": ("public_liability_insurance",),
}

# What offering a type of support needs, whatever kind the provider says it is: a service is
# shown only while its provider holds every check its category needs, verified and in date.
# Keyed by the one list in marketplace.categories; every category has an entry (a test holds
# this), because a service under a category missing here could never be shown.
CATEGORY_CHECKS: dict[str, tuple[str, ...]] = {
    "personal_care": ("cqc_registration", "public_liability_insurance", "employers_liability_insurance"),
    "domestic_help": ("public_liability_insurance",),
    "short_breaks": ("cqc_registration", "public_liability_insurance"),
    "community_activities": ("public_liability_insurance",),
    "day_services": ("public_liability_insurance", "employers_liability_insurance", "safeguarding_training"),
    "equipment": ("public_liability_insurance",),
    "transport": ("public_liability_insurance",),
    "employing_a_pa": ("enhanced_dbs", "references", "public_liability_insurance"),
    "other": ("public_liability_insurance",),
}


def checks_needed(kind: str, categories) -> tuple[str, ...]:
    """Every check a provider of this kind offering these categories must hold, in a fixed order."""
    needed = set(REQUIRED_CHECKS.get(kind, ()))
    for category in categories:
        needed.update(CATEGORY_CHECKS.get(category, ()))
    return tuple(kind for kind in CHECK_KINDS if kind in needed)


POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")


def days_from_mask(mask: int) -> list[str]:
    return [key for key, (_label, bit) in DAYS.items() if mask & bit]


def mask_from_days(days: list[str]) -> int:
    return sum(DAYS[day][1] for day in set(days) if day in DAYS)


def day_labels(mask: int) -> list[str]:
    return [DAYS[key][0] for key in days_from_mask(mask)]


def normalise_district(text: str) -> str:
    return text.strip().upper().replace(" ", "")


DAY_RANGES = {127: "Every day", 31: "Monday to Friday", 63: "Monday to Saturday", 96: "Weekends"}


def describe_days(mask: int) -> str:
    """'Monday to Friday', 'Every day', or the days listed: how people say it."""
    return DAY_RANGES.get(mask) or ", ".join(day_labels(mask))


def district_order(district: str) -> tuple[str, int, str]:
    """LS2 before LS16: letters, then the number, then any letter after it."""
    match = re.match(r"^([A-Z]+)([0-9]+)(.*)$", district)
    return (match.group(1), int(match.group(2)), match.group(3)) if match else (district, 0, "")
