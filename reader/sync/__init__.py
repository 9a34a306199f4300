"""Sync with a feed server through the Google Reader API (FreshRSS, Miniflux, Inoreader ...).

``greader`` is the HTTP client, ``account`` keeps the credentials in the config dir,
``engine`` decides what moves (pure functions) and runs one sync over the store.
"""
