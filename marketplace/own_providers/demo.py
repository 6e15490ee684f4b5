"""Demo: Jo asks to pay her neighbour as a personal assistant, waiting for the council to check
her (through the same service Jo would use). Made once: found again by Jo and the name."""

from sqlmodel import select

from marketplace.models import OwnProviderRequest
from marketplace.own_providers import service as own
from marketplace.scope import scope_for

NEIGHBOUR = "Maggie Lee"


def load_own_provider_demo(demo) -> None:
    session = demo.session
    jo_person = demo.people["jo@example.org"]
    if session.exec(select(OwnProviderRequest.id).where(OwnProviderRequest.person_id == jo_person.id,
                                                        OwnProviderRequest.name == NEIGHBOUR)).first():
        return
    jo = scope_for(session, demo.users["jo@example.org"])
    own.ask(session, jo, name=NEIGHBOUR, contact="0113 496 0123",
            what_they_do="Help me get up on weekday mornings and come shopping with me on Saturdays",
            category="employing_a_pa", unit="hour", price_pence=1250, relationship="none", why_needed="")
    demo.created += 1
