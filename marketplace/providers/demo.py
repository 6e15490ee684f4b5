"""Demo providers across Leeds: about forty vetted ones with realistic services and prices,
one whose insurance runs out within 30 days, one still waiting for checks, one suspended."""

import random
from datetime import timedelta

from sqlmodel import select

from marketplace.demo_data import DemoData
from marketplace.models import Provider, ProviderMember, Role, Service, User, VettingCheck
from marketplace.models.types import utcnow
from marketplace.providers import council as council_service
from marketplace.providers import service as provider_service
from marketplace.providers.catalogue import DAYS
from marketplace.providers.reviews import has_paid_provider, review_by, save_review
from marketplace.scope import Scope, scope_for

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
    """Each demo provider is set up as its owner would: details, services and checks through the
    provider services, then the council verifies the checks and suspends one provider through
    the council's. A provider already set up is left as it is, so a rerun adds nothing."""
    council = scope_for(demo.session, demo.users["council@example.org"])
    randomness = random.Random(2026)  # the same prices and languages on every run
    named = [(name, demo.providers[name].kind, districts) for name, districts in (
        ("Brightpath Home Care", ["LS6", "LS7", "LS16", "LS17"]),
        ("Meanwood Day Opportunities", ["LS6", "LS7"]),
        ("Kirkstall Mobility Aids", ["LS5", "LS4", "LS6", "LS12"]))]
    listings = [(name, kind, districts, "verified", name == EXPIRING_SOON)
                for name, kind, districts in named + DEMO_LISTINGS]
    listings += [(WAITING_FOR_CHECKS, "care_agency", ["LS4", "LS6"], "pending", False),
                 (SUSPENDED[0], "care_agency", ["LS12"], "verified", False)]
    for name, kind, districts, checks, expiring in listings:
        provider = demo.session.exec(select(Provider).where(Provider.name == name)).first()
        if provider is not None and _is_set_up(demo, provider):
            continue
        staff = _owner_scope(demo, provider, name=name, kind=kind)
        _set_up(demo, staff, kind=kind, districts=districts, randomness=randomness)
        for check in _record_checks(demo, staff, expiring=expiring):
            if checks == "verified":
                council_service.verify_check(demo.session, scope=council, check_id=check.id)
    suspended = demo.session.exec(select(Provider).where(Provider.name == SUSPENDED[0])).one()
    if suspended.suspended_at is None:
        council_service.suspend_provider(demo.session, scope=council, provider_id=suspended.id,
                                         reason=SUSPENDED[1])


def _is_set_up(demo: DemoData, provider: Provider) -> bool:
    return demo.session.exec(select(Service.id).where(Service.provider_id == provider.id)).first() is not None


def _owner_scope(demo: DemoData, provider: Provider | None, *, name: str, kind: str) -> Scope:
    """The scope of the provider's owner, making the organisation and its owner's account when
    missing (accounts are the one thing the demo makes directly, with the demo password)."""
    if provider is None:
        provider = demo.add(Provider(name=name, kind=kind))
    owner = demo.session.exec(select(ProviderMember).where(ProviderMember.provider_id == provider.id,
                                                           ProviderMember.is_owner.is_(True))).first()
    if owner is None:
        slug = "".join(ch for ch in name.lower().split(",")[0] if ch.isalnum())
        user = demo.user(f"owner@{slug}.example", f"Owner of {name}", Role.PROVIDER)
        demo.add(ProviderMember(provider_id=provider.id, user_id=user.id, is_owner=True))
        owner_user = user
    else:
        owner_user = demo.session.get(User, owner.user_id)
    return scope_for(demo.session, owner_user)


def _set_up(demo: DemoData, staff: Scope, *, kind: str, districts: list[str], randomness: random.Random) -> None:
    provider = demo.session.get(Provider, staff.provider_id)
    slug = "".join(ch for ch in provider.name.lower().split(",")[0] if ch.isalnum())
    # Drawn in this order so the demo's phone numbers, languages and prices stay as they were.
    phone = f"0113 496 {randomness.randint(0, 9999):04d}"
    cqc_number = f"1-{randomness.randint(100000000, 999999999)}" if kind == "care_agency" else ""
    languages = ["English", *randomness.sample(LANGUAGE_CHOICES, randomness.choice([0, 0, 1, 1, 2]))]
    provider_service.update_organisation(
        demo.session, scope=staff, name=provider.name, kind=kind,
        description=provider.description or KIND_BLURB[kind], contact_email=f"hello@{slug}.example",
        contact_phone=phone, areas=districts, languages=languages,
        access_notes=("We visit you at home." if kind in ("care_agency", "personal_assistant")
                      else "Step-free entrance and an accessible toilet."),
        cqc_number=cqc_number)
    for category, title, text, unit, low, high, days, minimum in SERVICES_BY_KIND[kind]:
        listing = provider_service.save_service(
            demo.session, scope=staff, service=None, category=category, title=title, description=text,
            unit=unit, price_pence=randomness.randrange(low, high + 1, 50), minimum_units=minimum, days=days)
        provider_service.set_published(demo.session, scope=staff, service=listing, published=True)
        demo.created += 1


def _record_checks(demo: DemoData, staff: Scope, *, expiring: bool) -> list[VettingCheck]:
    """Every check the provider's kind and services need, each with a year's life; the expiring
    provider's insurance runs out in 18 days."""
    provider = demo.session.get(Provider, staff.provider_id)
    recorded = []
    for number, status in enumerate(provider_service.required_check_status(demo.session, provider=provider,
                                                                            today=demo.today)):
        expires = demo.today + timedelta(days=18 if expiring and status.kind == "public_liability_insurance"
                                         else 200 + provider.id * 3 + number)
        recorded.append(provider_service.record_check(
            demo.session, scope=staff, kind=status.kind, reference=f"{status.kind[:3].upper()}-{provider.id:05d}",
            issued_on=expires - timedelta(days=365), expires_on=expires))
        demo.created += 1
    return recorded


def load_review_demo(demo: DemoData) -> None:
    """Reviews by budget holders who have paid the provider from their budget (run after the
    budget history, so each review is a verified purchase), written through the same rule as
    on the website. Jo has paid Kirkstall Mobility Aids but not reviewed it, so the demo can
    show writing one."""
    session = demo.session
    sam = scope_for(session, demo.users["sam@example.org"])
    # (provider, rating, words, written this many days ago: reviews over months, for the council's chart)
    reviews = [
        ("Brightpath Home Care", 5, "The same two carers every morning, and they always ask how I want things done.", 3),
        ("Meanwood Day Opportunities", 4, "I go on Tuesdays and Thursdays for the art group. I have made real friends.",
         45),
    ]
    for name, rating, text, days_ago in reviews:
        provider = demo.providers[name]
        if (review_by(session, person_id=sam.person.id, provider_id=provider.id) is None
                and has_paid_provider(session, sam.person.id, provider.id)):
            review = save_review(session, scope=sam, provider=provider, rating=rating, text=text)
            review.created_at = review.updated_at = utcnow() - timedelta(days=days_ago)
            session.add(review)
            demo.created += 1
