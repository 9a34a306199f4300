"""Errors whose messages are fit to show a user: what happened, and what to do."""


class ReaderError(Exception):
    """Base class. ``str(error)`` is one line for the user."""


class StorageError(ReaderError):
    """The database could not be opened, read or written."""


class DatabaseLockedError(StorageError):
    """Another process holds the database for too long."""


class NotADatabaseError(StorageError):
    """The file is not a reader database, or it is damaged."""


class FeedExistsError(ReaderError):
    """The feed is already subscribed."""


class FeedNotFoundError(ReaderError):
    """No subscribed feed has that URL."""


class InvalidURLError(ReaderError):
    """The URL is not an http or https URL."""


class FetchError(ReaderError):
    """The network request failed (DNS, refused, timeout, TLS, HTTP status, too large)."""


class NotAFeedError(ReaderError):
    """The response is not a feed (an HTML page, say) or could not be parsed."""


class NotAnArticleError(ReaderError):
    """The page is not HTML (a PDF, an image ...): open it in the browser instead."""

    def __init__(self, message: str, content_type: str = "") -> None:
        super().__init__(message)
        self.content_type = content_type


class ImportFileError(ReaderError):
    """An OPML or urls file could not be read at all."""


class ConfigError(ReaderError):
    """A config value is wrong; the default is used instead."""


class SyncError(ReaderError):
    """Syncing with the feed server failed; local data is untouched, changes stay queued."""


class InvalidSettingError(ReaderError):
    """A feed setting is out of range (a full-text mode, a refresh interval, a user agent)."""
