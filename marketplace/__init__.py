"""Manage your care budget. The app is built by marketplace.factory.create_app()."""
