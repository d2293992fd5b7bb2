"""Errors that carry a sentence the user can act on; the edges turn them into output."""


class CatalogueError(Exception):
    """Base class: ``str(error)`` is the whole message shown to the user."""

    exit_code = 2


class CatalogueMissing(CatalogueError):
    """There is no catalogue at the home folder."""


class StoreError(CatalogueError):
    """The SQLite file cannot be opened or written."""


class StoreBusy(StoreError):
    """Another process holds the catalogue's write lock for longer than this one waits."""

    def __init__(self, path, waited: float, what: str = ""):
        self.path, self.waited, self.what = path, waited, what
        lost = f"nothing of {what} was written: " if what else ""
        super().__init__(f"another process is writing the catalogue {path} (waited {waited:g} s for it); "
                         f"{lost}try again when it has finished.")


class IndexUnavailable(CatalogueError):
    """The search index cannot answer now (being rebuilt, or it could not be rebuilt); the
    store and every page that reads only the store still work."""

    #: Seconds a web client is asked to wait (``Retry-After``) while a rebuild runs.
    retry_after = 30


class NotFound(CatalogueError):
    """A reference matched nothing in the catalogue."""

    exit_code = 1


class UsageError(CatalogueError):
    """An argument is wrong; the message names it and the allowed values."""
