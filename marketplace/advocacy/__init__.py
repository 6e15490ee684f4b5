"""Advocates: invitations, consent, permissions, acting for someone, and their activity."""
