"""Verified reviews: a budget holder reviews a provider only after paying them from their budget."""

from sqlalchemy import exists, func, select
from sqlmodel import Session

from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.ledger import payable_account
from marketplace.models import Budget, LedgerTransaction, Posting, Provider, Review
from marketplace.models.types import utcnow
from marketplace.notifications import events
from marketplace.scope import Relationship, Scope, require

MAX_REVIEW_LENGTH = 2000


def has_paid_provider(session: Session, person_id: int, provider_id: int) -> bool:
    """Has money gone from this person's budget to this provider? (verified purchase)

    True when the ledger holds a payment out of payable:provider:<id> in any of their budgets.
    """
    return bool(session.execute(select(exists().where(
        Budget.person_id == person_id,
        Posting.budget_id == Budget.id,
        Posting.account == payable_account(provider_id),
        Posting.transaction_id == LedgerTransaction.id,
        LedgerTransaction.kind == "payment",
    ))).scalar())


def review_by(session: Session, *, person_id: int, provider_id: int) -> Review | None:
    return session.execute(select(Review).where(
        Review.person_id == person_id, Review.provider_id == provider_id)).scalar_one_or_none()


def refresh_rating(session: Session, provider_id: int) -> None:
    """Keep the provider's average and count in step with its visible reviews."""
    count, average = session.execute(
        select(func.count(Review.id), func.avg(Review.rating))
        .where(Review.provider_id == provider_id, Review.hidden_at.is_(None))
    ).one()
    provider = session.get(Provider, provider_id)
    provider.review_count = count
    provider.average_rating = round(float(average), 2) if count else None
    session.add(provider)


def save_review(session: Session, *, scope: Scope, provider: Provider, rating: int, text: str) -> Review:
    """Write or change the budget holder's one review of this provider."""
    require(scope, "write_review")
    person, actor = scope.person, scope.user
    if not has_paid_provider(session, person.id, provider.id):
        raise ServiceError("You can review a provider only after paying them from your budget")
    if rating not in range(1, 6):
        raise ServiceError("Choose a rating from 1 to 5 stars", "rating")
    text = text.strip()
    if not text:
        raise ServiceError("Write your review", "text")
    if len(text) > MAX_REVIEW_LENGTH:
        raise ServiceError(f"Your review must be {MAX_REVIEW_LENGTH:,} characters or fewer", "text")
    review = review_by(session, person_id=person.id, provider_id=provider.id)
    is_new = review is None
    if review is None:
        review = Review(provider_id=provider.id, person_id=person.id, rating=rating, text=text)
    review.rating = rating
    review.text = text
    review.by_advocate = scope.relationship is Relationship.ADVOCATE
    review.updated_at = utcnow()
    session.add(review)
    session.flush()
    refresh_rating(session, provider.id)
    audit(session, action="review.written" if is_new else "review.changed", actor=actor,
          on_behalf_of_id=person.id, object_type="review", object_id=review.id,
          detail={"provider_id": provider.id, "rating": rating})
    if is_new:
        events.review_written(session, review)
    return review


def reviews_of_provider(session: Session, provider: Provider) -> list[Review]:
    return list(session.execute(
        select(Review).where(Review.provider_id == provider.id, Review.hidden_at.is_(None))
        .order_by(Review.updated_at.desc(), Review.id.desc())
    ).scalars())


def review_of_provider(session: Session, *, provider: Provider, review_id: int) -> Review | None:
    """A visible review of this provider, or None for any other id."""
    return session.execute(select(Review).where(
        Review.id == review_id, Review.provider_id == provider.id, Review.hidden_at.is_(None))).scalar_one_or_none()


def reply_to_review(session: Session, *, scope: Scope, review: Review, text: str) -> Review:
    """The provider may answer each review once."""
    require(scope, "reply_to_review", review)
    if review.reply_text is not None:
        raise ServiceError("You have already replied to this review", "text")
    text = text.strip()
    if not text:
        raise ServiceError("Write your reply", "text")
    if len(text) > MAX_REVIEW_LENGTH:
        raise ServiceError(f"Your reply must be {MAX_REVIEW_LENGTH:,} characters or fewer", "text")
    review.reply_text = text
    review.replied_at = utcnow()
    review.replied_by_id = scope.user.id
    session.add(review)
    audit(session, action="review.replied", actor=scope.user, object_type="review", object_id=review.id,
          detail={"provider_id": review.provider_id})
    return review


def hide_review(session: Session, *, scope: Scope, review_id: int, reason: str) -> Review:
    """The council hides a review (it stays on record, with who hid it and why)."""
    require(scope, "moderate_review")
    actor = scope.user
    if not reason.strip():
        raise ServiceError("Enter the reason", "reason")
    review = session.execute(select(Review).where(Review.id == review_id).with_for_update()).scalar_one_or_none()
    if review is None:
        raise LookupError(review_id)
    review.hidden_at = utcnow()
    review.hidden_reason = reason.strip()
    review.hidden_by_id = actor.id
    session.add(review)
    session.flush()
    refresh_rating(session, review.provider_id)
    audit(session, action="review.hidden", actor=actor, object_type="review", object_id=review.id,
          detail={"provider_id": review.provider_id, "reason": review.hidden_reason})
    return review
