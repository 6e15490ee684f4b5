"""The staff invitation's email: who invites whom to use their organisation's account."""

from flask import url_for

from marketplace.delivery import Delivery, deliver_invitation_link, invitation_email
from marketplace.providers.staff import NewStaffInvitation


def deliver_staff_invitation(new: NewStaffInvitation, *, provider_name: str, inviter_name: str) -> Delivery:
    invitation = new.invitation
    url = url_for("provider_workspace.staff_invitation", token=new.token, _external=True)
    return deliver_invitation_link(
        to=invitation.invited_email, url=url, what=f"Staff invitation {invitation.id} to join {provider_name}",
        subject=f"{inviter_name} has invited you to join {provider_name}",
        body=invitation_email(
            name=invitation.invited_name, url=url, action="To accept",
            invitation=f"{inviter_name} has invited you to use {provider_name}’s account on Manage your care budget."))
