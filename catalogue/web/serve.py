"""Serve the catalogue with waitress (what ``catalogue serve`` and ``make run`` call)."""
from __future__ import annotations

import logging
import os

THREADS = 8


def serve(home: str | os.PathLike | None, host: str = "127.0.0.1", port: int = 5000) -> None:
    """Serve the catalogue under ``home`` on http://host:port until stopped: serve('instance', '127.0.0.1', 5000).

    Opens the catalogue (and its index) before listening, so a missing catalogue is reported at
    once (CatalogueMissing) rather than on the first request.
    """
    from waitress import serve as waitress_serve

    from . import create_app, get_catalogue

    config = {"CATALOGUE_HOME": str(home)} if home else {}
    app = create_app(config)
    with app.app_context():
        get_catalogue()
    logging.getLogger("catalogue.web").info("serving %s on http://%s:%s", app.config["CATALOGUE_HOME"], host, port)
    waitress_serve(app, host=host, port=port, threads=THREADS, ident="catalogue")
