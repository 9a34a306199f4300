"""Widgets of the reading app, one per file."""
