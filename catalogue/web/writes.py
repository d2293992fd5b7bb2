"""A request's own store connection, for requests that write (sign-in, sessions, later the register).

The app shares one read connection across waitress's threads (:func:`catalogue.web.get_catalogue`);
a request that writes must not use it: a transaction on a shared connection would take in other
threads' statements. So a writing request opens its own ``Store(home)``, on first use, and it
is closed when the request ends, whatever happened::

    from catalogue.web.writes import write_transaction

    with write_transaction() as store:      # BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error
        store.insert_audit(...)

:func:`request_store` gives the same connection without a transaction, for core functions that
open their own (``accounts.log_in``) and for reads that must see this request's writes.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, g

from catalogue.store import Store

_KEY = "_own_store"


def request_store() -> Store:
    """This request's own connection to the catalogue, opened on first use, closed at the request's end."""
    store = g.get(_KEY)
    if store is None:
        store = Store(current_app.config["CATALOGUE_HOME"])
        setattr(g, _KEY, store)
    return store


@contextmanager
def write_transaction() -> Iterator[Store]:
    """One transaction on this request's own connection: everything inside lands together or not at all."""
    with request_store().transaction() as store:
        yield store


def close_request_store(_error: BaseException | None = None) -> None:
    """Close the request's own connection, if it opened one (a teardown hook)."""
    store = g.pop(_KEY, None)
    if store is not None:
        store.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_request_store)
