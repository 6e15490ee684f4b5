"""The advocate invitation's email: who invites whom to help which budget holder."""

from flask import url_for

from marketplace.advocacy.service import NewInvitation
from marketplace.delivery import Delivery, deliver_invitation_link, invitation_email


def deliver_invitation(invitation: NewInvitation, *, person_name: str, inviter_name: str) -> Delivery:
    link = invitation.link
    url = url_for("advocacy.invitation", token=invitation.token, _external=True)
    return deliver_invitation_link(
        to=link.invited_email, url=url, what=f"Invitation (advocate link {link.id}) to support {person_name}",
        subject=f"{inviter_name} has invited you to help {person_name}",
        body=invitation_email(
            name=link.invited_name, url=url, action="To accept or decline",
            invitation=(f"{inviter_name} has invited you to help {person_name} manage their personal "
                        "budget on Manage your care budget.")))
