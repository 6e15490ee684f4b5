"""Notifications: things waiting for someone, shown on /notifications and optionally emailed."""
