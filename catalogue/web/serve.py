"""Serve the catalogue with waitress (what ``catalogue serve`` and ``make run`` call)."""
from __future__ import annotations

import logging
import os

THREADS = 8
log = logging.getLogger("catalogue.web")


def make_server(home: str | os.PathLike | None, host: str = "127.0.0.1", port: int = 5000, threads: int = THREADS):
    """A waitress server for the catalogue under ``home``, bound but not yet running (port 0: any free port).

    Opens the catalogue (and its index) first, so a missing catalogue is reported at once
    (CatalogueMissing) rather than on the first request.
    """
    from waitress.server import create_server

    from . import create_app, get_catalogue

    app = create_app({"CATALOGUE_HOME": str(home)} if home else None)
    with app.app_context():
        get_catalogue()
    return create_server(app, host=host, port=port, threads=threads, ident="catalogue")


def serve(home: str | os.PathLike | None, host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve the catalogue under ``home`` on http://host:port until stopped: serve('instance', '127.0.0.1', 5000)."""
    server = make_server(home, host, port)
    log.info("serving the catalogue on http://%s:%s", host, server.effective_port)
    try:
        server.run()
    finally:
        server.close()
