"""Demo providers across Leeds: about forty vetted ones with realistic services and prices,
one whose insurance runs out within 30 days, one still waiting for checks, one suspended."""

import random
from datetime import timedelta

from sqlmodel import select

from marketplace.demo_data import DemoData
from marketplace.models import (
    Provider,
    ProviderArea,
    ProviderLanguage,
    Review,
    Service,
    VettingCheck,
)
from marketplace.models.types import utcnow
from marketplace.providers.catalogue import DAYS, REQUIRED_CHECKS, mask_from_days
from marketplace.providers.reviews import has_paid_provider, refresh_rating

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]
EVERY_DAY = list(DAYS)

# (category, title, description, unit, lowest price, highest price, days, minimum units)
SERVICES_BY_KIND = {
    "care_agency": [
        ("personal_care", "Personal care at home", "Help getting up, washing, dressing and going to bed, at times that suit you.", "hour", 2000, 2800, EVERY_DAY, 1),
        ("domestic_help", "Cleaning, laundry and shopping", "Keeping your home the way you like it, and shopping with you or for you.", "hour", 1600, 2100, WEEKDAYS, 2),
        ("short_breaks", "Overnight sitting", "Someone awake through the night so your family carer can rest.", "night", 11000, 16000, EVERY_DAY, 1),
    ],
    "personal_assistant": [
        ("employing_a_pa", "Personal assistant", "One familiar person who works with you on the things you choose.", "hour", 1300, 1700, WEEKDAYS + ["saturday"], 2),
        ("community_activities", "Support to go out", "Going to the shops, the gym, the match or seeing friends, with support.", "hour", 1400, 1800, ["friday", "saturday", "sunday"], 2),
    ],
    "day_service": [
        ("day_services", "Day centre place", "A full day with lunch: art, gardening, cooking, music and trips out.", "day", 4500, 7000, WEEKDAYS, 1),
        ("community_activities", "Evening club", "A relaxed evening group with games, film nights and a meal.", "session", 1500, 2500, ["wednesday", "friday"], 1),
    ],
    "equipment_supplier": [
        ("equipment", "Bath lift, fitted", "A battery bath lift, delivered, fitted and shown to you at home.", "item", 25000, 45000, WEEKDAYS, 1),
        ("equipment", "Wheelchair service and repair", "A full service of a manual or powered chair, at home or in our workshop.", "item", 4000, 8000, WEEKDAYS + ["saturday"], 1),
    ],
    "other": [
        ("transport", "Accessible minibus", "Door-to-door trips in a wheelchair-accessible minibus with a trained driver.", "hour", 1800, 3000, EVERY_DAY, 1),
    ],
}

KIND_BLURB = {
    "care_agency": "A home care agency with a small, steady team, so you see the same faces.",
    "personal_assistant": "An experienced personal assistant working with a few people at a time.",
    "day_service": "A welcoming day service where people choose what they do each day.",
    "equipment_supplier": "Equipment and adaptations for the home, with fitting and repairs.",
    "other": "Getting about: safe, reliable transport for people who use wheelchairs.",
}

