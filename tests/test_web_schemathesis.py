"""The OpenAPI description (docs/openapi.yaml, served at /openapi.json) checked by schemathesis.

schemathesis reads the description from the app itself (in-process WSGI) and sends generated
requests to every operation: every answer must be a non-5xx whose status, content type and body
conform to the description. The checker's POST is tried with the CSRF check off, so generated
bodies reach the checker itself instead of stopping at the token.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from schemathesis.specs.openapi.checks import positive_data_acceptance

from catalogue.edges.service import Catalogue
from catalogue.web import create_app
from catalogue.web.api import SPEC_PATH, load_openapi
from test_web_support import build_catalogue

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def schema_app(tmp_path_factory):
    home = build_catalogue(tmp_path_factory.mktemp("openapi"))
    register = Path(__file__).parent / "data" / "register"
    with Catalogue(home) as cat:  # the register's twins answer real results, not only empty lists
        cat.ingest([register / "schemes.gate-valves.yaml", register / "register.valves.yaml"])
    application = create_app({"CATALOGUE_HOME": str(home), "TESTING": True, "CSRF_DISABLED": True})
    yield application
    cat = application.extensions.get("catalogue")
    if cat is not None:
        cat.close()


def list_operations() -> list[tuple[str, str]]:
    """(path, method) for every operation in the description: ('/search.json', 'get') ..."""
    return [(path, method) for path, item in load_openapi()["paths"].items() for method in item]


@pytest.fixture(scope="module")
def api_schema(schema_app):
    return schemathesis.openapi.from_wsgi("/openapi.json", schema_app)


#: OpenAPI 3.0 cannot say that an upload's file name must end in .docx/.html/.htm/.md/.txt, so
#: a generated "document.jpg" is schema-valid yet rightly refused (400); the other checks stay.
EXCLUDED = {("/check.json", "post"): [positive_data_acceptance],
            # Schema-valid names and passwords are still wrong ones (401), and nobody is signed in
            # for the account's operations (401): refusals the description documents.
            ("/login.json", "post"): [positive_data_acceptance],
            ("/account.json", "get"): [positive_data_acceptance],
            ("/account/password.json", "post"): [positive_data_acceptance],
            # The workspace is for signed-in users: every generated request is rightly a 401.
            **{(path, method): [positive_data_acceptance] for path, method in (
                ("/benchmarking/workspace.json", "get"), ("/benchmarking/workspace/new.json", "get"),
                ("/benchmarking/workspace/new.json", "post"), ("/benchmarking/workspace/results/{rid}.json", "get"),
                ("/benchmarking/workspace/results/{rid}/edit.json", "get"),
                ("/benchmarking/workspace/results/{rid}/edit.json", "post"),
                ("/benchmarking/workspace/results/{rid}/publish.json", "post"),
                ("/benchmarking/workspace/results/{rid}/withdraw.json", "post"),
                ("/benchmarking/workspace/results/{rid}/discard.json", "post"))}}


# schemathesis' own pytest integration (from_fixture) reads ``request.node._nodeid``, which
# pytest 9 removed; each operation's hypothesis strategy driven by @given does the same work.
@pytest.mark.parametrize(("path", "method"), list_operations())
def test_every_operation_conforms_and_never_fails(api_schema, path, method):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        # Default checks: not_a_server_error and status code, content type, headers and
        # response schema conformance.
        case.call_and_validate(excluded_checks=EXCLUDED.get((path, method), []))

    check()


def test_the_description_names_every_json_twin(schema_app):
    """Every JSON twin the app serves is described, and nothing is described that is not served."""
    described = set(load_openapi()["paths"])
    served = {"/suggest"}
    for rule in schema_app.url_map.iter_rules():
        path = rule.rule
        for name in ("key", "code", "system_id", "scheme_id", "rid", "eid", "pid", "name"):
            path = path.replace(f"<path:{name}>", "{%s}" % name).replace(f"<{name}>", "{%s}" % name)
        if path.endswith(".json"):
            served.add(path)
        elif path.endswith("}"):
            # '/standards/<key>' answers '/standards/<key>.json' through the key's suffix.
            for scheme in ("ics", "ccs"):
                served.add(path.replace("<any(ics, ccs):scheme>", scheme) + ".json")
    served = {p for p in served if "<" not in p and not p.startswith("/static/")}
    assert sorted(described - served) == []
    assert sorted(served - described) == []


def test_openapi_json_is_the_yaml_file(schema_app):
    import yaml

    answer = schema_app.test_client().get("/openapi.json")
    assert answer.status_code == 200
    assert answer.get_json() == yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
