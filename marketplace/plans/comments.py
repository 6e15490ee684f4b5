"""Comments on a support plan: the person, their advocates and their professional talk about
the plan where it is written. The caller commits."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from marketplace.audit import audit
from marketplace.models import PlanComment, User
from marketplace.notifications import events
from marketplace.scope import Relationship, Scope, require
from marketplace.text import clean_text

MOST_SHOWN = 50


@dataclass(frozen=True)
class ShownComment:
    text: str
    by: str
    at: datetime


def add_plan_comment(session: Session, scope: Scope, *, text: str) -> PlanComment:
    require(scope, "comment_on_plan")
    text = clean_text(text, field="comment", label="Your comment", max_length=2000, multiline=True)
    comment = PlanComment(person_id=scope.person.id, author_id=scope.user.id, text=text)
    session.add(comment)
    session.flush()
    audit(session, action="plan.commented", actor=scope.user,
          on_behalf_of_id=scope.person.id if scope.relationship is Relationship.ADVOCATE else None,
          object_type="plan_comment", object_id=comment.id)
    events.plan_commented(session, comment, by_professional=scope.relationship is Relationship.PROFESSIONAL)
    return comment


def plan_comments(session: Session, scope: Scope) -> list[ShownComment]:
    """The newest comments first, with who wrote them."""
    require(scope, "view_plan")
    rows = session.exec(
        select(PlanComment, User.name).join(User, User.id == PlanComment.author_id)
        .where(PlanComment.person_id == scope.person.id)
        .order_by(col(PlanComment.at).desc(), col(PlanComment.id).desc()).limit(MOST_SHOWN))
    return [ShownComment(text=comment.text, by=name, at=comment.at) for comment, name in rows]