# (name, kind, districts)
DEMO_LISTINGS = [
    ("Headingley Home Care", "care_agency", ["LS6", "LS4", "LS16"]),
    ("Chapel Allerton Carers", "care_agency", ["LS7", "LS8", "LS17"]),
    ("Roundhay Support Services", "care_agency", ["LS8", "LS17", "LS14"]),
    ("Harehills Community Care", "care_agency", ["LS8", "LS9", "LS7"]),
    ("Armley Helping Hands", "care_agency", ["LS12", "LS13", "LS3"]),
    ("Beeston Care Partnership", "care_agency", ["LS11", "LS10", "LS12"]),
    ("Horsforth Home Support", "care_agency", ["LS18", "LS16", "LS5"]),
    ("Moortown Care at Home", "care_agency", ["LS17", "LS7", "LS6"]),
    ("Seacroft Support Team", "care_agency", ["LS14", "LS15", "LS9"]),
    ("Pudsey Personal Care", "care_agency", ["LS28", "LS13", "LS12"]),
    ("Garforth Home Helpers", "care_agency", ["LS25", "LS15", "LS26"]),
    ("Morley Care Services", "care_agency", ["LS27", "LS11", "LS10"]),
    ("Alwoodley Home Care", "care_agency", ["LS17", "LS16", "LS6"]),
    ("Kirkstall Valley Carers", "care_agency", ["LS5", "LS4", "LS6"]),
    ("Hunslet Home Support", "care_agency", ["LS10", "LS9", "LS11"]),
    ("Aisha Rahman, personal assistant", "personal_assistant", ["LS6", "LS7", "LS8"]),
    ("Tom Walsh, personal assistant", "personal_assistant", ["LS12", "LS13"]),
    ("Marta Nowak, personal assistant", "personal_assistant", ["LS9", "LS14", "LS15"]),
    ("Grace Okafor, personal assistant", "personal_assistant", ["LS7", "LS17"]),
    ("Dylan Hughes, personal assistant", "personal_assistant", ["LS6", "LS4", "LS5"]),
    ("Priti Mistry, personal assistant", "personal_assistant", ["LS11", "LS10"]),
    ("Sean Byrne, personal assistant", "personal_assistant", ["LS16", "LS18"]),
    ("Kippax Community Day Centre", "day_service", ["LS25", "LS26"]),
    ("Bramley Day Opportunities", "day_service", ["LS13", "LS12", "LS28"]),
    ("Hyde Park Creative Days", "day_service", ["LS6", "LS2", "LS3"]),
    ("Gipton Gardening Project", "day_service", ["LS9", "LS8", "LS14"]),
    ("City Centre Drop-in Club", "day_service", ["LS1", "LS2", "LS9"]),
    ("Rothwell Friendship Group", "day_service", ["LS26", "LS10"]),
    ("Holbeck Mobility", "equipment_supplier", ["LS11", "LS12", "LS10", "LS1"]),
    ("Wetherby Equipment and Adaptations", "equipment_supplier", ["LS22", "LS23", "LS17"]),
    ("Leeds Home Adaptations", "equipment_supplier", ["LS1", "LS2", "LS6", "LS7", "LS8", "LS9"]),
    ("Otley Lifts and Rails", "equipment_supplier", ["LS21", "LS20", "LS29"]),
    ("Yeadon Scooters and Chairs", "equipment_supplier", ["LS19", "LS18", "LS20"]),
    ("Leeds Accessible Transport", "other", ["LS1", "LS2", "LS6", "LS7", "LS8", "LS9", "LS11"]),
    ("Aireborough Community Transport", "other", ["LS19", "LS20", "LS21"]),
    ("Guiseley Care at Home", "care_agency", ["LS20", "LS19", "LS29"]),
    ("Meanwood Evening Support", "care_agency", ["LS6", "LS7"]),
    ("Crossgates Carers Cooperative", "care_agency", ["LS15", "LS14"]),
    ("Burmantofts Day Centre", "day_service", ["LS9", "LS8"]),
    ("Woodhouse Companions", "personal_assistant", ["LS2", "LS6"]),
]

EXPIRING_SOON = "Alwoodley Home Care"  # public liability insurance runs out within 30 days
WAITING_FOR_CHECKS = "Burley Lodge Care"  # recorded its checks; the council has not decided yet
SUSPENDED = ("Wortley Care Agency", "Complaints about missed visits are being looked into.")

LANGUAGE_CHOICES = ["Urdu", "Punjabi", "Polish", "Arabic", "Bengali", "British Sign Language",
                    "Kurdish", "Romanian", "Somali", "Mandarin", "Gujarati", "Tigrinya"]


