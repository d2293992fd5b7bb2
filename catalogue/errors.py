"""Errors that carry a sentence the user can act on; the edges turn them into output."""


class CatalogueError(Exception):
    """Base class: ``str(error)`` is the whole message shown to the user."""

    exit_code = 2


class CatalogueMissing(CatalogueError):
    """There is no catalogue at the home folder."""


class StoreError(CatalogueError):
    """The SQLite file cannot be opened or written."""


class NotFound(CatalogueError):
    """A reference matched nothing in the catalogue."""

    exit_code = 1


class UsageError(CatalogueError):
    """An argument is wrong; the message names it and the allowed values."""
