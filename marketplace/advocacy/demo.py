"""Demo advocates: Alex acts for Sam with every permission; Sam has one invitation pending."""

from datetime import timedelta

from marketplace.advocacy.service import hash_token
from marketplace.demo_data import DemoData
from marketplace.models import AdvocateLink, AuditLog, LinkStatus
from marketplace.models.types import utcnow


def load_advocacy_demo(demo: DemoData) -> None:
    sam_user, sam = demo.users["sam@example.org"], demo.people["sam@example.org"]
    alex = demo.users["alex@example.org"]
    now = utcnow()
    for email, name, status, advocate, token in (
        ("alex@example.org", "Alex Morgan", LinkStatus.ACTIVE, alex, "demo-accepted-invitation-alex"),
        # The token is written here only so the demo invitation can be opened by hand.
        ("robin@example.org", "Robin Taylor", LinkStatus.INVITED, None, "demo-invitation-robin"),
    ):
        link = demo.get_or_add(AdvocateLink, {
            "invited_name": name, "status": status.value,
            "advocate_user_id": advocate.id if advocate else None,
            "can_view": True, "can_draft": True, "can_cosign": True,
            "can_approve_invoices": advocate is not None,
            "token_hash": hash_token(token), "expires_at": now + timedelta(days=14),
            "invited_by_id": sam_user.id, "consent_recorded_by_id": sam_user.id,
            "consent_recorded_at": now, "responded_at": now if advocate else None,
        }, person_id=sam.id, invited_email=email)
        # What Sam's activity page shows for these links.
        history = [("advocate.invited", sam_user)] + (
            [("advocate.invitation_accepted", advocate)] if advocate else [])
        for action, actor in history:
            demo.get_or_add(AuditLog, {"detail": {"name": name}, "object_type": "advocate_link"},
                            action=action, actor_id=actor.id, on_behalf_of_id=sam.id,
                            object_id=link.id)
