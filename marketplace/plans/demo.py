"""Demo comments on Sam's support plan: Priya asks about the plan, Sam answers (through the
same rule as the plan page)."""

from sqlmodel import select

from marketplace.demo_data import DemoData
from marketplace.models import PlanComment
from marketplace.plans.comments import add_plan_comment
from marketplace.scope import for_caseload_person, scope_for

CONVERSATION = [
    ("priya@example.org", "Thank you for writing this. Could we add an outcome about seeing your friends?"),
    ("sam@example.org", "Yes. I would like to meet them at the café on Fridays."),
]


def load_plan_demo(demo: DemoData) -> None:
    sam = demo.people["sam@example.org"]
    if demo.session.exec(select(PlanComment.id).where(PlanComment.person_id == sam.id)).first() is not None:
        return
    for email, text in CONVERSATION:
        scope = scope_for(demo.session, demo.users[email])
        if email == "priya@example.org":
            scope = for_caseload_person(demo.session, scope, sam.id)
        add_plan_comment(demo.session, scope, text=text)
        demo.created += 1
