"""Screens of the reading app, one per file."""
