"""The API's OpenAPI document is valid, and the API keeps to it: Schemathesis asks every
endpoint with generated parameters and checks each answer against the document."""

import json

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from .factories import make_article, png_upload

# The checks extra: `make tools` installs it, as .ci/run does.
schemathesis = pytest.importorskip("schemathesis", reason="not installed: schemathesis (checks)")
validator = pytest.importorskip(
    "openapi_spec_validator", reason="not installed: openapi-spec-validator (checks)"
)
checks = schemathesis.checks


def test_the_openapi_document_is_valid_and_documents_every_field(client, db):
    document = client.get("/api/v1/openapi.json").json()
    validator.validate(document)
    assert set(document["paths"]) == {
        "/api/v1/stories",
        "/api/v1/stories/{story_id}",
        "/api/v1/sections",
        "/api/v1/topics",
        "/api/v1/authors",
        "/api/v1/search",
        "/api/v1/most-read",
    }
    for name, shape in document["components"]["schemas"].items():
        for field, spec in shape.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
            if field != "story":
                assert "examples" in spec, f"{name}.{field} has no example"
    assert document["components"]["securitySchemes"]["partnerKey"]["name"] == "X-API-Key"


def test_the_documentation_page_loads_its_scripts_from_the_site(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    settings_block = page.split('id="swagger-settings">')[1].split("</script>")[0]
    assert json.loads(settings_block)["url"] == "/api/v1/openapi.json"


# No server error, and every answer as documented. Not whether a request the document
# allows is accepted: a cursor that is well-formed text may still not be one of ours.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture
def api_schema(db):
    """The document as Schemathesis reads it, the site served in this process."""
    section_story = make_article(
        "Bài có ảnh và trích dẫn",
        blocks=[
            {"caption": "Ảnh", "image": png_upload(), "credit": "Ảnh: Lan"},
            "Đoạn văn.",
            {"kind": "quote", "text": "Câu nói", "attribution": "Người nói"},
        ],
    )
    make_article("Bài liên quan", related=[section_story])
    # As Django's test client does: the test's own connection (its transaction) stays open
    # across the requests, which would otherwise close it at their start and end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_api_keeps_to_its_document(api_schema):
    """Each operation, with parameters Schemathesis makes from the document: no server error,
    and every answer of a documented status, content type and body."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def keeps_to_it(case):
            # Uncompressed: the WSGI client would not undo brotli or gzip.
            case.call_and_validate(headers={"Accept-Encoding": "identity"}, checks=CHECKS)

        keeps_to_it()