def load_provider_demo(demo: DemoData) -> None:
    session = demo.session
    council = demo.users["council@example.org"]
    today = demo.today
    randomness = random.Random(2026)  # the same prices and languages on every run

    def provider(name: str, kind: str, districts: list[str], *, description: str | None = None) -> Provider:
        contact = {
            "contact_email": "hello@" + "".join(ch for ch in name.lower().split(",")[0] if ch.isalnum()) + ".example",
            "contact_phone": f"0113 496 {randomness.randint(0, 9999):04d}",
            "access_notes": "We visit you at home." if kind in ("care_agency", "personal_assistant")
            else "Step-free entrance and an accessible toilet.",
            "cqc_number": f"1-{randomness.randint(100000000, 999999999)}" if kind == "care_agency" else "",
        }
        listing = demo.get_or_add(Provider, {"kind": kind, "description": description or KIND_BLURB[kind], **contact},
                                  name=name)
        if not listing.contact_email:  # the foundation's demo providers start without contact details
            for field, value in contact.items():
                setattr(listing, field, value)
            session.add(listing)
        for district in districts:
            demo.get_or_add(ProviderArea, provider_id=listing.id, district=district)
        languages = ["English", *randomness.sample(LANGUAGE_CHOICES, randomness.choice([0, 0, 1, 1, 2]))]
        if session.exec(select(ProviderLanguage).where(ProviderLanguage.provider_id == listing.id)).first() is None:
            for language in languages:
                demo.get_or_add(ProviderLanguage, provider_id=listing.id, language=language)
        return listing

    def services(listing: Provider) -> None:
        for category, title, text, unit, low, high, days, minimum in SERVICES_BY_KIND[listing.kind]:
            price = randomness.randrange(low, high + 1, 50)
            demo.get_or_add(Service, {
                "category": category, "description": text, "unit": unit, "price_pence": price,
                "minimum_units": minimum, "days": mask_from_days(days), "published": True,
            }, provider_id=listing.id, title=title)

    def checks(listing: Provider, *, status: str = "verified", expiring: str | None = None) -> None:
        for kind in REQUIRED_CHECKS[listing.kind]:
            expires = today + timedelta(days=18 if kind == expiring else 200 + listing.id * 3)
            demo.get_or_add(VettingCheck, {
                "issued_on": expires - timedelta(days=365), "expires_on": expires, "status": status,
                "decided_at": utcnow() if status == "verified" else None,
                "decided_by_id": council.id if status == "verified" else None,
            }, provider_id=listing.id, kind=kind, reference=f"{kind[:3].upper()}-{listing.id:05d}")

    brightpath = session.exec(select(Provider).where(Provider.name == "Brightpath Home Care")).one()
    for existing, districts in ((brightpath, ["LS6", "LS7", "LS16", "LS17"]),
                                (session.exec(select(Provider).where(Provider.name == "Meanwood Day Opportunities")).one(), ["LS6", "LS7"]),
                                (session.exec(select(Provider).where(Provider.name == "Kirkstall Mobility Aids")).one(), ["LS5", "LS4", "LS6", "LS12"])):
        provider(existing.name, existing.kind, districts)
        services(existing)
        checks(existing)

    for name, kind, districts in DEMO_LISTINGS:
        listing = provider(name, kind, districts)
        services(listing)
        checks(listing, expiring="public_liability_insurance" if name == EXPIRING_SOON else None)

    waiting = provider(WAITING_FOR_CHECKS, "care_agency", ["LS4", "LS6"])
    services(waiting)
    checks(waiting, status="pending")

    suspended_name, reason = SUSPENDED
    suspended = provider(suspended_name, "care_agency", ["LS12"])
    services(suspended)
    checks(suspended)
    if suspended.suspended_at is None:
        suspended.suspended_at = utcnow()
        suspended.suspension_reason = reason
        session.add(suspended)



def load_review_demo(demo: DemoData) -> None:
    """Reviews by budget holders who have paid the provider from their budget (run after the
    budget history, so each review is a verified purchase). Jo has paid Kirkstall Mobility Aids
    but not reviewed it, so the demo can show writing one."""
    session = demo.session
    sam = demo.people["sam@example.org"]
    named = {p.name: p for p in session.exec(select(Provider).where(Provider.name.in_(
        ["Brightpath Home Care", "Meanwood Day Opportunities"]))).all()}
    reviews = [
        (sam, named["Brightpath Home Care"], 5,
         "The same two carers every morning, and they always ask how I want things done."),
        (sam, named["Meanwood Day Opportunities"], 4,
         "I go on Tuesdays and Thursdays for the art group. I have made real friends."),
    ]
    for person, provider, rating, text in reviews:
        if has_paid_provider(session, person.id, provider.id):
            demo.get_or_add(Review, {"rating": rating, "text": text}, person_id=person.id,
                            provider_id=provider.id)
    session.flush()
    for provider in named.values():
        refresh_rating(session, provider.id)
