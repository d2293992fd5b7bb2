"""``/openapi.json``: the OpenAPI 3 description of the JSON twins, served from docs/openapi.yaml.

The YAML file in ``docs/`` is the one written by hand and reviewed; the app only reads it
(with ``yaml.safe_load``) and answers it as JSON, so the description and the served document
cannot drift apart.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from flask import Blueprint, jsonify

from catalogue.errors import CatalogueMissing

from . import ROOT

bp = Blueprint("api", __name__)

SPEC_PATH = ROOT / "docs" / "openapi.yaml"


@lru_cache(maxsize=4)
def load_openapi(path: Path = SPEC_PATH) -> dict:
    """The OpenAPI document as a dict, read once: load_openapi() -> {"openapi": "3.0.3", ...}."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise CatalogueMissing(f"The API description {path} is missing from this installation.") from None
    return yaml.safe_load(text)


@bp.route("/openapi.json")
def show_openapi():
    """``/openapi.json``: the description of every JSON twin, for schemathesis and API users."""
    return jsonify(load_openapi())
