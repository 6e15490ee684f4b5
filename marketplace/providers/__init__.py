"""Providers: browse, profiles, compare, vetting and reviews."""
