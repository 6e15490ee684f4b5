"""Demo: budget holders' own providers, through the same services Jo, Sam and the council use.
Jo asks to pay her neighbour as a personal assistant and waits for the council to check her;
the council agreed Sam's cousin for his garden and tidying, and refused his friend for the
same work at a price the council would not pay. Each is made once: found again by the person and
the name."""

from datetime import timedelta

from sqlmodel import select

from marketplace.models import OwnProviderRequest
from marketplace.own_providers import service as own
from marketplace.scope import scope_for

NEIGHBOUR = "Maggie Lee"
# (name, what they do, price, relationship, the council agrees, the council's reason)
SAMS_REQUESTS = [
    ("Tom Taylor", "Dig over my allotment and keep the flat tidy on Saturdays", 1100, "relative_elsewhere", True,
     "Tom knows Sam's allotment and his checks are in date."),
    ("Chris Dale", "Help with the allotment on Sundays", 3500, "friend", False,
     "£35 an hour is much more than the council pays for the same help. Ask Chris about a lower price."),
]


def load_own_provider_demo(demo) -> None:
    session = demo.session
    jo_person, sam_person = demo.people["jo@example.org"], demo.people["sam@example.org"]
    asked = set(session.exec(select(OwnProviderRequest.person_id, OwnProviderRequest.name).where(
        OwnProviderRequest.person_id.in_([jo_person.id, sam_person.id]))).all())
    if (jo_person.id, NEIGHBOUR) not in asked:
        jo = scope_for(session, demo.users["jo@example.org"])
        own.ask(session, jo, name=NEIGHBOUR, contact="0113 496 0123",
                what_they_do="Help me get up on weekday mornings and come shopping with me on Saturdays",
                category="employing_a_pa", unit="hour", price_pence=1250, relationship="none", why_needed="")
        demo.created += 1
    sam = scope_for(session, demo.users["sam@example.org"])
    council = scope_for(session, demo.users["council@example.org"])
    for name, what, price, relationship, agree, reason in SAMS_REQUESTS:
        if (sam_person.id, name) in asked:
            continue
        request = own.ask(session, sam, name=name, contact="0113 496 0456", what_they_do=what,
                          category="employing_a_pa", unit="hour", price_pence=price, relationship=relationship,
                          why_needed="")
        checks = [own.CheckSeen(kind, f"{kind[:3].upper()}-{request.id:05d}", demo.today + timedelta(days=365))
                  for kind in own.checks_for(request)] if agree else []
        own.decide(session, council, request_id=request.id, agree=agree, reason=reason, checks=checks,
                   today=demo.today)
        demo.created += 1
