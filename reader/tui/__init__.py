"""The Textual app: a thin layer over :mod:`reader.core`."""
